/**
 * The service's side of the work its integration runtime nodes do: jobs (list a folder, read a file's
 * headers, upload a file) wait in a queue per migration service until a node of that service leases
 * one. A lease lasts `leaseMs` and is renewed by each progress report; a lease not renewed in time (its
 * node died, or lost its network) expires and the job goes back to the front of the queue for another
 * node. A node whose lease expired or was taken from it is told so at its next call (`lost`) and must
 * drop the job: its late result is refused. Uploads are resumable with deterministic block ids, so a
 * job taken up by a second node continues from the blocks the first one staged.
 *
 * A job no node leases within `leaseWithinMs` fails with `RuntimeUnavailable`, saying which service
 * needs a node: the engine records that on the migration and asks again at its next tick. A job whose
 * caller gives up (its signal aborts) leaves the queue at once; a leased one is canceled at the node's
 * next report and ends when the node acknowledges, or when its lease expires, so nothing is still
 * writing once the caller's promise settles.
 *
 * The queue lives in memory: a restarted service has none, and its engine submits again what its
 * records say is unfinished; a node still working on a job of the previous process hears `lost`.
 */
import { randomUUID } from 'node:crypto';

import { RuntimeJobError } from './runtime-job-error.js';

export type JobKind = 'list' | 'headers' | 'upload' | 'testConnection';

/** What a node needs to do a job; `secrets` are sent to the node that leases it and nowhere else. */
export interface JobSpec {
  readonly kind: JobKind;
  /** For messages: which migration and file this is for (no secrets). */
  readonly description: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface LeasedJob {
  readonly leaseId: string;
  readonly kind: JobKind;
  readonly description: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The lease ends this many milliseconds after the last renewal. */
  readonly leaseMs: number;
  /** This job was leased before, by a node that lost it (an upload resumes from staged blocks). */
  readonly attempt: number;
}

export type RenewOutcome = 'ok' | 'lost' | 'canceled';

export interface WorkQueueOptions {
  /** How long a lease lasts without a renewal. Default 30 s. */
  readonly leaseMs?: number;
  /** How long a job may wait for a node before it fails with `RuntimeUnavailable`. Default 60 s. */
  readonly leaseWithinMs?: number;
}

export interface SubmitOptions {
  readonly signal?: AbortSignal;
  /** Called with each progress report of the node doing the job. */
  readonly onProgress?: (progress: Readonly<Record<string, unknown>>) => void;
}

interface Job {
  readonly id: string;
  readonly serviceName: string;
  readonly spec: JobSpec;
  readonly options: SubmitOptions;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly submittedAt: number;
  attempt: number;
  lease: { id: string; nodeName: string; expiresAt: number } | null;
  canceled: boolean;
  settled: boolean;
}

interface Waiter {
  readonly serviceName: string;
  readonly nodeName: string;
  readonly take: (job: Job | null) => void;
}

export class WorkQueue {
  readonly leaseMs: number;
  readonly #leaseWithinMs: number;
  /** Jobs waiting for a node, per service, oldest first. */
  readonly #queued = new Map<string, Job[]>();
  /** Leased jobs by lease id. */
  readonly #leased = new Map<string, Job>();
  readonly #waiters: Waiter[] = [];
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(options: WorkQueueOptions = {}) {
    this.leaseMs = positive('leaseMs', options.leaseMs ?? 30_000);
    this.#leaseWithinMs = positive('leaseWithinMs', options.leaseWithinMs ?? 60_000);
    const every = Math.max(50, Math.min(this.leaseMs, this.#leaseWithinMs) / 4);
    this.#timer = setInterval(() => {
      this.expire();
    }, every);
    this.#timer.unref();
  }

