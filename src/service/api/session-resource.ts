/**
 * A migration session as stored (its entries and what its start did) and as the API shows it, and
 * the `databaseMigrations` request each of its databases becomes at the start.
 */
import type { z } from '@hono/zod-openapi';

import type {
  CreateMigrationBody,
  DatabaseMapping,
  MigrationSession,
  SecretName,
  SessionStartOutcome,
  SessionSteps,
  WizardStep,
} from '../../api-contract/index.js';
import type { MigrationSessionRecord } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';

/** What a session record's document holds. */
export interface SessionDocument {
  readonly steps: SessionSteps;
  readonly started: readonly SessionStartOutcome[];
}

export function documentOf(record: MigrationSessionRecord): SessionDocument {
  const doc = record.document as Partial<SessionDocument>;
  return { steps: doc.steps ?? {}, started: doc.started ?? [] };
}

export function sessionResource(record: MigrationSessionRecord, ctx: ApiContext): MigrationSession {
  const { steps, started } = documentOf(record);
  return {
    id: record.id,
    status: record.status,
    step: record.step as WizardStep,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    version: record.version,
    steps,
    started: [...started],
    secretsNeeded: secretsNeeded(steps),
    deploymentTarget: { ...ctx.target },
  };
}

export function secretsNeeded(steps: SessionSteps): SecretName[] {
  const backup = steps.backup;
  if (!backup) return [];
  if (backup.location === 'azureBlob') return ['storageAccountKey'];
  return backup.fileShare?.username ? ['sharePassword'] : [];
}

export type Secrets = { readonly [K in SecretName]?: string | undefined };
type Properties = z.output<typeof CreateMigrationBody>['properties'];

/** The service the migrations go to, and one request per database; refuses a session not filled in. */
export function startRequests(
  steps: SessionSteps,
  secrets: Secrets,
): { serviceName: string; requests: { mapping: DatabaseMapping; properties: Properties }[] } {
  const { backup, target, runtime, source } = steps;
  if (!source) throw incomplete('source', 'choose how to reach the source (or backups only)');
  if (!target) throw incomplete('target', 'choose the target');
  if (!backup || backup.databases.length === 0)
    throw incomplete('backup', 'give the backup location and each database’s target name');
  if (!runtime) throw incomplete('runtime', 'choose the migration service');
  const missing = secretsNeeded(steps).filter((name) => !secrets[name]);
  if (missing.length > 0)
    throw new ApiError(
      400,
      'SecretsRequired',
      `Give ${missing.join(' and ')} again: passwords and keys are never kept in a saved session.`,
    );
  const requests = backup.databases.map((mapping) => {
    const properties: Properties = {
      kind: target.kind,
      ...(target.scope ? { scope: target.scope } : {}),
      sourceDatabaseName: mapping.sourceDatabaseName,
      ...(source.mode === 'connection' && source.connection
        ? { sourceSqlConnection: { ...source.connection } }
        : {}),
      backupConfiguration: {
        sourceLocation:
          backup.location === 'fileShare'
            ? {
                fileShare: {
                  path: required(mapping.backupFolder, mapping, 'its backup folder'),
                  ...(backup.fileShare?.username ? { username: backup.fileShare.username } : {}),
                  ...(secrets.sharePassword ? { password: secrets.sharePassword } : {}),
                },
              }
            : {
                azureBlob: {
                  storageAccountResourceId: backup.azureBlob?.storageAccountResourceId ?? '',
                  blobContainerName: required(
                    mapping.blobFolder ?? backup.azureBlob?.blobContainerName,
                    mapping,
                    'its blob container',
                  ),
                  ...(secrets.storageAccountKey ? { accountKey: secrets.storageAccountKey } : {}),
                },
              },
        ...(backup.targetStorageAccountResourceId
          ? { targetLocation: { storageAccountResourceId: backup.targetStorageAccountResourceId } }
          : {}),
      },
      offlineConfiguration: {
        offline: backup.mode === 'offline',
        ...(backup.mode === 'offline' && mapping.lastBackupName
          ? { lastBackupName: mapping.lastBackupName }
          : {}),
      },
    };
    return { mapping, properties };
  });
  return { serviceName: runtime.serviceName, requests };
}

function required(value: string | undefined, mapping: DatabaseMapping, what: string): string {
  if (value?.trim()) return value.trim();
  throw incomplete('backup', `give ${mapping.sourceDatabaseName} ${what}`);
}

function incomplete(step: WizardStep, what: string): ApiError {
  return new ApiError(
    400,
    'SessionIncomplete',
    `The session cannot start yet: on the ${step} page, ${what}.`,
  );
}
