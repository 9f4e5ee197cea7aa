/**
 * The parts of a `RestoreDetails` report (Log Replay Service's `restoreDetails` shape) that every
 * target building its own report shares: each file of the folder counted once, in the first category
 * it is put in (detected = queued + skipped + restoring + restored + unrestorable, as in Log Replay
 * Service's example response); the last file uploaded; `percentCompleted` as restored bytes / plan
 * bytes (its example: 25 / 47 MB → 53); and the report itself, backup sets split by type.
 */
import type { RestoreDetails, RestoredBackupSet } from './restore-target.js';
import type { FileCategory } from './rehearsal/lrs-rules.js';

export class FileTally {
  readonly #files = new Map<string, { category: FileCategory; reason: string | null }>();

  /** Counts `name` in `category`, unless it was counted already. */
  put(name: string, category: FileCategory, reason: string | null = null): void {
    if (!this.#files.has(name)) this.#files.set(name, { category, reason });
  }

  counts(): Record<FileCategory, number> {
    const counts: Record<FileCategory, number> = {
      Queued: 0,
      Skipped: 0,
      Restoring: 0,
      Restored: 0,
      Unrestorable: 0,
    };
    for (const f of this.#files.values()) counts[f.category] += 1;
    return counts;
  }

  /** The unrestorable files by blob name, with their reasons, sorted. */
  unrestorable(blobName: (name: string) => string): RestoreDetails['unrestorableFiles'] {
    return [...this.#files.entries()]
      .filter(([, f]) => f.category === 'Unrestorable')
      .map(([name, f]) => ({ name: blobName(name), reason: f.reason }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}

/** The backup the store received last (by its time, then its name). */
export function lastUploaded<T extends { name: string; blob: { lastModified: Date } }>(
  backups: readonly T[],
): T | undefined {
  return [...backups]
    .sort(
      (a, b) =>
        a.blob.lastModified.getTime() - b.blob.lastModified.getTime() || (a.name < b.name ? -1 : 1),
    )
    .at(-1);
}

export interface ReportParts {
  readonly status: RestoreDetails['status'];
  readonly blockReason: string | null;
  /** Blob names, or null. */
  readonly current: string | null;
  readonly lastRestored: string | null;
  readonly lastUploaded: string | null;
  readonly detected: number;
  readonly tally: FileTally;
  readonly blobName: (name: string) => string;
  readonly restoredBytes: number;
  readonly planBytes: number;
  /** The sets in LSN order, each with its type. */
  readonly sets: readonly {
    readonly type: 'Full' | 'Differential' | 'Log';
    readonly set: RestoredBackupSet;
  }[];
}

export function lrsReport(parts: ReportParts): RestoreDetails {
  const counts = parts.tally.counts();
  const ofType = (type: 'Full' | 'Differential' | 'Log') =>
    parts.sets.filter((s) => s.type === type).map((s) => s.set);
  return {
    status: parts.status,
    blockReason: parts.blockReason,
    currentRestoringFileName: parts.current,
    lastRestoredFileName: parts.lastRestored,
    lastUploadedFileName: parts.lastUploaded,
    numberOfFilesDetected: parts.detected,
    numberOfFilesQueued: counts.Queued,
    numberOfFilesSkipped: counts.Skipped,
    numberOfFilesRestoring: counts.Restoring,
    numberOfFilesRestored: counts.Restored,
    numberOfFilesUnrestorable: counts.Unrestorable,
    percentCompleted:
      parts.status === 'Completed'
        ? 100
        : parts.planBytes === 0
          ? 0
          : Math.floor((parts.restoredBytes * 100) / parts.planBytes),
    fullBackupSets: ofType('Full'),
    diffBackupSets: ofType('Differential'),
    logBackupSets: ofType('Log'),
    unrestorableFiles: parts.tally.unrestorable(parts.blobName),
  };
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
