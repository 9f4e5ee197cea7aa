/**
 * The intake step of a tick: looks at the entries of the migration's backup folder its watcher named,
 * or lists the whole folder (at the periodic tick, or when the watcher names none), records each new
 * file as Arrived, reads the headers of files not yet classified (again when a file still being
 * written changes), feeds the backups to the restore planner, and marks Ignored, with the reason, what
 * the plan leaves out for good. The planner is rebuilt from the store once per process.
 *
 * Only new and still-arriving files are looked at: a file already classified is never stat'ed again,
 * and a watcher's event costs the entries it names, so the step costs what arrived, not what the
 * folder holds (the periodic listing still reads the folder's names).
 */
import type { FileRecord, MigrationRecord } from '../state/index.js';

import { uniqueBlobName } from './blob-names.js';
import {
  emptyFileDocument,
  fileDocument,
  migrationDocument,
  type FileDocument,
} from './documents.js';
import { classify, finalReasons, plannerFile } from './file-intake.js';
import type { MigrationRun } from './migration-run.js';

export async function intakeStep(migration: MigrationRecord, run: MigrationRun): Promise<void> {
  if (run.plannerLoaded && !run.listingDue && run.namedDue.size === 0 && !run.planChanged) return; // nothing new to take in
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
  await takeInChanges(migration, run, files);
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

/** A file the listing says must be read: new, changed since it was read, or not classified yet. */
interface ToRead {
  readonly name: string;
  /** Null for a new file. */
  readonly record: FileRecord | null;
  /** What the listing changed (size, time), written with the classification. */
  readonly patch: Partial<FileDocument>;
}

/**
 * Looks at what may have changed in the folder: the whole folder when a listing is due, else the
 * entries its watcher named (a subfolder among them makes it a listing after all). New files, and
 * Arrived files whose size or time changed (still being written) or that are not classified yet, are
 * read and classified. A new file is recorded once, Arrived with what its headers said, in one write.
 */
async function takeInChanges(
  migration: MigrationRecord,
  run: MigrationRun,
  files: Map<string, FileRecord>,
): Promise<void> {
  // New files, and Arrived ones not read whole yet (a file read as a complete backup that changes
  // afterwards is caught by its upload, which checks the file did not change under it).
  const arriving = (name: string) => {
    const record = files.get(name);
    return (
      record === undefined ||
      (record.status === 'Arrived' && fileDocument(record).backupType === null)
    );
  };
  // Taken before the first await: what the watcher reports meanwhile is for the next tick.
  const named = run.listingDue ? [] : [...run.namedDue].filter(arriving);
  run.namedDue.clear();
  let found = named.length > 0 && run.source.listNamed ? await run.source.listNamed(named) : [];
  if (run.listingDue || found === null) {
    run.listingDue = false;
    found = await run.source.list(arriving);
  }
  const toRead: ToRead[] = [];
  for (const info of found) {
    const listed = { size: info.size, modifiedAt: info.modifiedAt };
    const record = files.get(info.name);
    if (!record) {
      toRead.push({ name: info.name, record: null, patch: listed });
      continue;
    }
    if (record.status !== 'Arrived') continue;
    const doc = fileDocument(record);
    if (doc.size !== info.size || doc.modifiedAt !== info.modifiedAt) {
      // Still being written: read again, and waiting until it reads whole.
      toRead.push({
        name: info.name,
        record,
        patch: { ...listed, backupType: null, waitingReason: 'IncompleteBackupFile' },
      });
    } else if (doc.backupType === null) {
      toRead.push({ name: info.name, record, patch: {} });
    }
  }
  for (const item of toRead) await classifyFile(migration, run, files, item);
}

/** Reads a file's headers: a backup (to the planner), ignored, or still waiting. */
async function classifyFile(
  migration: MigrationRecord,
  run: MigrationRun,
  files: Map<string, FileRecord>,
  { name, record, patch }: ToRead,
): Promise<void> {
  const db = migration.sourceDatabaseName;
  const outcome = classify(await run.source.readHeaders(name), db, migration.kind === 'SqlVm');
  const arrived = record ? null : `${name} arrived (${String(patch.size)} bytes).`;
  const save = async (more: Partial<FileDocument>) => {
    const saved = await run.book.put(name, 'Arrived', record, { ...patch, ...more }, arrived);
    files.set(name, saved);
    return saved;
  };
  if (outcome.kind === 'ignored') {
    // Recorded Arrived first (its arrival is an event of its own), then Ignored with the reason.
    const current = record && Object.keys(patch).length === 0 ? record : await save({});
    await ignore(run, files, current, outcome.reason, outcome.message);
  } else if (outcome.kind === 'waiting') {
    const doc = record ? fileDocument(record) : null;
    if (!record || Object.keys(patch).length > 0 || doc?.waitingReason !== outcome.reason)
      await save({ waitingReason: outcome.reason, ignoreMessage: outcome.message });
  } else {
    // The blob name is chosen once, when the file is known to be a backup, and kept.
    const doc = {
      ...(record ? fileDocument(record) : emptyFileDocument),
      ...patch,
      ...outcome.patch,
    };
    const blobName = uniqueBlobName(migration.targetDbName, name, doc, run.book.blobNames());
    const updated = await save({ ...outcome.patch, blobName });
    const entry = plannerFile(name, fileDocument(updated), db);
    if (entry) {
      run.planner.addFile(entry);
      run.planChanged = true;
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
