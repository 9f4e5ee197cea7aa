/**
 * The rehearsal target: Log Replay Service's rules applied to the uploaded blobs, with nothing
 * restored. It is the embedded mode's default target and the way to try a migration without Azure, so
 * it behaves as Log Replay Service does as far as the engine can see (start, `restoreDetails`,
 * complete, stop; the same statuses, counts and error names) and says it is a rehearsal in its
 * description and in every message.
 *
 * Driving it: `tick(now)` scans every running restore's folder and moves the simulated restores on to
 * `now` (tests call it with chosen times); `startPolling()` ticks every `pollIntervalMs` on a timer
 * (the service), `close()` stops it.
 *
 * State lives in memory. A completed rehearsal leaves a record of a "restored" database (so sqlmig's
 * "never overwrite" holds) until `stop` drops it. After a service restart, `resume(request,
 * lastRestoredFileName)` rebuilds a running restore from its folder: it re-reads the headers and takes
 * the chain up to that file as restored (see `resume-state.ts`); the engine calls it for every
 * migration whose restore had started, and calls `complete` again if a cutover was under way.
 * Completed records are not rebuilt: the engine's own records remember those migrations.
 */
import type { RestoreDetails, RestoreTarget, StartRestore } from '../restore-target.js';
import { RestoreTargetError } from '../target-error.js';

import { restoreDetails } from './details-report.js';
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
  /** Real-timer mode: ticks every `pollIntervalMs` until `close()`. */
  startPolling(): void;
  /** Stops the timer and waits for a tick under way; the target then refuses new restores. */
  close(): Promise<void>;
}

export function createRehearsalTarget(options: RehearsalOptions): RehearsalTarget {
  return new Rehearsal(compileRehearsalOptions(options));
}

class Rehearsal implements RehearsalTarget {
  readonly kind = 'Rehearsal' as const;
  readonly description: string;
  readonly #options: CompiledRehearsalOptions;
  /** Restores running, completed or failed, by database name (case-insensitive, as SQL Server). */
  readonly #jobs = new Map<string, RehearsalJob>();
  /** The last details of restores stopped since, reported with status `Stopped`. */
  readonly #stopped = new Map<string, RestoreDetails>();
  #ticks: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #polling = false;
  #closed = false;

  constructor(options: CompiledRehearsalOptions) {
    this.#options = options;
    this.description = `Rehearsal (no Azure): Log Replay Service's rules applied to the backups in ${options.store.description}; nothing is restored`;
  }

  databaseExists(databaseName: string): Promise<boolean> {
    return settle(() => this.#jobs.has(key(databaseName)));
  }

  start(request: StartRestore): Promise<void> {
    return settle(() => {
      this.#start(request);
    });
  }

  /** Rebuilds a restore after a service restart (see the file comment); no-op when it runs. */
  resume(request: StartRestore, lastRestoredFileName: string | null): Promise<void> {
    return this.#serial(() => this.#resume(request, lastRestoredFileName));
  }

  details(databaseName: string): Promise<RestoreDetails> {
    return settle(() => this.#details(databaseName));
  }

  /** Scans the folder first (the cutover file may have arrived since the last tick). */
  complete(databaseName: string, lastBackupName: string): Promise<void> {
    return this.#serial(async () => {
      this.#open();
      const job = this.#jobs.get(key(databaseName));
      if (job?.status === 'Restoring') await job.scan();
      cutOver(job, databaseName, lastBackupName);
    });
  }

  stop(databaseName: string): Promise<void> {
    return settle(() => {
      this.#stop(databaseName);
    });
  }

  #start(request: StartRestore): void {
    const checked = this.#check(request);
    const existing = this.#jobs.get(key(checked.databaseName));
    if (existing) throw existingDatabase(checked.databaseName, existing);
    this.#add(this.#newJob(checked));
  }

  async #resume(request: StartRestore, lastRestoredFileName: string | null): Promise<void> {
    const checked = this.#check(request);
    if (this.#jobs.has(key(checked.databaseName))) return;
    const job = this.#newJob(checked);
    await job.scan();
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
    this.#add(job);
  }

  #details(databaseName: string): RestoreDetails {
    const job = this.#jobs.get(key(databaseName));
    const details = job ? restoreDetails(job) : this.#stopped.get(key(databaseName));
    if (!details) {
      throw new RestoreTargetError(
        'RestoreDetailsNotAvailableOrExpired',
        `${prefix} no restore of database ${databaseName} is known (never started, or stopped before the service restarted).`,
      );
    }
    return details;
  }

  #stop(databaseName: string): void {
    const job = this.#jobs.get(key(databaseName));
    if (job) {
      const last = restoreDetails(job);
      this.#jobs.delete(key(databaseName));
      this.#stopped.set(key(databaseName), {
        ...last,
        status: 'Stopped',
        blockReason: null,
        currentRestoringFileName: null,
      });
    }
  }

  tick(now?: Date): Promise<void> {
    const at = (now ?? this.#options.clock.now()).getTime();
    return this.#serial(() => this.#tick(at));
  }

  startPolling(): void {
    this.#open();
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#polling) return; // the last tick is still scanning: let it finish
      this.#polling = true;
      void this.tick()
        .catch(this.#options.onError)
        .finally(() => {
          this.#polling = false;
        });
    }, this.#options.pollIntervalMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#ticks;
  }

  async #tick(nowMs: number): Promise<void> {
    for (const [name, job] of [...this.#jobs]) {
      if (job.status === 'Completed' || job.status === 'Failed') continue;
      await job.scan();
      if (this.#jobs.get(name) === job) job.advance(nowMs);
    }
  }

  /** Runs `fn` after the ticks and scans queued before it: one scan of a folder at a time. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#ticks.then(fn);
    this.#ticks = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #newJob(request: StartRestore): RehearsalJob {
    return new RehearsalJob(
      this.#options.store,
      { ...request, lastBackupName: request.lastBackupName ?? null },
      this.#options,
      this.#options.clock.now().getTime(),
    );
  }

  #add(job: RehearsalJob): void {
    this.#jobs.set(key(job.databaseName), job);
    this.#stopped.delete(key(job.databaseName));
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

/** Runs `fn` now; its result or exception as a settled promise (the port is asynchronous). */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}

function key(databaseName: string): string {
  return databaseName.trim().toLowerCase();
}
