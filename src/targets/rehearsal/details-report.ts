/**
 * A rehearsal restore as Log Replay Service's `restoreDetails` would show it: every file put in its
 * category (its sets' status, its layout problem, its planner reason), backup sets by type with their
 * status; the report's shape and arithmetic are `lrs-report.ts`'s.
 */
import { FileTally, isoOrNull, lastUploaded, lrsReport } from '../lrs-report.js';
import type { RestoreDetails, RestoredBackupSet } from '../restore-target.js';

import { categoryOfReason, reportText, type FileCategory } from './lrs-rules.js';
import type { RehearsalJob } from './rehearsal-job.js';
import { collectSetRows, type SetRow } from './set-rows.js';

const mib = 1024 * 1024;

export function restoreDetails(job: RehearsalJob): RestoreDetails {
  const analysis = job.analysis();
  const entries = job.catalog.entries();
  const completed = job.status === 'Completed';
  const tally = new FileTally();
  const put = (name: string, category: FileCategory, reason: string | null = null): void => {
    tally.put(name, category, reason);
  };
  const current = job.current;
  const rows = collectSetRows(job, analysis);
  for (const r of rows.values()) for (const file of r.files) put(file, r.status);

  for (const entry of entries) {
    if (entry.kind === 'Nested')
      put(
        entry.name,
        'Unrestorable',
        reportText({
          code: 'NestedFolders',
          message:
            'In a subfolder: Log Replay Service reads the files directly in the database folder only.',
        }),
      );
    if (entry.kind === 'OtherExtension')
      put(
        entry.name,
        'Unrestorable',
        reportText({
          code: 'UnsupportedFileExtension',
          message: 'Log Replay Service reads only .bak, .log and .diff files.',
        }),
      );
  }
  for (const invalid of job.planner.invalidFiles())
    put(
      invalid.file,
      'Unrestorable',
      reportText({ code: invalid.reason, message: invalid.message }),
    );
  const others = new Set(analysis.otherDatabases);
  if (others.size > 0) {
    const report = analysis.database === null ? null : analysis.block;
    for (const entry of entries) {
      if (
        entry.media?.sets.some(
          (s) => s.header.DatabaseName !== null && others.has(s.header.DatabaseName),
        )
      )
        put(entry.name, report ? 'Unrestorable' : 'Queued', report ? reportText(report) : null);
    }
  }
  for (const ignored of analysis.plan?.ignored ?? []) {
    const category = categoryOfReason[ignored.reason];
    const reason = reportText({ code: ignored.reason, message: ignored.message });
    put(ignored.file, category, category === 'Unrestorable' ? reason : null);
  }
  for (const entry of entries) put(entry.name, 'Queued');

  const sets = [...rows.values()].sort((a, b) =>
    a.firstLsn < b.firstLsn ? -1 : a.firstLsn > b.firstLsn ? 1 : 0,
  );
  const blob = (name: string): string => job.catalog.blobName(name);
  const size = (r: SetRow): number =>
    r.files.reduce((sum, f) => sum + (job.catalog.get(f)?.blob.size ?? 0), 0);
  const restoredSets = restoredSetsOf(job);
  const asSet = (r: SetRow): RestoredBackupSet => {
    if (r.status !== 'Restored') return reported(r);
    // A restored set never changes: built once per restore, not at every report.
    let set = restoredSets.get(r.guid);
    if (!set) {
      set = reported(r);
      restoredSets.set(r.guid, set);
    }
    return set;
  };
  const reported = (r: SetRow): RestoredBackupSet => ({
    status: r.status,
    backupSetGUID: r.guid,
    firstStripeName: blob(r.files[0] ?? ''),
    numberOfStripes: r.files.length,
    backupSizeMB: Math.round(size(r) / mib),
    firstLSN: r.firstLsn.toString(),
    lastLSN: r.lastLsn.toString(),
    restoreStartedOn: isoOrNull(r.startedMs),
    restoreFinishedOn: isoOrNull(r.finishedMs),
  });
  // Log Replay Service: restored MB / restore plan MB (its example: 25 / 47 → 53).
  const restoredBytes = job.restored.reduce((sum, r) => sum + r.sizeBytes, 0);
  const planBytes = analysis.queue.reduce(
    (sum, step) => sum + job.sizeOf(step),
    restoredBytes + (current?.sizeBytes ?? 0),
  );
  const block = job.failure ?? job.storageFailure ?? (completed ? null : analysis.block);
  const uploaded = lastUploaded(entries.filter((e) => e.kind === 'Backup'));
  const lastRestored = job.restored.at(-1)?.step.files[0]?.file;
  const currentFile = current?.step.files[0]?.file;
  return lrsReport({
    status: job.status,
    blockReason: block ? reportText(block) : null,
    current: currentFile === undefined ? null : blob(currentFile),
    lastRestored: lastRestored === undefined ? null : blob(lastRestored),
    lastUploaded: uploaded ? blob(uploaded.name) : null,
    detected: entries.length,
    tally,
    blobName: blob,
    restoredBytes,
    planBytes,
    sets: sets.map((r) => ({ type: r.type, set: asSet(r) })),
  });
}

const restoredSetsByJob = new WeakMap<RehearsalJob, Map<string, RestoredBackupSet>>();

function restoredSetsOf(job: RehearsalJob): Map<string, RestoredBackupSet> {
  let sets = restoredSetsByJob.get(job);
  if (!sets) {
    sets = new Map();
    restoredSetsByJob.set(job, sets);
  }
  return sets;
}
