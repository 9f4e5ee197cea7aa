/**
 * The intake step of a tick: lists the migration's backup folder (when its watcher or the periodic
 * tick says it may hold something new), records each new file as Arrived, reads the headers of files
 * not yet classified (again when a file still being written changes), feeds the backups to the
 * restore planner, and marks Ignored, with the reason, what the plan leaves out for good. The planner
 * is rebuilt from the store once per process.
 *
 * Only new and still-arriving files are looked at: a file already classified is never listed with
 * its size again, so the step costs what arrived, not what the folder holds.
 */
import type { FileRecord, MigrationRecord } from '../state/index.js';

import { uniqueBlobName, usedBlobNames } from './blob-names.js';
import { fileDocument, migrationDocument } from './documents.js';
import { classify, finalReasons, plannerFile } from './file-intake.js';
import type { MigrationRun } from './migration-run.js';

export async function intakeStep(migration: MigrationRecord, run: MigrationRun): Promise<void> {
  const db = migration.sourceDatabaseName;
  const files = new Map(run.book.all().map((f) => [f.fileName, f]));
  if (!run.plannerLoaded) {
    for (const record of files.values()) {
      const entry = plannerFile(record.fileName, fileDocument(record), db);
      if (entry && record.status !== 'Ignored') run.planner.addFile(entry);
    }
    run.planner.pinBase(db, migrationDocument(migration).pinnedBaseGUID);
    run.plannerLoaded = true;
    run.planChanged = true;
  }
  if (run.listingDue) {
    run.listingDue = false;
    await recordListing(migration, run, files);
    await classifyArrived(migration, run, files);
  }
  if (!run.planChanged) return;
  run.planChanged = false;
  // What the plan leaves out for good is Ignored now, with its reason, and never uploaded.
  const plan = run.planner.plan(db);
  for (const item of plan.ignored) {
    const record = files.get(item.file);
    if (!record || !finalReasons.has(item.reason) || record.status !== 'Arrived') continue;
    await ignore(run, files, record, item.reason, item.message);
  }
}

/** New files are Arrived; an Arrived file whose size or time changed is read again. */
async function recordListing(
  migration: MigrationRecord,
  run: MigrationRun,
  files: Map<string, FileRecord>,
): Promise<void> {
  const arriving = (name: string) => {
    const status = files.get(name)?.status;
    return status === undefined || status === 'Arrived';
  };
  for (const info of await run.source.list(arriving)) {
    const existing = files.get(info.name);
    if (!existing) {
      const record = await run.book.put(
        info.name,
        'Arrived',
        null,
        { size: info.size, modifiedAt: info.modifiedAt },
        `${info.name} arrived (${info.size} bytes).`,
      );
      files.set(info.name, record);
    } else if (existing.status === 'Arrived') {
      const doc = fileDocument(existing);
      if (doc.size !== info.size || doc.modifiedAt !== info.modifiedAt) {
        // Still being written: read its headers again once it stops changing.
        files.set(
          info.name,
          await run.book.put(
            info.name,
            'Arrived',
            existing,
            {
              size: info.size,
              modifiedAt: info.modifiedAt,
              backupType: null,
              waitingReason: 'IncompleteBackupFile',
            },
            null,
          ),
        );
      }
    }
  }
}

/** Reads the headers of Arrived files not classified yet: a backup, ignored, or still waiting. */
async function classifyArrived(
  migration: MigrationRecord,
  run: MigrationRun,
  files: Map<string, FileRecord>,
): Promise<void> {
  const db = migration.sourceDatabaseName;
  for (const record of files.values()) {
    const doc = fileDocument(record);
    if (record.status !== 'Arrived' || doc.backupType !== null) continue;
    const outcome = classify(
      await run.source.readHeaders(record.fileName),
      db,
      migration.kind === 'SqlVm',
    );
    if (outcome.kind === 'ignored') {
      await ignore(run, files, record, outcome.reason, outcome.message);
    } else if (outcome.kind === 'waiting') {
      if (doc.waitingReason !== outcome.reason)
        files.set(
          record.fileName,
          await run.book.put(
            record.fileName,
            'Arrived',
            record,
            { waitingReason: outcome.reason, ignoreMessage: outcome.message },
            null,
          ),
        );
    } else {
      // The blob name is chosen once, when the file is known to be a backup, and kept.
      const blobName = uniqueBlobName(
        migration.targetDbName,
        record.fileName,
        { ...doc, ...outcome.patch },
        usedBlobNames(files.values()),
      );
      const updated = await run.book.put(
        record.fileName,
        'Arrived',
        record,
        { ...outcome.patch, blobName },
        null,
      );
      files.set(record.fileName, updated);
      const entry = plannerFile(record.fileName, fileDocument(updated), db);
      if (entry) {
        run.planner.addFile(entry);
        run.planChanged = true;
      }
    }
  }
}

/** Marks a file Ignored for good, with its reason and message (it is never uploaded). */
async function ignore(
  run: MigrationRun,
  files: Map<string, FileRecord>,
  record: FileRecord,
  reason: string,
  message: string,
): Promise<void> {
  const saved = await run.book.put(
    record.fileName,
    'Ignored',
    record,
    { ignoreReason: reason, ignoreMessage: message },
    `${record.fileName} ignored: ${reason}.`,
  );
  files.set(record.fileName, saved);
}
