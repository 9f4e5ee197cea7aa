/**
 * The answer to "what will be restored, in which order, how far does it reach, and why is that file
 * left out?" for a set of files: a plan per database, the files that are not backups, and (for a
 * Managed Instance target) the layout problems. Also its JSON form, as `sqlmig backup plan --json`
 * prints it and the API will serve it.
 */
import { formatLsn } from '../backup/index.js';

import type { Ignored } from './reasons.js';
import { RestorePlanner } from './restore-planner.js';
import { managedInstanceLayoutProblems, type LayoutProblem } from './target-layout.js';
import type { DatabasePlan, PlannerFile } from './types.js';

export type RestoreTarget = 'mi' | 'sqlserver';

export interface PlanOptions {
  /** `mi`: Log Replay Service's rules too (no appended media, layout checks). Default: SQL Server's. */
  readonly target?: RestoreTarget;
  /** Plan this database only; backups of others are reported as such. */
  readonly database?: string;
}

export interface PlanReport {
  readonly databases: readonly DatabasePlan[];
  readonly invalidFiles: readonly Ignored[];
  readonly layoutProblems: readonly LayoutProblem[];
}

export function buildPlanReport(
  files: readonly PlannerFile[],
  options: PlanOptions = {},
): PlanReport {
  const planner = new RestorePlanner({ allowAppendedSets: options.target !== 'mi' });
  for (const file of files) planner.addFile(file);
  const layoutProblems = options.target === 'mi' ? managedInstanceLayoutProblems(files) : [];
  const wanted = options.database;
  if (wanted === undefined) {
    return { databases: planner.plans(), invalidFiles: planner.invalidFiles(), layoutProblems };
  }
  const plan = planner.plan(wanted);
  const others: Ignored[] = [];
  for (const file of files) {
    if ('error' in file) continue;
    for (const { header } of file.media.sets) {
      if (header.DatabaseName !== null && header.DatabaseName !== wanted) {
        others.push({
          file: file.path,
          reason: 'BackupOfAnotherDatabase',
          message: `A backup of database ${header.DatabaseName}, not ${wanted}.`,
          backupSetGUID: header.BackupSetGUID,
        });
      }
    }
  }
  return {
    databases: [
      {
        ...plan,
        ignored: [...plan.ignored, ...others].sort((a, b) => a.file.localeCompare(b.file)),
      },
    ],
    invalidFiles: planner.invalidFiles(),
    layoutProblems,
  };
}

/** The JSON form: LSNs as decimal strings, paths as given. */
export function planReportJson(report: PlanReport): object {
  return {
    databases: report.databases.map((db) => ({
      databaseName: db.databaseName,
      status: db.status,
      restorePlan: db.restorePlan.map((step) => ({
        backupSetGUID: step.backupSetGUID,
        backupType: step.backupType,
        firstLSN: formatLsn(step.firstLSN),
        lastLSN: formatLsn(step.lastLSN),
        position: step.files[0]?.position ?? 1,
        files: step.files.map((f) => f.file),
      })),
      lastRestorableLSN: db.lastRestorableLSN === null ? null : formatLsn(db.lastRestorableLSN),
      waitingFor:
        db.waitingFor.backupType === 'Full'
          ? db.waitingFor
          : {
              backupType: 'Log',
              containingLSN: formatLsn(db.waitingFor.containingLSN),
              gapEndsAt:
                db.waitingFor.gapEndsAt === null ? null : formatLsn(db.waitingFor.gapEndsAt),
              message: db.waitingFor.message,
            },
      ignored: db.ignored.map(ignoredJson),
    })),
    invalidFiles: report.invalidFiles.map(ignoredJson),
    layoutProblems: report.layoutProblems,
  };
}

function ignoredJson(item: Ignored): object {
  return {
    file: item.file,
    reason: item.reason,
    message: item.message,
    backupSetGUID: item.backupSetGUID,
  };
}
