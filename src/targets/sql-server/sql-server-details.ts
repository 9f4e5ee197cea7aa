/**
 * A SQL Server restore as the port's `RestoreDetails` (Log Replay Service's shape), built from the
 * target's own bookkeeping (sets restored, skipped, being restored) and the folder's plan: every file
 * counted once, sets by type in LSN order, `percentCompleted` = restored bytes / plan bytes.
 */
import type { RestoreStep } from '../../planning/index.js';
import { categoryOfReason, type FileCategory } from '../rehearsal/lrs-rules.js';
import type { RestoreDetails, RestoredBackupSet } from '../restore-target.js';

import type { RestoreJob } from './restore-job.js';

const mib = 1024 * 1024;

export function sqlServerDetails(job: RestoreJob): RestoreDetails {
  const plan = job.plan();
  const entries = job.catalog.entries();
  const files = new Map<string, { category: FileCategory; reason: string | null }>();
  const put = (name: string, category: FileCategory, reason: string | null = null): void => {
    if (!files.has(name)) files.set(name, { category, reason });
  };
  const sets = new Map<string, RestoredBackupSet & { type: RestoreStep['backupType'] }>();
  const row = (
    step: RestoreStep,
    status: RestoredBackupSet['status'],
    startedMs: number | null,
    finishedMs: number | null,
  ): void => {
    if (sets.has(step.backupSetGUID)) return;
    const size = step.files.reduce((sum, f) => sum + (job.catalog.get(f.file)?.blob.size ?? 0), 0);
    sets.set(step.backupSetGUID, {
      type: step.backupType,
      status,
      backupSetGUID: step.backupSetGUID,
      firstStripeName: job.catalog.blobName(step.files[0]?.file ?? ''),
      numberOfStripes: step.files.length,
      backupSizeMB: Math.round(size / mib),
      firstLSN: step.firstLSN.toString(),
      lastLSN: step.lastLSN.toString(),
      restoreStartedOn: iso(startedMs),
      restoreFinishedOn: iso(finishedMs),
    });
    const category: FileCategory = status === 'Failed' ? 'Unrestorable' : status;
    for (const f of step.files) put(f.file, category);
  };
  if (job.current) row(job.current.step, 'Restoring', job.current.startedMs, null);
  for (const set of job.applied.values()) row(set.step, set.status, set.startedMs, set.finishedMs);
  const completed = job.status === 'Completed';
  for (const step of plan?.restorePlan ?? [])
    row(step, completed ? 'Skipped' : 'Queued', null, null);
  for (const invalid of job.planner.invalidFiles())
    put(invalid.file, 'Unrestorable', `${invalid.reason}: ${invalid.message}`);
  for (const ignored of plan?.ignored ?? []) {
    const category = categoryOfReason[ignored.reason];
    put(
      ignored.file,
      category,
      category === 'Unrestorable' ? `${ignored.reason}: ${ignored.message}` : null,
    );
  }
  for (const entry of entries)
    if (entry.kind !== 'Backup')
      put(
        entry.name,
        'Unrestorable',
        'Not a backup file sqlmig uploaded (.bak, .diff or .log directly in the folder).',
      );
    else put(entry.name, 'Queued');

  const counts: Record<FileCategory, number> = {
    Queued: 0,
    Skipped: 0,
    Restoring: 0,
    Restored: 0,
    Unrestorable: 0,
  };
  for (const f of files.values()) counts[f.category] += 1;
  const ordered = [...sets.values()].sort((a, b) =>
    compare(BigInt(a.firstLSN), BigInt(b.firstLSN)),
  );
  const strip = (set: RestoredBackupSet & { type: string }): RestoredBackupSet => ({
    status: set.status,
    backupSetGUID: set.backupSetGUID,
    firstStripeName: set.firstStripeName,
    numberOfStripes: set.numberOfStripes,
    backupSizeMB: set.backupSizeMB,
    firstLSN: set.firstLSN,
    lastLSN: set.lastLSN,
    restoreStartedOn: set.restoreStartedOn,
    restoreFinishedOn: set.restoreFinishedOn,
  });
  const sizeOf = (step: RestoreStep): number =>
    step.files.reduce((sum, f) => sum + (job.catalog.get(f.file)?.blob.size ?? 0), 0);
  const restoredBytes = [...job.applied.values()]
    .filter((s) => s.status === 'Restored')
    .reduce((sum, s) => sum + sizeOf(s.step), 0);
  const planBytes = (plan?.restorePlan ?? [])
    .filter((s) => !job.applied.has(s.backupSetGUID))
    .reduce((sum, s) => sum + sizeOf(s), restoredBytes);
  const lastApplied = job.appliedInOrder().at(-1)?.step.files[0]?.file;
  const uploaded = entries
    .filter((e) => e.kind === 'Backup')
    .sort(
      (a, b) =>
        a.blob.lastModified.getTime() - b.blob.lastModified.getTime() || (a.name < b.name ? -1 : 1),
    )
    .at(-1);
  const current = job.current?.step.files[0]?.file;
  return {
    status: job.status,
    blockReason: job.status === 'Completed' ? null : job.block,
    currentRestoringFileName: current === undefined ? null : job.catalog.blobName(current),
    lastRestoredFileName: lastApplied === undefined ? null : job.catalog.blobName(lastApplied),
    lastUploadedFileName: uploaded ? job.catalog.blobName(uploaded.name) : null,
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
    fullBackupSets: ordered.filter((s) => s.type === 'Full').map(strip),
    diffBackupSets: ordered.filter((s) => s.type === 'Differential').map(strip),
    logBackupSets: ordered.filter((s) => s.type === 'Log').map(strip),
    unrestorableFiles: [...files.entries()]
      .filter(([, f]) => f.category === 'Unrestorable')
      .map(([name, f]) => ({ name: job.catalog.blobName(name), reason: f.reason }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
