/**
 * A rehearsal restore as Log Replay Service's `restoreDetails` would show it: every file counted once
 * (detected = queued + skipped + restoring + restored + unrestorable, as in its example response),
 * backup sets by type with their status, and `percentCompleted` = restored bytes / plan bytes.
 */
import type { RestoreDetails, RestoredBackupSet } from '../restore-target.js';

import { categoryOfReason, reportText, type FileCategory } from './lrs-rules.js';
import type { RehearsalJob } from './rehearsal-job.js';
import { collectSetRows, type SetRow } from './set-rows.js';

const mib = 1024 * 1024;

export function restoreDetails(job: RehearsalJob): RestoreDetails {
  const analysis = job.analysis();
  const entries = job.catalog.entries();
  const completed = job.status === 'Completed';
  const files = new Map<string, { category: FileCategory; reason: string | null }>();
  const put = (name: string, category: FileCategory, reason: string | null = null): void => {
    if (!files.has(name)) files.set(name, { category, reason });
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

  const counts: Record<FileCategory, number> = {
    Queued: 0,
    Skipped: 0,
    Restoring: 0,
    Restored: 0,
    Unrestorable: 0,
  };
  for (const f of files.values()) counts[f.category] += 1;
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
    restoreStartedOn: iso(r.startedMs),
    restoreFinishedOn: iso(r.finishedMs),
  });
  // Log Replay Service: restored MB / restore plan MB (its example: 25 / 47 → 53).
  const restoredBytes = job.restored.reduce((sum, r) => sum + r.sizeBytes, 0);
  const planBytes = analysis.queue.reduce(
    (sum, step) => sum + job.sizeOf(step),
    restoredBytes + (current?.sizeBytes ?? 0),
  );
  const block = job.failure ?? job.storageFailure ?? (completed ? null : analysis.block);
  const uploaded = entries
    .filter((e) => e.kind === 'Backup')
    .sort(
      (a, b) =>
        a.blob.lastModified.getTime() - b.blob.lastModified.getTime() || (a.name < b.name ? -1 : 1),
    )
    .at(-1);
  const lastRestored = job.restored.at(-1)?.step.files[0]?.file;
  const currentFile = current?.step.files[0]?.file;
  return {
    status: job.status,
    blockReason: block ? reportText(block) : null,
    currentRestoringFileName: currentFile === undefined ? null : blob(currentFile),
    lastRestoredFileName: lastRestored === undefined ? null : blob(lastRestored),
    lastUploadedFileName: uploaded ? blob(uploaded.name) : null,
    numberOfFilesDetected: entries.length,
    numberOfFilesQueued: counts.Queued,
    numberOfFilesSkipped: counts.Skipped,
    numberOfFilesRestoring: counts.Restoring,
    numberOfFilesRestored: counts.Restored,
    numberOfFilesUnrestorable: counts.Unrestorable,
    percentCompleted: completed
      ? 100
      : planBytes === 0
        ? 0
        : Math.floor((restoredBytes * 100) / planBytes),
    fullBackupSets: sets.filter((r) => r.type === 'Full').map(asSet),
    diffBackupSets: sets.filter((r) => r.type === 'Differential').map(asSet),
    logBackupSets: sets.filter((r) => r.type === 'Log').map(asSet),
    unrestorableFiles: [...files.entries()]
      .filter(([, f]) => f.category === 'Unrestorable')
      .map(([name, f]) => ({ name: blob(name), reason: f.reason }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
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

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
