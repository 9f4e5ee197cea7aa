/**
 * TEST SUPPORT — many migrations that have ended, written straight into a state store (no engine
 * drives an ended migration, so none of them touches a folder): the dashboard's and the list
 * route's tests of thousands of migrations. The mix is fixed by the index: of every 10, six
 * Succeeded, two Failed, two Canceled; every 100th is named `Payroll…`, the others `Sales…`.
 */
import { randomUUID } from 'node:crypto';

import type { MigrationRecord, StateStore } from '../../src/service/state/index.js';

export interface SeededCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly canceled: number;
  /** How many are named `Payroll…`. */
  readonly payroll: number;
}

export function seededStatus(index: number): 'Succeeded' | 'Failed' | 'Canceled' {
  const tenth = index % 10;
  return tenth < 6 ? 'Succeeded' : tenth < 8 ? 'Failed' : 'Canceled';
}

export function seededName(index: number): string {
  return `${index % 100 === 42 ? 'Payroll' : 'Sales'}${String(index).padStart(5, '0')}`;
}

/** Writes `count` ended migrations of `serviceName` (which must exist) in one transaction. */
export async function seedEndedMigrations(
  store: StateStore,
  count: number,
  serviceName = 'default',
): Promise<SeededCounts> {
  const counts = { total: count, succeeded: 0, failed: 0, canceled: 0, payroll: 0 };
  const start = Date.parse('2026-01-01T00:00:00Z');
  await store.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const status = seededStatus(i);
      const name = seededName(i);
      if (name.startsWith('Payroll')) counts.payroll++;
      counts[status === 'Succeeded' ? 'succeeded' : status === 'Failed' ? 'failed' : 'canceled']++;
      const created = new Date(start + i * 60_000).toISOString();
      const record: Omit<MigrationRecord, 'version'> = {
        id: randomUUID(),
        serviceName,
        targetDbName: name,
        kind: 'Rehearsal',
        scope: 'rehearsal (nothing is restored)',
        sourceDatabaseName: `Source${String(i).padStart(5, '0')}`,
        migrationOperationId: randomUUID(),
        migrationStatus: status,
        createdAt: created,
        startedOn: created,
        endedOn: new Date(start + i * 60_000 + 45_000).toISOString(),
        migrationFailureError:
          status === 'Failed'
            ? {
                code: 'BrokenRestorePlanGapInLogBackups',
                message: 'A log backup is missing between two others.',
              }
            : null,
        document: {
          mode: 'online',
          backupFolder: `/backups/${name}`,
          configuration: {
            sourceDatabaseName: `Source${String(i).padStart(5, '0')}`,
            backupConfiguration: { sourceLocation: { fileShare: { path: `/backups/${name}` } } },
            offlineConfiguration: { offline: false },
          },
        },
      };
      await tx.putMigration(record, 0);
    }
  });
  return counts;
}
