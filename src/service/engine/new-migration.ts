/** The record of a migration just created: status Creating, its engine document at its start. */
import type { MigrationRecord } from '../state/index.js';

import { asDocument, type MigrationDocument, type MigrationMode } from './documents.js';

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
