/**
 * The browser's client of the service's API, typed by the service's own schemas (`api-contract/`,
 * types only: no zod in the bundle). Every failure is an `ApiRequestError` carrying the service's
 * `{"error": {code, message, details}}`, or a plain statement that the service did not answer.
 */
import type {
  CheckTargetResponse,
  CreateMigrationBody,
  ErrorBody,
  EventList,
  MigrationList,
  MigrationListQuery,
  MigrationResource,
  MonitoringData,
  ServiceList,
  ServiceResource,
  TestConnectionRequest,
  TestConnectionResponse,
} from '../../api-contract/index.js';

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    /** The HTTP status; 0 when the service did not answer. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export class ApiClient {
  readonly #token: string;
  readonly #onUnauthorized: (error: ApiRequestError) => void;

  /** `onUnauthorized` is told when the service refuses the token (it was changed, or mistyped). */
  constructor(token: string, onUnauthorized: (error: ApiRequestError) => void = () => undefined) {
    this.#token = token;
    this.#onUnauthorized = onUnauthorized;
  }

  listServices(): Promise<ServiceList> {
    return this.request('GET', '/api/sqlMigrationServices');
  }
  getService(name: string): Promise<ServiceResource> {
    return this.request('GET', service(name));
  }
  listMonitoringData(name: string): Promise<MonitoringData> {
    return this.request('POST', `${service(name)}/listMonitoringData`);
  }
  checkTarget(targetDbName: string): Promise<CheckTargetResponse> {
    return this.request('POST', '/api/checkTarget', { targetDbName });
  }
  testConnection(name: string, body: TestConnectionRequest): Promise<TestConnectionResponse> {
    return this.request('POST', `${service(name)}/testConnection`, body);
  }

  listMigrations(serviceName: string, query: MigrationListQuery = {}): Promise<MigrationList> {
    const params = new URLSearchParams();
    if (query.state) params.set('state', query.state);
    if (query.search) params.set('search', query.search);
    if (query.top !== undefined) params.set('top', String(query.top));
    if (query.skip !== undefined) params.set('skip', String(query.skip));
    const text = params.toString();
    return this.request('GET', `${migrations(serviceName)}${text ? `?${text}` : ''}`);
  }
  getMigration(serviceName: string, targetDbName: string): Promise<MigrationResource> {
    return this.request(
      'GET',
      `${migrations(serviceName)}/${enc(targetDbName)}?expand=MigrationStatusDetails`,
    );
  }
  startMigration(
    serviceName: string,
    targetDbName: string,
    body: CreateMigrationBody,
  ): Promise<MigrationResource> {
    return this.request('PUT', `${migrations(serviceName)}/${enc(targetDbName)}`, body);
  }
  /** Cutover of the operation shown (`migrationOperationId`): refused if another one has started. */
  cutover(
    serviceName: string,
    targetDbName: string,
    migrationOperationId: string,
  ): Promise<MigrationResource> {
    return this.request('POST', `${migrations(serviceName)}/${enc(targetDbName)}/cutover`, {
      migrationOperationId,
    });
  }
  cancel(
    serviceName: string,
    targetDbName: string,
    migrationOperationId: string,
  ): Promise<MigrationResource> {
    return this.request('POST', `${migrations(serviceName)}/${enc(targetDbName)}/cancel`, {
      migrationOperationId,
    });
  }
  deleteMigration(serviceName: string, targetDbName: string): Promise<MigrationResource> {
    return this.request('DELETE', `${migrations(serviceName)}/${enc(targetDbName)}`);
  }
  events(serviceName: string, targetDbName: string, after = 0): Promise<EventList> {
    return this.request(
      'GET',
      `${migrations(serviceName)}/${enc(targetDbName)}/events?after=${after}`,
    );
  }

  /** Any call of the API (for pages whose routes have no method here yet). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiRequestError(
        0,
        'ServiceUnreachable',
        `The sqlmig service does not answer (${error instanceof Error ? error.message : String(error)}). Is "sqlmig up" still running?`,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null; // not JSON: a proxy's page, say; the status tells what happened
    }
    if (!response.ok) {
      const error = (parsed as Partial<ErrorBody> | null)?.error;
      const failure = new ApiRequestError(
        response.status,
        error?.code ?? `Http${response.status}`,
        error?.message ?? `${method} ${path} failed with HTTP ${response.status}.`,
        error?.details ?? [],
      );
      if (response.status === 401) this.#onUnauthorized(failure);
      throw failure;
    }
    return parsed as T;
  }
}

const enc = encodeURIComponent;
const service = (name: string): string => `/api/sqlMigrationServices/${enc(name)}`;
const migrations = (name: string): string => `${service(name)}/databaseMigrations`;
