/**
 * The work of one rehearsal restore, one piece at a time: scans of its folder, a cutover, a timer's
 * wake-up never overlap (a scan feeds the planner from the catalog it refreshes, and a cutover must
 * see the folder as its own scan left it). Lanes of different restores are independent.
 *
 * Scans asked for by notices and polls are coalesced: while one is waiting to start, more requests
 * join it (it looks at every blob they name, or lists the whole folder if one of them asks); a
 * request arriving while a scan runs queues one more, since that scan may have looked before the
 * blob was there.
 */
export class JobLane {
  #tail: Promise<void> = Promise.resolve();
  /**
   * What the coalesced scan queued and not started yet will look at ("dirty"): the blob names
   * noticed, or null for the whole folder. Undefined: no such scan.
   */
  #dirty: Set<string> | null | undefined = undefined;
  #timer: { readonly at: number; readonly handle: NodeJS.Timeout } | null = null;
  /**
   * When (`performance.now()`, real time whatever the target's clock) the last listing of the whole
   * folder started: the poll lists the folders not listed of late.
   */
  lastListingMs = Number.NEGATIVE_INFINITY;

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
   * Asks for a scan of `blobName` (null: of the whole folder). Joins the coalesced scan waiting to
   * start, if any (returns null), or queues `scan`, called with what was asked meanwhile (blob
   * names, or null for the whole folder), and returns its promise.
   */
  requestScan(
    blobName: string | null,
    scan: (blobNames: readonly string[] | null) => Promise<void>,
  ): Promise<void> | null {
    const queued = this.#dirty !== undefined;
    if (blobName === null) this.#dirty = null;
    else if (this.#dirty === undefined) this.#dirty = new Set([blobName]);
    else this.#dirty?.add(blobName);
    if (queued) return null;
    return this.run(() => {
      const dirty = this.#dirty;
      this.#dirty = undefined;
      return scan(dirty ? [...dirty] : null);
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
