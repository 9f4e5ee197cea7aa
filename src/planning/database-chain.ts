/**
 * The restore chain of one database, kept up to date as backup sets arrive. SQL Server's rules:
 *
 * - the base is the latest complete full backup (by LastLSN);
 * - then the latest differential whose DifferentialBaseGUID is that full's BackupSetGUID;
 * - then log backups: the next one must satisfy FirstLSN ≤ (where the database stands) < LastLSN.
 *   A log ending at or before that point applies nothing (the mistake of admitting one whose LastLSN
 *   equals the base's is not made here); a log starting after it waits behind a gap.
 *
 * Adding a log to a planned chain costs a binary search, not a re-plan: only a new full or
 * differential, or a removal, makes the chain be derived again (lazily, on the next read).
 */
import { formatLsn, type Lsn } from '../backup/index.js';

import type { IgnoreReason } from './reasons.js';
import type { RestoreStep, StepType, WaitingFor } from './types.js';

/** A backup set with every stripe present, ready to be placed in the chain. */
export interface UsableSet {
  readonly guid: string;
  readonly type: StepType;
  readonly firstLsn: Lsn;
  readonly lastLsn: Lsn;
  readonly diffBaseGuid: string | null;
  readonly forkId: string | null;
  readonly files: RestoreStep['files'];
}

export interface Verdict {
  readonly set: UsableSet;
  readonly reason: IgnoreReason;
  readonly message: string;
}

export class DatabaseChain {
  readonly #sets = new Map<string, UsableSet>();
  #dirty = true;
  #base: UsableSet | null = null;
  #diff: UsableSet | null = null;
  #chain: UsableSet[] = [];
  /** The LSN the database stands at after the base and the chained logs. */
  #end: Lsn | null = null;
  /** Logs after a gap, by FirstLSN. */
  #waiting: UsableSet[] = [];
  #verdicts = new Map<string, Verdict>();
  /** A full the restore has already started from: it stays the base whatever arrives later. */
  #pinnedBase: string | null = null;

  get size(): number {
    return this.#sets.size;
  }

  has(guid: string): boolean {
    return this.#sets.has(guid);
  }

