/**
 * The rehearsal target: Log Replay Service's rules applied to the uploaded blobs, with nothing
 * restored. It is the embedded mode's default target and the way to try a migration without Azure, so
 * it behaves as Log Replay Service does as far as the engine can see (start, `restoreDetails`,
 * complete, stop; the same statuses, counts and error names) and says it is a rehearsal in its
 * description and in every message.
 *
 * Driving it. Simulated restores move only when a restore is advanced to a time (see
 * `rehearsal-job.ts`); what advances them:
 * - `tick(now)` scans every running restore's folder and advances it to `now` (tests call it with
 *   chosen times, and nothing else moves a restore while the clock is set by hand);
 * - `blobCommitted(blob)` has the restore whose folder holds the blob look at that blob at once
 *   (its properties, and its headers if it is new: one look, where listing a folder of a hundred
 *   files costs a hundred; the first scan of a folder lists it whole) and advances the restore to
 *   the clock's now;
 * - a set restoring wakes its restore when it finishes (an unref'd timer), so a 100 KiB log is
 *   reported restored a millisecond after it started, not at the next poll;
 * - `startPolling()` (the service) adds a safety net for what nobody notifies (blobs written or
 *   deleted by another process): every `pollIntervalMs`, the folders not listed in the last half
 *   interval are listed, two at a time; and a restore started from then on lists its folder at
 *   once (the engine starts one when its first backups are uploaded already). `close()` stops all.
 * Work on one restore is serialized (its lane); restores scan side by side, listings a few at a time.
 * `onProgress` listeners hear, on a later turn of the event loop, which databases' details changed.
 *
 * State lives in memory. A completed rehearsal leaves a record of a "restored" database (so sqlmig's
 * "never overwrite" holds) until `stop` drops it; with `databasesFile` that record outlives a restart
 * (`online-databases.ts`). After a service restart, `resume(request,
 * lastRestoredFileName)` rebuilds a running restore from its folder: it re-reads the headers and takes
 * the chain up to that file as restored (see `resume-state.ts`); the engine calls it for every
 * migration whose restore had started, and calls `complete` again if a cutover was under way.
 * Completed restores are not rebuilt: only their database's name is kept (above).
 */
import pLimit from 'p-limit';

import type { RestoreDetails, RestoreTarget, StartRestore } from '../restore-target.js';
import { RestoreTargetError } from '../target-error.js';

import { restoreDetails } from './details-report.js';
import { JobLane } from './job-lane.js';
import { OnlineDatabases } from './online-databases.js';
import { ProgressNotifier } from './progress-notifier.js';
import { checkedRequest, cutOver, existingDatabase, prefix } from './refusals.js';
import { RehearsalJob } from './rehearsal-job.js';
import {
  compileRehearsalOptions,
  type CompiledRehearsalOptions,
  type RehearsalOptions,
} from './rehearsal-options.js';
import { rebuildRestored } from './resume-state.js';

export interface RehearsalTarget extends RestoreTarget {
  readonly kind: 'Rehearsal';
  /** Scans the folders of running restores and moves them on to `now` (default: the clock). */
  tick(now?: Date): Promise<void>;
  /**
   * Returns at once; the running restores whose folder holds the blob (`<folder>/…`, compared
   * exactly as the folder was given to `start`) look at it soon after (listing the folder whole if
   * it never was, or its last scan failed) and move on to the clock's now. Notices that arrive
   * before that scan starts are served by it (each blob named looked at once); one arriving during
   * it, by one more after it. No running restore's folder: nothing happens.
   */
  blobCommitted(blobName: string): void;
  /**
   * `listener(databaseName)`, the name as given to `start`, on a later turn of the event loop
   * (`setImmediate`), once per database for all the changes of a turn: after a restore is started,
   * resumed or stopped, and after any scan, cutover or wake-up that changed what `details` reports.
   * A throwing listener is reported to `onError`.
   */
  onProgress(listener: (databaseName: string) => void): () => void;
  /** The same object as long as nothing in it changed (built once per change of the restore). */
  details(databaseName: string): Promise<RestoreDetails>;
  /** Real-timer mode: the safety-net poll every `pollIntervalMs`; starts list their folder at once. */
  startPolling(): void;
  /** Stops timers and the poll, waits for scans under way; the target then refuses new restores. */
  close(): Promise<void>;
}

export function createRehearsalTarget(options: RehearsalOptions): RehearsalTarget {
  return new Rehearsal(compileRehearsalOptions(options));
}

/**
 * At most this many folders are listed and read whole at once: enough that a slow folder does not
 * hold up the others, few enough not to flood the blob store (and the thread pool behind a local
 * folder). A notice's scan of the blobs it names takes no slot.
 */
