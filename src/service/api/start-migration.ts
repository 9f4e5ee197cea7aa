/**
 * Starting one database migration: the checks of `PUT …/databaseMigrations/{targetDbName}` (service
 * exists, a backup folder, this deployment's target, offline options), the secrets sealed, the engine
 * asked to create it and to take its first step. The route and the wizard's start both come here, so
 * a migration started from the wizard is the one the API would have started.
 */
import type { z } from '@hono/zod-openapi';

import type { CreateMigrationBody } from '../../api-contract/index.js';
import { EngineError, type CreateMigration } from '../engine/index.js';
import type { MigrationRecord } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import { mapSecrets } from './migration-resource.js';

type Properties = z.output<typeof CreateMigrationBody>['properties'];

const engineStatus: Record<EngineError['code'], 400 | 404 | 409> = {
  MigrationNotFound: 404,
  MigrationExists: 409,
  OperationIdMismatch: 409,
  CutoverNotAllowed: 409,
  MigrationFinished: 409,
  InvalidConfiguration: 400,
};

/** Runs an engine call, turning its refusals into the API's coded errors. */
export async function engineCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EngineError)
      throw new ApiError(engineStatus[error.code], error.code, error.message);
    throw error;
  }
}

export async function startMigration(
  ctx: ApiContext,
  serviceName: string,
  targetDbName: string,
  properties: Properties,
): Promise<MigrationRecord> {
  if (!(await ctx.store.transaction((tx) => tx.getService(serviceName)))) {
    throw new ApiError(
      404,
      'ServiceNotFound',
      `There is no migration service ${serviceName}. Create it first (sqlmig service create ${serviceName}).`,
    );
  }
  const share = properties.backupConfiguration.sourceLocation.fileShare;
  if (!share) {
    throw new ApiError(
      400,
      'UnsupportedBackupLocation',
      'This deployment reads backups from a folder (backupConfiguration.sourceLocation.fileShare.path); backups already in a blob container are not supported yet.',
    );
  }
  const kind = properties.kind ?? ctx.target.kind;
  if (kind !== ctx.target.kind) {
    throw new ApiError(
      400,
      'UnsupportedTarget',
      `This deployment restores to ${ctx.target.kind} (${ctx.target.scope}), not ${kind}.`,
    );
  }
  // One deployment, one target: a scope naming another instance is refused, never restored to this
  // one (Resource Manager ids compare without case).
  if (properties.scope !== undefined && !sameScope(properties.scope, ctx.target.scope)) {
    throw new ApiError(
      400,
      'UnsupportedTarget',
      `This deployment restores to ${ctx.target.kind} ${ctx.target.scope}, not ${properties.scope}: a sqlmig service has one target. Start a service for that target (sqlmig up --managed-instance ID, or --sql-server HOST) or leave scope out.`,
    );
  }
  const offline = properties.offlineConfiguration?.offline ?? false;
  if (!offline && properties.offlineConfiguration?.lastBackupName) {
    throw new ApiError(
      400,
      'InvalidConfiguration',
      'offlineConfiguration.lastBackupName is given only with offline: true.',
    );
  }
  const input: CreateMigration = {
    serviceName,
    targetDbName,
    sourceDatabaseName: properties.sourceDatabaseName,
    kind,
    scope: properties.scope ?? ctx.target.scope,
    mode: offline ? 'offline' : 'online',
    backupFolder: share.path,
    lastBackupName: properties.offlineConfiguration?.lastBackupName ?? null,
    targetDatabaseCollation: properties.targetDatabaseCollation ?? null,
    configuration: mapSecrets(properties, (secret) => ctx.secrets.seal(secret)),
  };
  const record = await engineCall(() => ctx.engine.create(input));
  void ctx.engine.tick(record.id).catch(() => undefined);
  return record;
}

function sameScope(a: string, b: string): boolean {
  const plain = (scope: string) => scope.trim().replace(/\/+$/, '').toLowerCase();
  return plain(a) === plain(b);
}
