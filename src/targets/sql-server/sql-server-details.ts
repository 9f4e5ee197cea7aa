/**
 * A SQL Server restore as the port's `RestoreDetails` (Log Replay Service's shape), built from the
 * target's own bookkeeping (sets restored, skipped, being restored) and the folder's plan: every file
 * put in its category, sets in LSN order; the report's shape and arithmetic are `lrs-report.ts`'s.
 */
import type { RestoreStep } from '../../planning/index.js';
import { categoryOfReason, type FileCategory } from '../rehearsal/lrs-rules.js';
import { FileTally, isoOrNull, lastUploaded, lrsReport } from '../lrs-report.js';
import type { RestoreDetails, RestoredBackupSet } from '../restore-target.js';

import type { RestoreJob } from './restore-job.js';

const mib = 1024 * 1024;

export function sqlServerDetails(job: RestoreJob): RestoreDetails {
  const plan = job.plan();
  const entries = job.catalog.entries();
  const tally = new FileTally();
  const put = (name: string, category: FileCategory, reason: string | null = null): void => {
    tally.put(name, category, reason);
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
      restoreStartedOn: isoOrNull(startedMs),
      restoreFinishedOn: isoOrNull(finishedMs),
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
  const uploaded = lastUploaded(entries.filter((e) => e.kind === 'Backup'));
  const current = job.current?.step.files[0]?.file;
  const blob = (name: string): string => job.catalog.blobName(name);
  return lrsReport({
    status: job.status,
    blockReason: job.status === 'Completed' ? null : job.block,
    current: current === undefined ? null : blob(current),
    lastRestored: lastApplied === undefined ? null : blob(lastApplied),
    lastUploaded: uploaded ? blob(uploaded.name) : null,
    detected: entries.length,
    tally,
    blobName: blob,
    restoredBytes,
    planBytes,
    sets: ordered.map((set) => ({ type: set.type, set: strip(set) })),
  });
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