const scanConcurrency = 8;
/** Listings of the poll's round going on at once (each also takes one of the slots above). */
const pollListings = 2;

/** When a wake-up was set: the target's clock, the real time (`performance.now()`), the delay. */
interface WakeArmed {
  readonly clockMs: number;
  readonly realMs: number;
  readonly delayMs: number;
}

/** A restore the target knows, with the work queued for it and what was last built from it. */
interface Held {
  readonly job: RehearsalJob;
  readonly lane: JobLane;
  /** The job's revision last told to `onProgress` listeners. */
  reported: number;
  /** `restoreDetails` of the job at a revision: nothing in it depends on the time it is asked. */
  details: { readonly revision: number; readonly value: RestoreDetails } | null;
}

class Rehearsal implements RehearsalTarget {
  readonly kind = 'Rehearsal' as const;
  readonly description: string;
  readonly #options: CompiledRehearsalOptions;
  /** Restores running, completed or failed, by database name (case-insensitive, as SQL Server). */
  readonly #jobs = new Map<string, Held>();
  /** The last details of restores stopped since, reported with status `Stopped`. */
  readonly #stopped = new Map<string, RestoreDetails>();
  /** `resume`s under way, by database name: a second one waits for the first. */
  readonly #resuming = new Map<string, Promise<void>>();
  /** Work started and not settled yet (scans, cutovers, resumes): what `close` waits for. */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Scans take turns, first come first served, a few at a time. */
  readonly #slots = pLimit(scanConcurrency);
  readonly #progress: ProgressNotifier;
  /** Databases completed restores left online, remembered after their jobs are gone. */
  readonly #online: OnlineDatabases;
  #poll: NodeJS.Timeout | null = null;
  /** `startPolling` was called: the clock is real, so a start may scan and advance at once. */
  #live = false;
  /** A poll's round of listings is going on. */
  #polling = false;
  #closed = false;

  constructor(options: CompiledRehearsalOptions) {
    this.#options = options;
    this.#progress = new ProgressNotifier(options.onError);
    this.#online = new OnlineDatabases(options.databasesFile, options.onError);
    this.description = `Rehearsal (no Azure): Log Replay Service's rules applied to the backups in ${options.store.description}; nothing is restored`;
  }

