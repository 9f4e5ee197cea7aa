/**
 * The work of one rehearsal restore, one piece at a time: scans of its folder, a cutover, a timer's
 * wake-up never overlap (a scan feeds the planner from the catalog it refreshes, and a cutover must
 * see the folder as its own scan left it). Lanes of different restores are independent.
 *
 * Scans asked for by notices and polls are coalesced: while one is waiting to start, more notices
 * add nothing (it will list the folder after all of them); a notice arriving while a scan runs queues
 * one more, since that scan may have listed the folder before the blob was there.
 */
export class JobLane {
  #tail: Promise<void> = Promise.resolve();
  /** A coalesced scan is queued and has not started: the folder is "dirty". */
  #scanPending = false;
  #timer: { readonly at: number; readonly handle: NodeJS.Timeout } | null = null;
  /**
   * When (`performance.now()`, real time whatever the target's clock) the last scan that moved the
   * restore on started: the poll skips folders scanned of late.
   */
  lastScanMs = Number.NEGATIVE_INFINITY;

  /** Runs `work` after everything queued on this lane before it. */
  run<T>(work: () => Promise<T> | T): Promise<T> {
    const done = this.#tail.then(work);
    this.#tail = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  /**
   * Queues `scan` unless a coalesced scan is already waiting to start; returns its promise, or null
   * when it joined the waiting one.
   */
  requestScan(scan: () => Promise<void>): Promise<void> | null {
    if (this.#scanPending) return null;
    this.#scanPending = true;
    return this.run(() => {
      this.#scanPending = false;
      return scan();
    });
  }

  /** Calls `wake` at `at` (a time of the target's clock, `delayMs` from now). One timer per lane. */
  wakeAt(at: number, delayMs: number, wake: () => void): void {
    if (this.#timer?.at === at) return;
    this.cancelWake();
    const handle = setTimeout(() => {
      this.#timer = null;
      wake();
    }, delayMs);
    // A simulated restore must never keep the process alive on its own.
    handle.unref();
    this.#timer = { at, handle };
  }

  cancelWake(): void {
    if (this.#timer) clearTimeout(this.#timer.handle);
    this.#timer = null;
  }

  get hasWake(): boolean {
    return this.#timer !== null;
  }
}
