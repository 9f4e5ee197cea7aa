/**
 * A step that fails (the folder unreadable, the blob store failing, the target refusing to take a
 * restore up) is tried again at every tick. Until it succeeds the user sees why, not only the
 * service's log: the error is kept on the migration (`stepError`), shown in `migrationStatusDetails`
 * (an upload blocking error, or the restore blocking reason), and recorded as an event when it
 * changes. A version conflict with another writer is not an error of the step: it is just retried.
 */
import { StateConflictError, type MigrationRecord } from '../state/index.js';

import { asDocument, migrationDocument, type EngineStep } from './documents.js';
import type { MigrationRecords } from './migration-records.js';

/** Runs one step of a tick; a failure is recorded on the migration, then thrown on. */
export async function runStep(
  records: MigrationRecords,
  migration: MigrationRecord,
  step: EngineStep,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof StateConflictError))
      await recordStepError(records, migration.id, step, error).catch(() => undefined);
    throw error;
  }
}

/** After a tick whose steps all succeeded: the error kept from an earlier tick is gone. */
export async function clearStepError(records: MigrationRecords, id: string): Promise<void> {
  const migration = await records.migration(id);
  const doc = migrationDocument(migration);
  if (!doc.stepError) return;
  await records.save(
    migration,
    { document: asDocument({ ...doc, stepError: null }) },
    'StepRecovered',
    `The ${doc.stepError.step} step works again.`,
  );
}

async function recordStepError(
  records: MigrationRecords,
  id: string,
  step: EngineStep,
  error: unknown,
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const migration = await records.migration(id);
  const doc = migrationDocument(migration);
  if (doc.stepError?.step === step && doc.stepError.message === message) return;
  await records.save(
    migration,
    { document: asDocument({ ...doc, stepError: { step, message, since: records.now() } }) },
    'StepFailed',
    `The ${step} step failed and is tried again at every tick: ${message}`,
    { step },
  );
}