  add(set: UsableSet): void {
    this.#sets.set(set.guid, set);
    if (set.type !== 'Log' || this.#dirty) {
      this.#dirty = true;
      return;
    }
    if (this.#base) this.#placeLog(set);
    else this.#verdicts.set(set.guid, waitingForFull(set));
  }

  /** Keeps `guid` as the base (once a target restores from it, a later full must not replace it). */
  pinBase(guid: string | null): void {
    if (this.#pinnedBase === guid) return;
    this.#pinnedBase = guid;
    this.#dirty = true;
  }

  remove(guid: string): void {
    if (this.#sets.delete(guid)) this.#dirty = true;
  }

  /** The steps, in restore order. */
  steps(): readonly UsableSet[] {
    this.#refresh();
    if (!this.#base) return [];
    return [this.#base, ...(this.#diff ? [this.#diff] : []), ...this.#chain];
  }

  lastRestorableLsn(): Lsn | null {
    this.#refresh();
    return this.#end;
  }

  /** Sets left out, with why; logs behind a gap say which LSN range is missing. */
  verdicts(): Verdict[] {
    this.#refresh();
    const out = [...this.#verdicts.values()];
    const end = this.#end;
    const gapEnd = this.#waiting[0]?.firstLsn;
    if (end !== null && gapEnd !== undefined) {
      const missing = `the log backups covering LSN ${formatLsn(end)} to ${formatLsn(gapEnd)} are missing`;
      for (const set of this.#waiting) {
        out.push({
          set,
          reason: 'BrokenRestorePlanGapInLogBackups',
          message: `Log backup ${formatLsn(set.firstLsn)}–${formatLsn(set.lastLsn)} comes after a gap: ${missing}. Take or find them, or take a new differential or full backup.`,
        });
      }
    }
    return out;
  }

  waitingFor(): WaitingFor {
    this.#refresh();
    const end = this.#end;
    if (end === null) {
      return {
        backupType: 'Full',
        message:
          'A complete full backup of the database (every stripe); nothing can be restored before it.',
      };
    }
    const gapEnd = this.#waiting[0]?.firstLsn ?? null;
    const lsn = formatLsn(end);
    return {
      backupType: 'Log',
      containingLSN: end,
      gapEndsAt: gapEnd,
      message:
        gapEnd === null
          ? `A log backup whose FirstLSN ≤ ${lsn} and LastLSN > ${lsn}.`
          : `The log backups covering LSN ${lsn} to ${formatLsn(gapEnd)}: later logs are here but cannot be applied until then.`,
    };
  }

  #refresh(): void {
    if (this.#dirty) this.#replan();
  }

  #replan(): void {
    this.#dirty = false;
    this.#verdicts = new Map();
    this.#chain = [];
    this.#waiting = [];
    const fulls: UsableSet[] = [];
    const diffs: UsableSet[] = [];
    const logs: UsableSet[] = [];
    for (const set of this.#sets.values()) {
      (set.type === 'Full' ? fulls : set.type === 'Differential' ? diffs : logs).push(set);
    }
    const base = fulls.find((full) => full.guid === this.#pinnedBase) ?? latest(fulls);
    this.#base = base;
    if (!base) {
      this.#diff = null;
      this.#end = null;
      for (const set of [...diffs, ...logs]) this.#verdicts.set(set.guid, waitingForFull(set));
      return;
    }
    for (const full of fulls) {
      if (full !== base) {
        if (full.lastLsn > base.lastLsn) {
          this.#reject(
            full,
            'FullBackupAfterRestoreStarted',
            `A full backup taken after ${describe(base)}, from which the restore has already started: the restore goes on from that one with the log backups.`,
          );
        } else {
          this.#reject(
            full,
            'FullBackupOlderThanBase',
            `An older full backup than ${describe(base)}, the base of the plan (the latest complete full).`,
          );
        }
      }
    }
    const ownDiffs = diffs.filter((d) => d.diffBaseGuid === base.guid);
    const diff = latest(ownDiffs);
    this.#diff = diff;
    for (const d of diffs) {
      if (d.diffBaseGuid !== base.guid) {
        this.#reject(
          d,
          'BrokenRestorePlanWrongDiffBaseGUID',
          `A differential of full backup ${d.diffBaseGuid ?? '(unknown)'}, not of ${describe(base)}, the base of the plan.`,
        );
      } else if (d !== diff && diff) {
        this.#reject(
          d,
          'DifferentialSuperseded',
          `Superseded by ${describe(diff)}, a later differential of the same full.`,
        );
      }
    }
    this.#end = (diff ?? base).lastLsn;
    logs.sort((a, b) =>
      a.firstLsn < b.firstLsn ? -1 : a.firstLsn > b.firstLsn ? 1 : a.lastLsn < b.lastLsn ? 1 : -1,
    );
    for (const log of logs) this.#placeLog(log);
  }

  /** Places one log against the current chain; draws waiting logs in behind it when it closes a gap. */
  #placeLog(log: UsableSet): void {
    const base = this.#base;
    const end = this.#end;
    if (!base || end === null) return;
    const start = (this.#diff ?? base).lastLsn;
    if (log.firstLsn === log.lastLsn) {
      this.#reject(
        log,
        'EmptyLogBackup',
        `An empty log backup (FirstLSN = LastLSN = ${formatLsn(log.firstLsn)}): it holds nothing to restore.`,
      );
    } else if (log.forkId && base.forkId && log.forkId !== base.forkId) {
      this.#reject(
        log,
        'OtherRecoveryFork',
        `On recovery fork ${log.forkId}, not ${base.forkId} of ${describe(base)}: it belongs to another branch of the database's history.`,
      );
    } else if (log.lastLsn <= start) {
      this.#reject(
        log,
        'LogBackupCoveredByBase',
        `Ends at LSN ${formatLsn(log.lastLsn)}, at or before ${formatLsn(start)} where ${describe(this.#diff ?? base)} already brings the database: nothing to apply.`,
      );
    } else if (log.lastLsn <= end) {
      this.#reject(
        log,
        'LogBackupCoveredByChain',
        `Ends at LSN ${formatLsn(log.lastLsn)}, which the log backups before it already reach (${formatLsn(end)}).`,
      );
    } else if (log.firstLsn <= end) {
      this.#chain.push(log);
      this.#end = log.lastLsn;
      this.#drainWaiting();
    } else {
      this.#waiting.splice(insertionPoint(this.#waiting, log.firstLsn), 0, log);
    }
  }

  #drainWaiting(): void {
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0];
      const end = this.#end;
      if (!next || end === null || next.firstLsn > end) return;
      this.#waiting.shift();
      this.#placeLog(next);
    }
  }

  #reject(set: UsableSet, reason: IgnoreReason, message: string): void {
    this.#verdicts.set(set.guid, { set, reason, message });
  }
}

function waitingForFull(set: UsableSet): Verdict {
  return {
    set,
    reason: 'WaitingForFullBackup',
    message: `A ${set.type === 'Log' ? 'log' : 'differential'} backup, but no complete full backup of the database is here to restore it onto.`,
  };
}

function latest(sets: readonly UsableSet[]): UsableSet | null {
  let best: UsableSet | null = null;
  for (const set of sets) if (!best || set.lastLsn > best.lastLsn) best = set;
  return best;
}

function insertionPoint(sorted: readonly UsableSet[], firstLsn: Lsn): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid]?.firstLsn ?? 0n) <= firstLsn) low = mid + 1;
    else high = mid;
  }
  return low;
}

function describe(set: UsableSet): string {
  const kind =
    set.type === 'Full'
      ? 'full backup'
      : set.type === 'Differential'
        ? 'differential'
        : 'log backup';
  return `${kind} ${set.guid} (${set.files.map((f) => f.file).join(', ')})`;
}
