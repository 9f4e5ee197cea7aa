/** The record of a migration just created: status Creating, its engine document at its start. */
import type { MigrationRecord, StateTransaction } from '../state/index.js';

import { asDocument, type MigrationDocument, type MigrationMode } from './documents.js';
import { EngineError } from './errors.js';

export interface CreateMigration {
  readonly serviceName: string;
  readonly targetDbName: string;
  readonly sourceDatabaseName: string;
  readonly kind: MigrationRecord['kind'];
  readonly scope: string;
  readonly mode: MigrationMode;
  readonly backupFolder: string;
  readonly lastBackupName?: string | null;
  readonly targetDatabaseCollation?: string | null;
  /** The API's view of the configuration (secrets sealed), kept with the migration. */
  readonly configuration?: Readonly<Record<string, unknown>>;
}

export function newMigrationRecord(
  input: CreateMigration,
  id: string,
  operationId: string,
  now: string,
): Omit<MigrationRecord, 'version'> {
  const document: MigrationDocument = {
    mode: input.mode,
    configuration: input.configuration ?? {},
    backupFolder: input.backupFolder,
    lastBackupName: input.lastBackupName ?? null,
    inferredLastBackupName: null,
    targetDatabaseCollation: input.targetDatabaseCollation ?? null,
    targetPhase: 'NotStarted',
    pinnedBaseGUID: null,
    cutoverLastBackupName: null,
    restoreDetails: null,
    cutoverSent: false,
    stepError: null,
  };
  return {
    id,
    serviceName: input.serviceName,
    targetDbName: input.targetDbName,
    kind: input.kind,
    scope: input.scope,
    sourceDatabaseName: input.sourceDatabaseName,
    migrationOperationId: operationId,
    migrationStatus: 'Creating',
    createdAt: now,
    startedOn: null,
    endedOn: null,
    migrationFailureError: null,
    document: asDocument(document),
  };
}

/** The statuses of a migration that has not ended (the engine drives it). */
export const activeStatuses: readonly MigrationRecord['migrationStatus'][] = [
  'Creating',
  'InProgress',
  'Completing',
  'Canceling',
];

/** Stores a new migration with its first event, unless its target database is taken. */
export async function insertMigration(
  tx: StateTransaction,
  input: CreateMigration,
  record: Omit<MigrationRecord, 'version'>,
): Promise<MigrationRecord> {
  if (input.mode === 'online' && input.lastBackupName) {
    throw new EngineError(
      'InvalidConfiguration',
      'The last backup file is given only for an offline migration; an online migration waits for your cutover.',
    );
  }
  const existing = await tx.findMigration(input.serviceName, input.targetDbName);
  if (existing) {
    throw new EngineError(
      'MigrationExists',
      `Service ${input.serviceName} already has a migration to database ${input.targetDbName} (${existing.migrationStatus}). Delete it first when it has ended, or choose another target database name.`,
    );
  }
  // Each migration uploads into the blob folder named after its target database: two running at
  // once to one database (from two services) would mix their backups in one folder.
  const sameTarget = (await tx.listMigrations({ statuses: [...activeStatuses] })).find(
    (m) => m.targetDbName.toLowerCase() === input.targetDbName.toLowerCase(),
  );
  if (sameTarget) {
    throw new EngineError(
      'MigrationExists',
      `Service ${sameTarget.serviceName} is already migrating to database ${sameTarget.targetDbName} (${sameTarget.migrationStatus}); two migrations to one database would share its blob folder. Wait until it has ended, or choose another target database name.`,
    );
  }
  const created = await tx.putMigration(record, 0);
  await tx.appendEvent({
    migrationId: record.id,
    at: record.createdAt,
    kind: 'Created',
    message: `${input.mode} migration of ${input.sourceDatabaseName} to ${input.targetDbName} created.`,
    data: {},
  });
  return created;
}
