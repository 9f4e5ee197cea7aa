/**
 * The restore chain as the picture draws it: every backup set of a migration in LSN order, which
 * ones the restore uses and which are ignored (with the reasons), and where the log chain has a gap
 * (a set begins after the last LSN the chain before it reaches). LSNs are decimal strings of up to
 * 25 digits, compared as BigInts.
 */
import type { BackupSetInfo, MigrationStatusDetails } from '../../api-contract/index.js';

export interface ChainItem {
  readonly set: BackupSetInfo;
  /** Why the restore leaves the set out (its reasons, or its files' ignore reasons); empty when used. */
  readonly ignoredBecause: readonly string[];
  /** A gap before this set: the chain reaches `from`, this set begins at `to`. */
  readonly gapBefore: { readonly from: string; readonly to: string } | null;
}

const typeRank: Readonly<Record<string, number>> = { Full: 0, Differential: 1, Log: 2 };

function lsn(value: string | null): bigint | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  return BigInt(value);
}

/** Every set once (by id), the full's first. */
function allSets(details: MigrationStatusDetails): BackupSetInfo[] {
  const seen = new Map<string, BackupSetInfo>();
  for (const set of [
    ...(details.fullBackupSetInfo ? [details.fullBackupSetInfo] : []),
    ...details.activeBackupSets,
  ]) {
    if (!seen.has(set.backupSetId)) seen.set(set.backupSetId, set);
  }
  return [...seen.values()];
}

function reasonsOf(set: BackupSetInfo): string[] {
  const reasons = new Set(set.ignoreReasons);
  if (
    set.listOfBackupFiles.length > 0 &&
    set.listOfBackupFiles.every((f) => f.status === 'Ignored')
  )
    for (const file of set.listOfBackupFiles) if (file.ignoreReason) reasons.add(file.ignoreReason);
  return [...reasons];
}

function compare(a: BackupSetInfo, b: BackupSetInfo): number {
  const first = (lsn(a.firstLSN) ?? -1n) - (lsn(b.firstLSN) ?? -1n);
  if (first !== 0n) return first < 0n ? -1 : 1;
  const rank = (typeRank[a.backupType ?? ''] ?? 3) - (typeRank[b.backupType ?? ''] ?? 3);
  if (rank !== 0) return rank;
  const last = (lsn(a.lastLSN) ?? -1n) - (lsn(b.lastLSN) ?? -1n);
  return last === 0n ? 0 : last < 0n ? -1 : 1;
}

export function chainLayout(details: MigrationStatusDetails): ChainItem[] {
  const sets = allSets(details).sort(compare);
  let reach: bigint | null = null;
  let reachText: string | null = null;
  return sets.map((set) => {
    const ignoredBecause = reasonsOf(set);
    let gapBefore: ChainItem['gapBefore'] = null;
    const first = lsn(set.firstLSN);
    const last = lsn(set.lastLSN);
    if (ignoredBecause.length === 0 && first !== null && last !== null) {
      if (set.backupType === 'Log' && reach !== null && reachText !== null && first > reach)
        gapBefore = { from: reachText, to: set.firstLSN ?? '' };
      if (set.backupType === 'Full' || reach === null || last > reach) {
        reach = last;
        reachText = set.lastLSN;
      }
    }
    return { set, ignoredBecause, gapBefore };
  });
}
