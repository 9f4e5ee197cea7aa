/**
 * The steps at either end of a migration's life that are not about files: a new migration begins
 * (unless its target database exists: sqlmig never overwrites one), and a migration older than Log
 * Replay Service's 30-day limit is canceled with that reason.
 */
import type { MigrationRecord } from '../state/index.js';

import type { EngineContext } from './engine-context.js';
import type { MigrationRecords } from './migration-records.js';

/** Canceling, with `MigrationExpired`, when the migration is older than `maxAgeMs`. */
export async function expireIfOld(
  records: MigrationRecords,
  migration: MigrationRecord,
  maxAgeMs: number,
): Promise<MigrationRecord> {
  const age = Date.parse(records.now()) - Date.parse(migration.createdAt);
  if (migration.migrationStatus === 'Canceling' || age <= maxAgeMs) return migration;
  return records.move(
    migration,
    'Canceling',
    'The migration reached the 30-day limit of a restore job and is canceled.',
    {
      migrationFailureError: {
        code: 'MigrationExpired',
        message:
          'A migration may run for 30 days at most (the Log Replay Service limit); it was canceled and its target database dropped. Start a new one from a recent full backup.',
      },
    },
  );
}

/** Creating → InProgress, or Failed with `TargetDatabaseExists`. */
export async function beginMigration(
  ctx: EngineContext,
  migration: MigrationRecord,
): Promise<MigrationRecord> {
  const { records, target } = ctx;
  if (await target.databaseExists(migration.targetDbName)) {
    return records.move(
      migration,
      'Failed',
      `Database ${migration.targetDbName} already exists on the target.`,
      {
        endedOn: records.now(),
        migrationFailureError: {
          code: 'TargetDatabaseExists',
          message: `Database ${migration.targetDbName} already exists on the target (${target.description}); sqlmig never overwrites a database. Drop it, or migrate to another database name.`,
        },
      },
    );
  }
  return records.move(migration, 'InProgress', 'Migration started.', {
    startedOn: records.now(),
  });
}
