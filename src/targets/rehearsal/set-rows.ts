/**
 * The backup sets of the restored database as `restoreDetails` lists them (`fullBackupSets`,
 * `diffBackupSets`, `logBackupSets`): restored, restoring, queued, or skipped. Sets that cannot be
 * restored at all are not listed here; their files are under `unrestorableFiles`.
 */
import type { RestoreStep } from '../../planning/index.js';
import type { RestoredBackupSet } from '../restore-target.js';

import type { CatalogEntry } from './folder-catalog.js';
import { categoryOfReason } from './lrs-rules.js';
import type { RehearsalJob } from './rehearsal-job.js';
import type { Analysis } from './restore-queue.js';

export interface SetRow {
  readonly type: 'Full' | 'Differential' | 'Log';
  readonly status: Exclude<RestoredBackupSet['status'], 'Failed'>;
  readonly guid: string;
  /** Names within the folder, by media family. */
  readonly files: readonly string[];
  readonly firstLsn: bigint;
  readonly lastLsn: bigint;
  readonly startedMs: number | null;
  readonly finishedMs: number | null;
}

const stepTypes: Readonly<Record<number, SetRow['type']>> = {
  1: 'Full',
  5: 'Differential',
  2: 'Log',
};

/** By BackupSetGUID; a set's first status wins (restoring, restored, queued, then the rest). */
export function collectSetRows(job: RehearsalJob, analysis: Analysis): Map<string, SetRow> {
  const rows = new Map<string, SetRow>();
  const completed = job.status === 'Completed';
  const row = (
    step: RestoreStep,
    status: SetRow['status'],
    startedMs: number | null = null,
    finishedMs: number | null = null,
  ): void => {
    if (rows.has(step.backupSetGUID)) return;
    rows.set(step.backupSetGUID, {
      type: step.backupType,
      status,
      guid: step.backupSetGUID,
      files: step.files.map((ref) => ref.file),
      firstLsn: step.firstLSN,
      lastLsn: step.lastLSN,
      startedMs,
      finishedMs,
    });
  };
  const current = job.current;
  if (current) row(current.step, 'Restoring', current.startedMs);
  for (const r of job.restored) row(r.step, 'Restored', r.startedMs, r.finishedMs);
  for (const step of analysis.queue) row(step, 'Queued');
  for (const step of analysis.beyondStop) row(step, completed ? 'Skipped' : 'Queued');
  for (const step of analysis.plan?.restorePlan ?? []) {
    const passed = completed || analysis.passed.has(step.backupSetGUID);
    row(step, passed ? 'Skipped' : 'Queued');
  }
  const entries = job.catalog.entries();
  for (const ignored of analysis.plan?.ignored ?? []) {
    const category = categoryOfReason[ignored.reason];
    if (category === 'Unrestorable' || !ignored.backupSetGUID || rows.has(ignored.backupSetGUID))
      continue;
    const ignoredRow = rowOfSet(entries, ignored.backupSetGUID, category === 'Skipped');
    if (ignoredRow) rows.set(ignoredRow.guid, ignoredRow);
  }
  return rows;
}

/** A set the plan leaves out, from the headers of the files holding it. */
function rowOfSet(entries: readonly CatalogEntry[], guid: string, skipped: boolean): SetRow | null {
  const found: { file: string; family: number }[] = [];
  let header = null;
  for (const entry of entries) {
    const set = entry.media?.sets.find((s) => s.header.BackupSetGUID === guid);
    if (!set || !entry.media) continue;
    header = set.header;
    found.push({ file: entry.name, family: entry.media.label.FamilySequenceNumber ?? 1 });
  }
  const type = header?.BackupType ? stepTypes[header.BackupType] : undefined;
  if (!header || !type || header.FirstLSN === null || header.LastLSN === null) return null;
  return {
    type,
    status: skipped ? 'Skipped' : 'Queued',
    guid,
    files: found.sort((a, b) => a.family - b.family).map((f) => f.file),
    firstLsn: header.FirstLSN,
    lastLsn: header.LastLSN,
    startedMs: null,
    finishedMs: null,
  };
}
