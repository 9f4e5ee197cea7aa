/**
 * After a service restart, the rehearsal target has lost its memory; the engine still knows the last
 * file it saw restored. The restore that led there is rebuilt from the folder: the plan the folder
 * gave when that file was the newest, i.e. the plan of the sets ending at or before it, with the
 * latest full (then older ones) as the base, must end with that file's set. Sets that arrived later
 * (a new full, a later differential) do not disturb it.
 */
import type { RestoreStep } from '../../planning/index.js';
import { RestorePlanner } from '../../planning/index.js';

import type { FolderCatalog } from './folder-catalog.js';
import { holds } from './restore-queue.js';

export type RebuiltRestore =
  | { readonly database: string; readonly steps: readonly RestoreStep[] }
  | { readonly problem: string };

export function rebuildRestored(catalog: FolderCatalog, fileName: string): RebuiltRestore {
  const entry = catalog.get(fileName);
  const set = entry?.media?.sets.length === 1 ? entry.media.sets[0] : undefined;
  const database = set?.header.DatabaseName ?? null;
  const end = set?.header.LastLSN ?? null;
  if (!entry || !set || database === null || end === null) {
    return {
      problem: entry
        ? `${fileName} is in the folder but is not a readable backup holding one backup set.`
        : `${fileName} is not in the folder.`,
    };
  }
  const planner = new RestorePlanner({ allowAppendedSets: false });
  const fulls: { guid: string; lastLsn: bigint }[] = [];
  for (const other of catalog.entries()) {
    if (!other.file || !other.media) continue;
    const sets = other.media.sets;
    if (
      sets.some((s) => s.header.DatabaseName !== database || (s.header.LastLSN ?? end + 1n) > end)
    )
      continue;
    planner.addFile(other.file);
    for (const s of sets) {
      if (s.header.BackupType === 1 && s.header.BackupSetGUID && s.header.LastLSN !== null)
        fulls.push({ guid: s.header.BackupSetGUID, lastLsn: s.header.LastLSN });
    }
  }
  fulls.sort((a, b) => (a.lastLsn > b.lastLsn ? -1 : a.lastLsn < b.lastLsn ? 1 : 0));
  for (const full of fulls) {
    planner.pinBase(database, full.guid);
    const steps = planner.plan(database).restorePlan;
    const last = steps.at(-1);
    if (last && holds(last, fileName)) return { database, steps };
  }
  return {
    problem: `no restore chain of ${database} in the folder ends with ${fileName} (its full backup, differential or log backups before it are missing).`,
  };
}
