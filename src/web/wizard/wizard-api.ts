/**
 * The wizard's calls of the service, typed by the API contract: its sessions, the source instance's
 * checks, the runtime's key check and the sizing calls. Built on the app's client (`request`), so
 * failures are the same `ApiRequestError`s every page shows.
 */
import type {
  AuthKeys,
  CheckAuthKeyResponse,
  MigrationSession,
  MigrationSessionList,
  MonitoringData,
  PerfCollectionStatus,
  ServiceList,
  ServiceResource,
  SessionSteps,
  SkuRecommendationRequest,
  SkuRecommendationResult,
  SourceAssessment,
  SourceCheckResponse,
  SourceConnectionInput,
  SourceDatabaseList,
  StartSessionBody,
  StartSessionResponse,
  WizardStep,
} from '../../api-contract/index.js';
import type { ApiClient } from '../api/api-client.js';

const sessions = '/api/migrationSessions';
const enc = encodeURIComponent;
const service = (name: string) => `/api/sqlMigrationServices/${enc(name)}`;

export function wizardApi(api: ApiClient) {
  return {
    listSessions: () => api.request<MigrationSessionList>('GET', sessions),
    createSession: () => api.request<MigrationSession>('POST', sessions, {}),
    getSession: (id: string) => api.request<MigrationSession>('GET', `${sessions}/${enc(id)}`),
    saveSession: (session: MigrationSession, steps: SessionSteps, step?: WizardStep) =>
      api.request<MigrationSession>('PATCH', `${sessions}/${enc(session.id)}`, {
        expectedVersion: session.version,
        steps,
        ...(step ? { step } : {}),
      }),
    deleteSession: (id: string) =>
      api.request<MigrationSession>('DELETE', `${sessions}/${enc(id)}`),
    startSession: (session: MigrationSession, secrets: StartSessionBody['secrets']) =>
      api.request<StartSessionResponse>('POST', `${sessions}/${enc(session.id)}/start`, {
        expectedVersion: session.version,
        secrets,
      }),

    checkSource: (connection: SourceConnectionInput) =>
      api.request<SourceCheckResponse>('POST', '/api/source/checkConnection', { connection }),
    listSourceDatabases: (connection: SourceConnectionInput) =>
      api.request<SourceDatabaseList>('POST', '/api/source/listDatabases', { connection }),
    assessSource: (connection: SourceConnectionInput, databases: readonly string[]) =>
      api.request<SourceAssessment>('POST', '/api/source/assess', {
        connection,
        databases,
      }),
    recommendSku: (body: SkuRecommendationRequest) =>
      api.request<SkuRecommendationResult>('POST', '/api/skuRecommendations', body),
    startPerfCollection: (connection: SourceConnectionInput, folder: string) =>
      api.request<PerfCollectionStatus>('POST', '/api/perfCollections', {
        connection,
        perfDataFolder: folder,
      }),
    getPerfCollection: (id: string) =>
      api.request<PerfCollectionStatus>('GET', `/api/perfCollections/${enc(id)}`),
    stopPerfCollection: (id: string) =>
      api.request<PerfCollectionStatus>('POST', `/api/perfCollections/${enc(id)}/stop`),

    listServices: () => api.request<ServiceList>('GET', '/api/sqlMigrationServices'),
    createService: (name: string) => api.request<ServiceResource>('PUT', service(name)),
    listAuthKeys: (name: string) => api.request<AuthKeys>('POST', `${service(name)}/listAuthKeys`),
    regenerateAuthKey: (name: string, keyName: 'authKey1' | 'authKey2') =>
      api.request<AuthKeys>('POST', `${service(name)}/regenerateAuthKeys`, { keyName }),
    checkAuthKey: (name: string, authKey: string) =>
      api.request<CheckAuthKeyResponse>('POST', `${service(name)}/checkAuthKey`, { authKey }),
    listNodes: (name: string) =>
      api.request<MonitoringData>('POST', `${service(name)}/listMonitoringData`),
    testConnection: api.testConnection.bind(api),
    checkTarget: api.checkTarget.bind(api),
  };
}

export type WizardApi = ReturnType<typeof wizardApi>;
