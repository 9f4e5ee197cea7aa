/**
 * A Canceling migration's last step: uploads in flight end, the target stops the restore and drops
 * the database, the files not ended are Canceled, and the migration is Canceled. Every part can run
 * again after a crash.
 */
import type { MigrationRecord } from '../state/index.js';

import type { EngineContext } from './engine-context.js';
import type { MigrationRun } from './migration-run.js';
import { fileMayMove } from './transitions.js';

export async function cancelStep(
  ctx: EngineContext,
  migration: MigrationRecord,
  run: MigrationRun,
): Promise<void> {
  run.canceled = true;
  run.uploadsAborter.abort(new Error('The migration was canceled.'));
  await Promise.allSettled([...run.uploads.values()]);
  await ctx.target.stop(migration.targetDbName);
  await run.book.load();
  for (const record of run.book.all()) {
    if (fileMayMove(record.status, 'Canceled') && record.status !== 'Ignored') {
      await run.book.put(record.fileName, 'Canceled', record, {}, null);
    }
  }
  await ctx.records.move(
    migration,
    'Canceled',
    'Canceled: the restore was stopped and the target database dropped.',
    { endedOn: ctx.records.now() },
  );
}
