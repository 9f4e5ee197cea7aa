/**
 * One database being restored on SQL Server: the folder's catalog (blobs and their headers, read
 * through the blob store), the restore planner fed from it (the chain logic lives in `planning/`),
 * and the target's own bookkeeping of what it applied. `pass()` takes the next steps: the full (with
 * MOVE of every file), then each log in LSN order, then RECOVERY once the cutover's last backup is in.
 * Passes of one job never overlap (`advance` chains them).
 */
import type { DatabaseFile } from '../../backup/index.js';
import { RestorePlanner } from '../../planning/index.js';
import type { DatabasePlan, RestoreStep } from '../../planning/index.js';
import type { RestoreStatus } from '../restore-target.js';
import type { FolderCatalog } from '../rehearsal/folder-catalog.js';

export interface AppliedSet {
  readonly status: 'Restored' | 'Skipped';
  readonly step: RestoreStep;
  readonly startedMs: number | null;
  readonly finishedMs: number | null;
}

export class RestoreJob {
  readonly databaseName: string;
  readonly folder: string;
  readonly catalog: FolderCatalog;
  readonly planner = new RestorePlanner({ allowAppendedSets: true });
  status: RestoreStatus = 'Restoring';
  /** The full the restore started from (pinned in the planner), once it is restored. */
  baseGuid: string | null = null;
  /** Sets applied (restored, or found already in the database), by BackupSetGUID. */
  readonly applied = new Map<string, AppliedSet>();
  current: { readonly step: RestoreStep; readonly startedMs: number } | null = null;
  /** The database's redo point as last known (its `redo_start_lsn`, or the last set applied). */
  redoLsn: bigint | null = null;
  /** The file (within the folder) after whose set the database is recovered, once known. */
  stopAt: string | null = null;
  /** Whether `stopAt` came from `complete` (cutover) rather than from the start (offline). */
  cutoverSignalled = false;
  /** The full's file list, when start gave it or the server told it. */
  databaseFiles: readonly DatabaseFile[] | null;
  /** Why the restore waits (a log missing, SQL Server unreachable, …); null when nothing blocks. */
  block: string | null = null;
  /** A 4305 was answered at this catalog version: not tried again until the folder changes. */
  gapAtVersion: number | null = null;
  failure: string | null = null;
  /** The full's certificates (TDE, backup encryption) were found on the instance. */
  certificatesChecked = false;
  lastListedMs = -Infinity;
  running: Promise<void> | null = null;

  constructor(
    databaseName: string,
    folder: string,
    catalog: FolderCatalog,
    databaseFiles: readonly DatabaseFile[] | null,
  ) {
    this.databaseName = databaseName;
    this.folder = folder;
    this.catalog = catalog;
    this.databaseFiles = databaseFiles;
  }

  /** Lists the folder and feeds what changed to the planner. */
  async refresh(nowMs: number): Promise<void> {
    const changes = await this.catalog.refresh();
    this.lastListedMs = nowMs;
    for (const name of changes.removed) this.planner.removeFile(name);
    for (const entry of changes.read) if (entry.file) this.planner.addFile(entry.file);
  }

  /** The source database whose backups the folder holds (the engine uploads one per folder). */
  sourceDatabase(): string | null {
    const names = this.planner.databaseNames();
    return names.length === 1 ? (names[0] ?? null) : null;
  }

  plan(): DatabasePlan | null {
    const source = this.sourceDatabase();
    return source === null ? null : this.planner.plan(source);
  }

  /** The plan's steps after the base that are not applied yet, up to the stop file. */
  pending(plan: DatabasePlan): RestoreStep[] {
    const steps: RestoreStep[] = [];
    for (const step of plan.restorePlan) {
      if (step.backupSetGUID === this.baseGuid || this.applied.has(step.backupSetGUID)) {
        if (this.stopAt !== null && holds(step, this.stopAt)) return steps;
        continue;
      }
      steps.push(step);
      if (this.stopAt !== null && holds(step, this.stopAt)) return steps;
    }
    return steps;
  }

  /** Whether the stop file's set is applied (or is the base). */
  stopReached(): boolean {
    if (this.stopAt === null) return false;
    for (const set of this.applied.values()) if (holds(set.step, this.stopAt)) return true;
    return false;
  }

  markApplied(set: AppliedSet): void {
    this.applied.set(set.step.backupSetGUID, set);
    if (this.redoLsn === null || set.step.lastLSN > this.redoLsn) this.redoLsn = set.step.lastLSN;
  }

  /** Applied sets in LSN order. */
  appliedInOrder(): AppliedSet[] {
    return [...this.applied.values()].sort((a, b) =>
      a.step.lastLSN < b.step.lastLSN ? -1 : a.step.lastLSN > b.step.lastLSN ? 1 : 0,
    );
  }
}

export function holds(step: RestoreStep, name: string): boolean {
  return step.files.some((f) => f.file === name);
}