  databaseExists(databaseName: string): Promise<boolean> {
    return settle(() => this.#jobs.has(key(databaseName)) || this.#online.has(databaseName));
  }

  start(request: StartRestore): Promise<void> {
    return settle(() => {
      this.#start(request);
    });
  }

  /** Rebuilds a restore after a service restart (see the file comment); no-op when it runs. */
  async resume(request: StartRestore, lastRestoredFileName: string | null): Promise<void> {
    const checked = this.#check(request);
    const name = key(checked.databaseName);
    for (let earlier = this.#resuming.get(name); earlier; earlier = this.#resuming.get(name))
      await earlier.catch(() => undefined);
    if (this.#jobs.has(name)) return;
    const rebuilding = this.#track(this.#rebuild(checked, lastRestoredFileName));
    this.#resuming.set(name, rebuilding);
    try {
      await rebuilding;
    } finally {
      this.#resuming.delete(name);
    }
  }

  details(databaseName: string): Promise<RestoreDetails> {
    return settle(() => this.#details(databaseName));
  }

  /** Lists the folder first (the cutover file may have arrived since the last scan). */
  async complete(databaseName: string, lastBackupName: string): Promise<void> {
    this.#open();
    const held = this.#jobs.get(key(databaseName));
    if (!held) {
      cutOver(undefined, databaseName, lastBackupName);
      return;
    }
    await this.#track(
      held.lane.run(async () => {
        this.#open();
        if (this.#jobs.get(key(databaseName)) !== held) {
          // Stopped (or stopped and started again) while this waited for the lane.
          return this.complete(databaseName, lastBackupName);
        }
        try {
          if (held.job.status === 'Restoring') await this.#scan(held, null);
          cutOver(held.job, databaseName, lastBackupName);
          // Already restored up to the cutover file: only the status moves, whatever the time.
          if (held.job.reachedStop) held.job.advance(this.#nowMs());
        } finally {
          this.#settled(held);
        }
      }),
    );
  }

  stop(databaseName: string): Promise<void> {
    return settle(() => {
      this.#stop(databaseName);
    });
  }

  blobCommitted(blobName: string): void {
    if (this.#closed) return;
    for (const held of this.#jobs.values())
      if (running(held.job) && held.job.catalog.holds(blobName))
        void this.#requestScan(held, blobName);
  }

  onProgress(listener: (databaseName: string) => void): () => void {
    return this.#progress.subscribe(listener);
  }

  tick(now?: Date): Promise<void> {
    const at = (now ?? this.#options.clock.now()).getTime();
    const scans = [...this.#jobs.values()]
      .filter((held) => running(held.job))
      .map((held) => this.#track(held.lane.run(() => this.#scanAndAdvance(held, null, at))));
    return Promise.all(scans).then(() => undefined);
  }

  startPolling(): void {
    this.#open();
    this.#live = true;
    if (this.#poll) return;
    this.#poll = setInterval(() => {
      this.#pollFolders();
    }, this.#options.pollIntervalMs);
    this.#poll.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    for (const held of this.#jobs.values()) held.lane.cancelWake();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    await this.#online.saved();
  }

  #start(request: StartRestore): void {
    const checked = this.#check(request);
    const existing = this.#jobs.get(key(checked.databaseName));
    if (existing) throw existingDatabase(checked.databaseName, existing.job);
    if (this.#online.has(checked.databaseName))
      throw existingDatabase(checked.databaseName, 'Completed');
    this.#add(this.#newJob(checked));
  }

  async #rebuild(checked: StartRestore, lastRestoredFileName: string | null): Promise<void> {
    const job = this.#newJob(checked);
    await this.#slots(() => job.scan());
    if (job.storageFailure) {
      throw new RestoreTargetError(
        'BlobStorageFailure',
        `${prefix} cannot take up the restore of ${checked.databaseName}: ${job.storageFailure.message}`,
      );
    }
    if (lastRestoredFileName !== null) {
      const rebuilt = rebuildRestored(job.catalog, job.catalog.nameWithin(lastRestoredFileName));
      if ('problem' in rebuilt) {
        throw new RestoreTargetError(
          'ResumeStateMismatch',
          `${prefix} cannot take up the restore of ${checked.databaseName} at ${lastRestoredFileName}: ${rebuilt.problem}`,
        );
      }
      job.markRestored(rebuilt.database, rebuilt.steps);
    }
    // A start of the same database while this read the folder: that restore runs, this one is moot.
    if (!this.#jobs.has(key(checked.databaseName))) this.#add(job);
  }

  #details(databaseName: string): RestoreDetails {
    const held = this.#jobs.get(key(databaseName));
    const details = held ? this.#detailsOf(held) : this.#stopped.get(key(databaseName));
    if (!details) {
      throw new RestoreTargetError(
        'RestoreDetailsNotAvailableOrExpired',
        `${prefix} no restore of database ${databaseName} is known (never started, or stopped before the service restarted).`,
      );
    }
    return details;
  }

  /** Built once per revision: the engine asks for every database each time it wakes. */
  #detailsOf(held: Held): RestoreDetails {
    const revision = held.job.revision;
    if (held.details?.revision !== revision)
      held.details = { revision, value: restoreDetails(held.job) };
    return held.details.value;
  }

  #stop(databaseName: string): void {
    this.#online.remove(databaseName);
    const held = this.#jobs.get(key(databaseName));
    if (held) {
      const last = this.#detailsOf(held);
      this.#jobs.delete(key(databaseName));
      held.lane.cancelWake();
      this.#stopped.set(key(databaseName), {
        ...last,
        status: 'Stopped',
        blockReason: null,
        currentRestoringFileName: null,
      });
      this.#progress.changed(held.job.databaseName);
    }
  }

  /**
   * A notice (`blobName`) or a listing asked for (null): joins the scan of this restore waiting to
   * start, or queues one. Returns the scan queued (null when joined), which never rejects.
   */
  #requestScan(held: Held, blobName: string | null): Promise<void> | null {
    const scan = held.lane.requestScan(blobName, async (blobNames) => {
      if (this.#closed || !this.#holds(held) || !running(held.job)) return;
      await this.#scanAndAdvance(held, blobNames, null);
    });
    return scan && this.#track(scan).catch(this.#options.onError);
  }

  /**
   * Lane work: scans the folder (the blobs named, or all of it), then moves the restore on to `atMs`
   * (null: the clock after the scan).
   */
  async #scanAndAdvance(
    held: Held,
    blobNames: readonly string[] | null,
    atMs: number | null,
  ): Promise<void> {
    try {
      await this.#scan(held, blobNames);
      // Stopped while the folder was scanned: the restore is gone, nothing to move on or tell.
      if (!this.#holds(held)) return;
      held.job.advance(atMs ?? this.#nowMs());
    } finally {
      this.#settled(held);
    }
  }

  /**
   * Lane work: one scan. A listing of the whole folder takes a slot, and is dated for the poll; a
   * notice's scan reads the blobs it names at once (a look each, and one scan per restore at most):
   * queued behind listings, the 200 commits of a burst waited for 8 slots.
   */
  #scan(held: Held, blobNames: readonly string[] | null): Promise<void> {
    if (blobNames !== null && !held.job.listingDue) return held.job.scan(blobNames);
    held.lane.lastListingMs = performance.now();
    return this.#slots(() => held.job.scan(blobNames));
  }

  /**
   * Lane work at a set's finishing time (`armed`: the clock and the real time when the wake-up was
   * set). The clock is read again rather than trusted:
   * - a timer may fire early by the target's clock (Node dates it from the event loop's cached
   *   time), so a set not finished yet is waited for again;
   * - a clock that stood still while the whole delay passed is set by hand (tests): a wake-up must
   *   not move such a restore behind their back, nor spin; their `tick` moves it.
   */
  #wake(held: Held, armed: WakeArmed): void {
    const woken = held.lane.run(() => {
      if (this.#closed || !this.#holds(held)) return;
      const finishesAt = held.job.currentFinishesAt;
      const nowMs = this.#nowMs();
      if (finishesAt !== null && finishesAt > nowMs) {
        const standingStill =
          nowMs === armed.clockMs && performance.now() - armed.realMs >= armed.delayMs;
        if (standingStill) return;
      } else if (finishesAt !== null) {
        held.job.advance(nowMs);
      }
      this.#settled(held);
    });
    void this.#track(woken).catch(this.#options.onError);
  }

  /** After lane work: tells listeners if the details changed, and sets the wake-up for the next set. */
  #settled(held: Held): void {
    if (!this.#holds(held)) return;
    if (held.job.status === 'Completed')
      this.#online.add(held.job.databaseName, this.#options.clock.now());
    if (held.reported !== held.job.revision) {
      held.reported = held.job.revision;
      this.#progress.changed(held.job.databaseName);
    }
    const finishesAt = held.job.currentFinishesAt;
    if (finishesAt === null || this.#closed) {
      held.lane.cancelWake();
      return;
    }
    const clockMs = this.#nowMs();
    const armed = {
      clockMs,
      realMs: performance.now(),
      delayMs: Math.max(0, finishesAt - clockMs),
    };
    held.lane.wakeAt(finishesAt, armed.delayMs, () => {
      this.#wake(held, armed);
    });
  }

  /**
   * The safety net, for what notices do not tell (blobs written or deleted by another process): lists
   * the folders not listed in the last half interval (so each at about every poll, whatever the
   * timers' jitter), `pollListings` at a time, so that notices' scans never queue behind a whole
   * round of listings. A round still going when the next poll comes: that poll is skipped.
   */
  #pollFolders(): void {
    if (this.#closed || this.#polling) return;
    const staleBefore = performance.now() - this.#options.pollIntervalMs / 2;
    const stale = [...this.#jobs.values()].filter(
      (held) => running(held.job) && held.lane.lastListingMs <= staleBefore,
    );
    const lister = async (): Promise<void> => {
      for (let held = stale.shift(); held && !this.#closed; held = stale.shift())
        await this.#requestScan(held, null);
    };
    this.#polling = true;
    void Promise.all(Array.from({ length: pollListings }, lister)).finally(() => {
      this.#polling = false;
    });
  }

  #newJob(request: StartRestore): RehearsalJob {
    return new RehearsalJob(
      { store: this.#options.store, reader: this.#options.reader },
      { ...request, lastBackupName: request.lastBackupName ?? null },
      this.#options,
      this.#nowMs(),
    );
  }

  #add(job: RehearsalJob): void {
    const held: Held = { job, lane: new JobLane(), reported: job.revision, details: null };
    this.#jobs.set(key(job.databaseName), held);
    this.#stopped.delete(key(job.databaseName));
    this.#progress.changed(job.databaseName);
    if (this.#live) void this.#requestScan(held, null);
  }

  /** Whether `held` is still the restore of its database (not stopped, not replaced). */
  #holds(held: Held): boolean {
    return this.#jobs.get(key(held.job.databaseName)) === held;
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const forget = (): void => {
      this.#inFlight.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  #nowMs(): number {
    return this.#options.clock.now().getTime();
  }

  #check(request: StartRestore): StartRestore {
    this.#open();
    return checkedRequest(request);
  }

  #open(): void {
    if (this.#closed) {
      throw new RestoreTargetError('TargetClosed', `${prefix} the target was closed.`);
    }
  }
}

function running(job: RehearsalJob): boolean {
  return job.status === 'Restoring' || job.status === 'Completing';
}

/** Runs `fn` now; its result or exception as a settled promise (the port is asynchronous). */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}

function key(databaseName: string): string {
  return databaseName.trim().toLowerCase();
}