  /** Queues a job for a node of `serviceName`; settles with the node's result or error. */
  submit(serviceName: string, spec: JobSpec, options: SubmitOptions = {}): Promise<unknown> {
    if (this.#closed)
      return Promise.reject(new RuntimeJobError('ServiceStopping', 'The service is stopping.'));
    if (options.signal?.aborted) return Promise.reject(asError(options.signal.reason));
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: randomUUID(),
        serviceName,
        spec,
        options,
        resolve,
        reject,
        submittedAt: Date.now(),
        attempt: 0,
        lease: null,
        canceled: false,
        settled: false,
      };
      options.signal?.addEventListener(
        'abort',
        () => {
          this.#cancel(job);
        },
        { once: true },
      );
      this.#offer(job, false);
    });
  }

  /**
   * The next job for a node of `serviceName`, waiting up to `waitMs` for one (a long poll); `null`
   * when none came. `signal` ends the wait early (the node's request went away).
   */
  lease(
    serviceName: string,
    nodeName: string,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<LeasedJob | null> {
    const job = this.#queued.get(serviceName)?.shift();
    if (job) return Promise.resolve(this.#grant(job, nodeName));
    if (waitMs <= 0 || this.#closed || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const waiter: Waiter = {
        serviceName,
        nodeName,
        take: (taken) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', leave);
          resolve(taken ? this.#grant(taken, nodeName) : null);
        },
      };
      const leave = () => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        waiter.take(null);
      };
      timer = setTimeout(leave, waitMs);
      signal?.addEventListener('abort', leave, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** A progress report: renews the lease, unless it is lost or the job was canceled. */
  renew(
    leaseId: string,
    nodeName: string,
    progress?: Readonly<Record<string, unknown>>,
  ): RenewOutcome {
    const job = this.#leased.get(leaseId);
    if (!job?.lease || job.lease.nodeName !== nodeName) return 'lost';
    if (job.canceled) return 'canceled';
    job.lease.expiresAt = Date.now() + this.leaseMs;
    if (progress) {
      try {
        job.options.onProgress?.(progress);
      } catch {
        // A listener's failure is not the node's.
      }
    }
    return 'ok';
  }

  /** The node's result (or its error); `false` when the lease is no longer the node's. */
  complete(
    leaseId: string,
    nodeName: string,
    outcome: { result: unknown } | { error: { code: string; message: string } },
  ): boolean {
    const job = this.#leased.get(leaseId);
    if (!job?.lease || job.lease.nodeName !== nodeName) return false;
    this.#leased.delete(leaseId);
    job.lease = null;
    if (job.canceled) this.#fail(job, abortReason(job));
    else if ('error' in outcome)
      this.#fail(
        job,
        new RuntimeJobError(
          outcome.error.code,
          `${outcome.error.message} (integration runtime node ${nodeName})`,
        ),
      );
    else this.#succeed(job, outcome.result);
    return true;
  }

  /**
   * Ends the leases of a node that was removed (`deleteNode`): its jobs go back to the queue. Its
   * next call hears `lost`.
   */
  dropNode(serviceName: string, nodeName: string): void {
    // Its waits end first, so that its jobs do not go straight back to it.
    for (const waiter of [...this.#waiters]) {
      if (waiter.serviceName === serviceName && waiter.nodeName === nodeName) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.take(null);
      }
    }
    for (const job of [...this.#leased.values()]) {
      if (job.serviceName === serviceName && job.lease?.nodeName === nodeName) this.#requeue(job);
    }
  }

  /** Requeues the jobs whose lease expired and fails those no node took in time. Runs on a timer. */
  expire(now = Date.now()): void {
    for (const job of [...this.#leased.values()]) {
      if (job.lease && job.lease.expiresAt <= now) this.#requeue(job);
    }
    for (const [serviceName, jobs] of this.#queued) {
      for (const job of jobs.filter((j) => now - j.submittedAt >= this.#leaseWithinMs)) {
        jobs.splice(jobs.indexOf(job), 1);
        this.#fail(
          job,
          new RuntimeJobError(
            'RuntimeUnavailable',
            `No integration runtime node of service ${serviceName} took the job (${job.spec.description}) within ${seconds(this.#leaseWithinMs)} s. Start one next to the backups with "sqlmig runtime --service URL --auth-key KEY" (keys: sqlmig service keys ${serviceName}), or check that the nodes shown by "sqlmig service nodes ${serviceName}" are Online.`,
          ),
        );
      }
    }
  }

  /** Jobs waiting and leased, per service (for monitoring). */
  counts(serviceName: string): { queued: number; leased: number } {
    let leased = 0;
    for (const job of this.#leased.values()) if (job.serviceName === serviceName) leased += 1;
    return { queued: this.#queued.get(serviceName)?.length ?? 0, leased };
  }

  /** Fails every job and wait: the service is stopping. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    const stopping = new RuntimeJobError('ServiceStopping', 'The service is stopping.');
    for (const jobs of this.#queued.values()) for (const job of jobs) this.#fail(job, stopping);
    this.#queued.clear();
    for (const job of this.#leased.values()) this.#fail(job, stopping);
    this.#leased.clear();
    for (const waiter of this.#waiters.splice(0)) waiter.take(null);
  }

  #grant(job: Job, nodeName: string): LeasedJob {
    const leaseId = randomUUID();
    job.lease = { id: leaseId, nodeName, expiresAt: Date.now() + this.leaseMs };
    job.attempt += 1;
    this.#leased.set(leaseId, job);
    return {
      leaseId,
      kind: job.spec.kind,
      description: job.spec.description,
      input: job.spec.input,
      leaseMs: this.leaseMs,
      attempt: job.attempt,
    };
  }

  /** Gives the job to a waiting node of its service, or queues it (at the front when retried). */
  #offer(job: Job, first: boolean): void {
    const at = this.#waiters.findIndex((w) => w.serviceName === job.serviceName);
    if (at >= 0) {
      const [waiter] = this.#waiters.splice(at, 1);
      waiter?.take(job);
      return;
    }
    const jobs = this.#queued.get(job.serviceName) ?? [];
    if (first) jobs.unshift(job);
    else jobs.push(job);
    this.#queued.set(job.serviceName, jobs);
  }

  #requeue(job: Job): void {
    if (job.lease) this.#leased.delete(job.lease.id);
    job.lease = null;
    if (job.canceled) {
      this.#fail(job, abortReason(job));
      return;
    }
    this.#offer(job, true);
  }

  #cancel(job: Job): void {
    if (job.settled) return;
    job.canceled = true;
    if (job.lease) return; // ends at the node's acknowledgement, or when its lease expires
    const jobs = this.#queued.get(job.serviceName);
    const at = jobs?.indexOf(job) ?? -1;
    if (jobs && at >= 0) jobs.splice(at, 1);
    this.#fail(job, abortReason(job));
  }

  #succeed(job: Job, result: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.resolve(result);
  }

  #fail(job: Job, error: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.reject(error);
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new RuntimeJobError('Canceled', String(reason));
}

function abortReason(job: Job): unknown {
  return job.options.signal?.reason ?? new RuntimeJobError('Canceled', 'The job was canceled.');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(
      `WorkQueue: ${name} must be a positive number of milliseconds, not ${value}.`,
    );
  return value;
}
