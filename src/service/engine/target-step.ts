/**
 * The target step of a tick: starts the restore once the base full is uploaded (recording `Starting`
 * before the call and `Started` after it), or takes up a restore a previous process started; sends the
 * cutover of a Completing migration (once per process: the target may have forgotten it); polls the
 * restore details, applies them to the files, and ends the migration when the target completes or
 * fails.
 */
import type { RestoreDetails, StartRestore } from '../../targets/index.js';
import { isRestoreTargetError } from '../../targets/index.js';
import type { FileRecord, MigrationRecord } from '../state/index.js';

import { blobNameOf } from './blob-names.js';
import {
  asDocument,
  databaseFileOf,
  fileDocument,
  migrationDocument,
  type RestoreSummary,
} from './documents.js';
import type { EngineContext } from './engine-context.js';
import { lastRestoredFile } from './last-restored.js';
import type { MigrationRun } from './migration-run.js';
import { applyRestoreDetails } from './restore-progress.js';

export async function targetStep(
  ctx: EngineContext,
  migration: MigrationRecord,
  run: MigrationRun,
): Promise<void> {
  const { records, target } = ctx;
  let doc = migrationDocument(migration);
  const db = migration.sourceDatabaseName;
  // Read only on the paths that look at the files (starting, taking a restore up).
  const files = (): FileRecord[] => run.book.all();
  if (doc.targetPhase === 'NotStarted') {
    if (doc.mode === 'offline' && doc.lastBackupName) {
      // Log Replay Service's autocomplete mode takes the last backup's name when it starts, and the
      // name in the container is known only once the file is read: the restore waits for it.
      const last = namedFile(files(), doc.lastBackupName);
      if (last?.status === 'Ignored') {
        const { ignoreReason, ignoreMessage } = fileDocument(last);
        await records.move(
          migration,
          'Failed',
          `The last backup named, ${doc.lastBackupName}, is ignored: ${ignoreReason ?? ''}.`,
          {
            endedOn: records.now(),
            migrationFailureError: {
              code: 'InvalidLastBackup',
              message: `The last backup named, ${doc.lastBackupName}, cannot end this restore: ${ignoreReason ?? 'ignored'} (${ignoreMessage ?? 'no detail'}). Start the migration again naming another file, or none to take the last of the chain.`,
            },
          },
        );
        return;
      }
      if (blobNameOf(last) === null) return;
    }
    const plan = run.planner.plan(db);
    const base = plan.restorePlan[0];
    const baseFiles = base?.files.map((ref) => files().find((f) => f.fileName === ref.file));
    if (!base || !baseFiles || baseFiles.some((f) => !f || f.status !== 'Uploaded')) return;
    const inferred =
      doc.mode === 'offline' && !doc.lastBackupName
        ? (plan.restorePlan.at(-1)?.files[0]?.file ?? null)
        : null;
    doc = {
      ...doc,
      targetPhase: 'Starting',
      pinnedBaseGUID: base.backupSetGUID,
      inferredLastBackupName: inferred,
    };
    migration = await records.save(
      migration,
      { document: asDocument(doc) },
      'TargetStarting',
      `Starting the restore on ${target.description} from ${base.files.map((f) => f.file).join(', ')}.`,
    );
    run.planner.pinBase(db, base.backupSetGUID);
    run.planChanged = true;
    ctx.wake(migration.id);
    // The base full's file list, for the target's checks (a memory-optimized filegroup on a General
    // Purpose instance): the file of its first stripe holds it.
    const baseFile = baseFiles[0];
    const databaseFiles = baseFile ? fileDocument(baseFile).databaseFiles : null;
    await target.start({
      ...startRequest(migration, files()),
      ...(databaseFiles ? { databaseFiles: databaseFiles.map(databaseFileOf) } : {}),
    });
    run.targetAttached = true;
    doc = { ...doc, targetPhase: 'Started' };
    migration = await records.save(
      migration,
      { document: asDocument(doc) },
      'TargetStarted',
      'The restore has started.',
    );
  } else if (!run.targetAttached) {
    // A restore this process did not start: taken up after the last file the records say was
    // restored (the target may have gone further; it reports so at the next poll).
    const lastRestored = blobNameOf(lastRestoredFile(files()));
    await target.resume(startRequest(migration, files()), lastRestored);
    run.targetAttached = true;
    const after = lastRestored === null ? 'from its start' : `after ${lastRestored}`;
    if (doc.targetPhase === 'Starting') {
      doc = { ...doc, targetPhase: 'Started' };
      migration = await records.save(
        migration,
        { document: asDocument(doc) },
        'TargetStarted',
        `The restore was taken up again after a restart, ${after}.`,
        { lastRestoredFileName: lastRestored },
      );
    } else {
      await records.event(
        migration.id,
        'TargetResumed',
        `The restore was taken up again after a restart, ${after}.`,
        { lastRestoredFileName: lastRestored },
      );
    }
  }
  if (
    migration.migrationStatus === 'Completing' &&
    doc.cutoverLastBackupName &&
    !run.completeSent
  ) {
    // Sent once per process: after a restart the target may have forgotten it (the rehearsal
    // does), and a target that remembers answers that it is already completing.
    try {
      await target.complete(migration.targetDbName, doc.cutoverLastBackupName);
    } catch (error) {
      if (!(
        isRestoreTargetError(error) && error.code === 'ExternalBackupAlreadySignaledToComplete'
      ))
        throw error;
    }
    run.completeSent = true;
    if (!doc.cutoverSent) {
      doc = { ...doc, cutoverSent: true };
      migration = await records.save(
        migration,
        { document: asDocument(doc) },
        'CutoverSent',
        `Completing the restore at ${doc.cutoverLastBackupName}.`,
      );
    }
  }
  const details = await target.details(migration.targetDbName);
  // Applied, and written, only when something changed (the details, or files they may move now): an
  // idle migration costs no write per poll.
  // (A target that builds a new report at every call, as a polled service does, is applied each time:
  // that costs what can still move, the files not restored yet.)
  if (details !== run.lastDetails || run.appliedAtRevision !== run.book.restoreRevision) {
    await applyRestoreDetails(run, details);
    run.appliedAtRevision = run.book.restoreRevision;
    const summary = restoreSummary(details);
    const kept = doc.restoreDetails;
    if (kept?.status !== summary.status || kept.blockReason !== summary.blockReason) {
      migration = await records.save(
        migration,
        { document: asDocument({ ...doc, restoreDetails: summary }) },
        null,
        null,
      );
    }
    run.lastDetails = details;
  }
  if (details.status === 'Completed') {
    await records.move(migration, 'Succeeded', `The database is online on ${target.description}.`, {
      endedOn: records.now(),
    });
  } else if (details.status === 'Failed') {
    await records.move(
      migration,
      'Failed',
      `The restore failed: ${details.blockReason ?? 'no reason given'}.`,
      {
        endedOn: records.now(),
        migrationFailureError: {
          code: 'RestoreFailed',
          message: details.blockReason ?? 'The target reported the restore as failed.',
        },
      },
    );
  }
}

function restoreSummary(details: RestoreDetails): RestoreSummary {
  return { status: details.status, blockReason: details.blockReason };
}

/** What the target is asked to restore: offline migrations name their last backup (as a blob). */
function startRequest(migration: MigrationRecord, files: readonly FileRecord[]): StartRestore {
  const doc = migrationDocument(migration);
  const lastName =
    doc.mode === 'offline' ? (doc.lastBackupName ?? doc.inferredLastBackupName) : null;
  const lastBlob = lastName ? blobNameOf(namedFile(files, lastName)) : null;
  return {
    databaseName: migration.targetDbName,
    folder: migration.targetDbName,
    ...(doc.targetDatabaseCollation ? { collation: doc.targetDatabaseCollation } : {}),
    ...(lastBlob ? { lastBackupName: lastBlob } : {}),
  };
}

/** The file an offline migration names as its last backup (by file name, or by name in the container). */
function namedFile(files: readonly FileRecord[], name: string): FileRecord | undefined {
  return files.find((f) => f.fileName === name || fileDocument(f).blobName?.endsWith(`/${name}`));
}
