/**
 * What a rehearsal restore does next, from the planner's plan and what it has restored so far. Like
 * Log Replay Service it goes on from where the database stands: a later differential of the same full
 * is applied when it brings the database further (continuous mode accepts new differentials and logs
 * until cutover), and a set ending at or before that point is passed by.
 */
import type { DatabasePlan, RestorePlanner, RestoreStep } from '../../planning/index.js';

import { multipleDatabasesReport, type Report } from './lrs-rules.js';

export interface QueueInput {
  readonly planner: RestorePlanner;
  /** The databases with backups in the folder now, sorted. */
  readonly databases: readonly string[];
  /** The source database the restore started from; null before the first set starts. */
  readonly pinnedDatabase: string | null;
  /** Sets restored, then the one restoring, in order. */
  readonly done: readonly RestoreStep[];
  /** Autocomplete's last backup, or the cutover file: nothing after it is restored. */
  readonly stopAt: string | null;
  /** Offline mode: sets planned after `stopAt` fail the restore, as Log Replay Service does. */
  readonly autocomplete: boolean;
}

export interface Analysis {
  readonly database: string | null;
  readonly plan: DatabasePlan | null;
  /** Databases other than the one restored with backups in the folder. */
  readonly otherDatabases: readonly string[];
  /** Sets still to restore, in order, cut after `stopAt`. */
  readonly queue: readonly RestoreStep[];
  /** Sets of the plan after `stopAt`: not restored by this restore. */
  readonly beyondStop: readonly RestoreStep[];
  /** Sets of the plan the restore went past (ending at or before where the database stands). */
  readonly passed: ReadonlySet<string>;
  /** Why the restore cannot go on; `startsNothing` also keeps it from starting the next set. */
  readonly block: (Report & { readonly startsNothing: boolean }) | null;
  /** A condition that fails the restore (autocomplete with backups beyond the last one named). */
  readonly failure: Report | null;
}

export function analyzeQueue(input: QueueInput): Analysis {
  const names = input.databases;
  const database = input.pinnedDatabase ?? (names.length === 1 ? (names[0] ?? null) : null);
  const none = { queue: [], beyondStop: [], passed: new Set<string>(), failure: null };
  if (database === null) {
    const block =
      names.length > 1 ? { ...multipleDatabasesReport(names, null), startsNothing: true } : null;
    return { database, plan: null, otherDatabases: names, block, ...none };
  }
  const plan = input.planner.plan(database);
  const otherDatabases = names.filter((name) => name !== database);
  const doneGuids = new Set(input.done.map((step) => step.backupSetGUID));
  let end = input.done.at(-1)?.lastLSN ?? null;
  const queue: RestoreStep[] = [];
  const passed = new Set<string>();
  let gap = false;
  for (const step of plan.restorePlan) {
    if (doneGuids.has(step.backupSetGUID)) continue;
    if (end !== null && (step.backupType === 'Full' || step.lastLSN <= end)) {
      passed.add(step.backupSetGUID);
    } else if (end !== null && step.backupType === 'Log' && step.firstLSN > end) {
      gap = true;
      break;
    } else {
      queue.push(step);
      end = step.lastLSN;
    }
  }
  const stopIndex =
    input.stopAt === null ? -1 : queue.findIndex((step) => holds(step, input.stopAt));
  const beyondStop = stopIndex < 0 ? [] : queue.slice(stopIndex + 1);
  if (stopIndex >= 0) queue.splice(stopIndex + 1);
  const failure: Report | null =
    input.autocomplete && beyondStop.length > 0
      ? {
          code: 'BackupsBeyondLastBackupName',
          message: `The folder holds backups after ${input.stopAt ?? ''}, the last backup named for this autocomplete restore (${beyondStop.map((s) => s.files[0]?.file ?? '').join(', ')}). Log Replay Service fails an autocomplete restore when it finds backups beyond the last one named: name the last file of the chain, or use continuous mode.`,
        }
      : null;
  const reached = input.stopAt !== null && input.done.some((step) => holds(step, input.stopAt));
  let block: Analysis['block'] = null;
  if (otherDatabases.length > 0) {
    block = { ...multipleDatabasesReport(otherDatabases, database), startsNothing: true };
  } else if (queue.length === 0 && !reached) {
    const waiting = stuckReport(plan, gap);
    if (waiting) block = { ...waiting, startsNothing: false };
    else if (input.autocomplete && input.stopAt !== null)
      block = {
        code: 'LastBackupNotFound',
        message: `${input.stopAt}, the last backup named for this autocomplete restore, is not in the restore chain: it is not in the folder yet, or it cannot be restored (see the unrestorable and skipped files).`,
        startsNothing: false,
      };
  }
  return { database, plan, otherDatabases, queue, beyondStop, passed, block, failure };
}

/** Why nothing more can be restored now, when it is not just waiting for the next log. */
function stuckReport(plan: DatabasePlan, gap: boolean): Report | null {
  const missingStripe = plan.ignored.find((i) => i.reason === 'MissingStripeInBackupSet');
  if (plan.status === 'NoFullBackup') {
    if (missingStripe) return { code: 'MissingStripeInBackupSet', message: missingStripe.message };
    if (plan.ignored.length === 0) return null;
    return {
      code: 'BrokenRestorePlanNoFullBackup',
      message: `No complete full backup of ${plan.databaseName} is in the folder; the differential and log backups there wait for one.`,
    };
  }
  const waiting = plan.waitingFor;
  if (gap || (waiting.backupType === 'Log' && waiting.gapEndsAt !== null)) {
    return { code: 'BrokenRestorePlanGapInLogBackups', message: waiting.message };
  }
  if (missingStripe) return { code: 'MissingStripeInBackupSet', message: missingStripe.message };
  return null;
}

/** Whether the set is held (as any stripe) by the file of that name. */
export function holds(step: RestoreStep, name: string | null): boolean {
  return step.files.some((ref) => ref.file === name);
}
