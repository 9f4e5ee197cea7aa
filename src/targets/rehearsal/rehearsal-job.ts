/**
 * One rehearsal restore: the folder it watches, the planner fed from it, and the sets "restored" so
 * far at a simulated rate. Nothing here touches a database. Time only moves when `advance(now)` is
 * called: a set takes `max(minSetDurationMs, size / restoreBytesPerSecond)` and the next one starts
 * when it ends (or when it was first seen, if later), so results depend on the times given, not on
 * how often the caller looks.
 *
 * `revision` moves whenever what `restoreDetails` reports may have changed (the catalog, the sets
 * restored or restoring, the status, a failure, the cutover point), so callers can cache what they
 * build from a job and know when to tell others about it.
 */
import { RestorePlanner, type RestoreStep } from '../../planning/index.js';
import type { BlobStore } from '../../storage/index.js';

import { FolderCatalog, type CatalogChanges } from './folder-catalog.js';
import type { Report } from './lrs-rules.js';
import type { BlobReader } from './rehearsal-options.js';
import { analyzeQueue, holds, type Analysis } from './restore-queue.js';

export interface RestoreRate {
  readonly restoreBytesPerSecond: number;
  readonly minSetDurationMs: number;
}

/** A set restored or restoring: times are null for sets taken as restored by `resume`. */
export interface SetRecord {
  readonly step: RestoreStep;
  readonly sizeBytes: number;
  readonly startedMs: number | null;
  readonly finishedMs: number | null;
}

export type JobStatus = 'Restoring' | 'Completing' | 'Completed' | 'Failed';

export class RehearsalJob {
  readonly databaseName: string;
  readonly catalog: FolderCatalog;
  readonly planner = new RestorePlanner({ allowAppendedSets: false });
  /** Autocomplete (offline) mode: the last backup, as a name within the folder. */
  readonly autocompleteAt: string | null;
  readonly #rate: RestoreRate;
  #status: JobStatus = 'Restoring';
  #cutoverAt: string | null = null;
  #pinnedDatabase: string | null = null;
  readonly #restored: SetRecord[] = [];
  #current: (SetRecord & { readonly finishedAt: number }) | null = null;
  #lastFinishMs: number;
  readonly #firstSeenMs = new Map<string, number>();
  #failure: Report | null = null;
  #storageFailure: Report | null = null;
  #revision = 0;
  /** The folder was never listed, or the last scan failed: the next scan lists it whole. */
  #listingDue = true;
  /** `analysis()` until something it depends on changes (`#changed`): advance asks several times. */
  #analysis: Analysis | null = null;
  /** The latest time advanced to: time never goes back for a job, whoever drives it. */
  #advancedMs: number;

  constructor(
    blobs: {
      readonly store: BlobStore;
      readonly reader: BlobReader | null;
    },
    request: { databaseName: string; folder: string; lastBackupName: string | null },
    rate: RestoreRate,
    startedMs: number,
  ) {
    this.databaseName = request.databaseName;
    this.catalog = new FolderCatalog(blobs.store, request.folder, blobs.reader);
    this.autocompleteAt =
      request.lastBackupName === null ? null : this.catalog.nameWithin(request.lastBackupName);
    this.#rate = rate;
    this.#lastFinishMs = startedMs;
    this.#advancedMs = startedMs;
  }

  /** Whether the next scan lists the whole folder whatever names it is given. */
  get listingDue(): boolean {
    return this.#listingDue;
  }
  get revision(): number {
    return this.#revision;
  }
  /** When the set restoring finishes (simulated time), or null when none is restoring. */
  get currentFinishesAt(): number | null {
    return this.#current?.finishedAt ?? null;
  }
  /** The restore reached its cutover or autocomplete file: the next `advance` completes it. */
  get reachedStop(): boolean {
    const last = this.#restored.at(-1);
    return this.stopAt !== null && last !== undefined && holds(last.step, this.stopAt);
  }

  get status(): JobStatus {
    return this.#status;
  }
  get restored(): readonly SetRecord[] {
    return this.#restored;
  }
  get current(): SetRecord | null {
    return this.#current;
  }
  get failure(): Report | null {
    return this.#failure;
  }
  get storageFailure(): Report | null {
    return this.#storageFailure;
  }
  get stopAt(): string | null {
    return this.#cutoverAt ?? this.autocompleteAt;
  }

  analysis(): Analysis {
    this.#analysis ??= analyzeQueue({
      planner: this.planner,
      databases: this.catalog.databases(),
      pinnedDatabase: this.#pinnedDatabase,
      done: [...this.#restored, ...(this.#current ? [this.#current] : [])].map((r) => r.step),
      stopAt: this.stopAt,
      autocomplete: this.#cutoverAt === null && this.autocompleteAt !== null,
    });
    return this.#analysis;
  }

  /**
   * Feeds what changed in the folder to the planner: the named blobs only (blob names, from notices)
   * when given and the folder was listed before, else the whole folder listed. A storage failure is
   * reported (`storageFailure`), not thrown; the next scan then lists the whole folder.
   */
  async scan(blobNames: readonly string[] | null = null): Promise<void> {
    const version = this.catalog.version;
    const listing = blobNames === null || this.#listingDue;
    let changes: CatalogChanges;
    try {
      changes = listing ? await this.catalog.refresh() : await this.catalog.refreshNames(blobNames);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#listingDue = true;
      this.#setStorageFailure({
        code: 'BlobStorageFailure',
        message: `${listing ? 'Listing the folder' : 'Reading the properties of a blob'} failed (${reason}); the next scan tries again.`,
      });
      return;
    }
    // (A scan of names only comes after a listing that succeeded: no failure is left to clear.)
    this.#listingDue = false;
    this.#setStorageFailure(null);
    for (const name of changes.removed) this.planner.removeFile(name);
    for (const entry of changes.read) if (entry.file) this.planner.addFile(entry.file);
    if (this.catalog.version !== version) this.#changed();
  }

  /** Moves the simulated restore on to `nowMs`: finishes sets, starts the next, completes. */
  advance(atMs: number): void {
    if (this.#status === 'Completed' || this.#status === 'Failed') return;
    const nowMs = Math.max(atMs, this.#advancedMs);
    this.#advancedMs = nowMs;
    let analysis = this.analysis();
    // A set can start from the first scan that found it startable (present, and nothing blocking).
    if (!analysis.block?.startsNothing) {
      for (const step of analysis.queue)
        if (!this.#firstSeenMs.has(step.backupSetGUID))
          this.#firstSeenMs.set(step.backupSetGUID, nowMs);
    }
    for (;;) {
      const current = this.#current;
      if (current) {
        if (current.finishedAt > nowMs) return;
        this.#restored.push({ ...current, finishedMs: current.finishedAt });
        this.#lastFinishMs = current.finishedAt;
        this.#current = null;
        this.#changed();
        analysis = this.analysis();
        continue;
      }
      if (this.reachedStop) {
        this.#status = 'Completed';
        this.#changed();
        return;
      }
      if (analysis.failure) {
        this.#status = 'Failed';
        this.#failure = analysis.failure;
        this.#changed();
        return;
      }
      const next = analysis.queue[0];
      if (!next || analysis.block?.startsNothing) return;
      if (this.#pinnedDatabase === null && analysis.database !== null) {
        this.#pinnedDatabase = analysis.database;
        this.planner.pinBase(analysis.database, next.backupSetGUID);
      }
      const startedMs = Math.max(
        this.#lastFinishMs,
        this.#firstSeenMs.get(next.backupSetGUID) ?? nowMs,
      );
      const sizeBytes = this.sizeOf(next);
      const durationMs = Math.max(
        this.#rate.minSetDurationMs,
        Math.ceil((sizeBytes * 1000) / this.#rate.restoreBytesPerSecond),
      );
      this.#current = {
        step: next,
        sizeBytes,
        startedMs,
        finishedMs: null,
        finishedAt: startedMs + durationMs,
      };
      this.#changed();
      analysis = this.analysis();
    }
  }

  /** Online cutover: refuses (returns why) unless the restore can reach `name`. */
  complete(name: string): 'NotStarted' | 'NotLastRestored' | 'NotInChain' | null {
    const target = this.catalog.nameWithin(name);
    const lastDone = this.#current ?? this.#restored.at(-1);
    if (!lastDone) return 'NotStarted';
    if (!holds(lastDone.step, target)) {
      if (this.#restored.some((r) => holds(r.step, target))) return 'NotLastRestored';
      if (!this.analysis().queue.some((step) => holds(step, target))) return 'NotInChain';
    }
    this.#cutoverAt = target;
    this.#status = 'Completing';
    this.#changed();
    return null;
  }

  /** `resume`: takes these steps as restored already, from this source database. */
  markRestored(database: string, steps: readonly RestoreStep[]): void {
    const base = steps[0];
    if (!base) return;
    this.#pinnedDatabase = database;
    this.planner.pinBase(database, base.backupSetGUID);
    for (const step of steps)
      this.#restored.push({
        step,
        sizeBytes: this.sizeOf(step),
        startedMs: null,
        finishedMs: null,
      });
    this.#changed();
  }

  sizeOf(step: RestoreStep): number {
    let bytes = 0;
    for (const ref of step.files) bytes += this.catalog.get(ref.file)?.blob.size ?? 0;
    return bytes;
  }

  /** Something the analysis or the details depend on changed. */
  #changed(): void {
    this.#analysis = null;
    this.#revision += 1;
  }

  #setStorageFailure(failure: Report | null): void {
    if (failure?.message === this.#storageFailure?.message) return;
    this.#storageFailure = failure;
    this.#revision += 1;
  }
}
