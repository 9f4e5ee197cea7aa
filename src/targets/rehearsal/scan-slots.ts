/**
 * A bound on the folder scans running at once. Scans of different restores run side by side (one
 * slow folder must not hold up the others), but 200 restores listing their folders at the same
 * instant would only queue up in the blob store and the thread pool, so the rest wait their turn,
 * first come first served.
 */
export class ScanSlots {
  readonly #limit: number;
  #busy = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Runs `task` once a slot is free; the slot is given back when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#take();
    try {
      return await task();
    } finally {
      this.#give();
    }
  }

  #take(): Promise<void> {
    if (this.#busy < this.#limit) {
      this.#busy += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the slot straight to the next waiting task, if any, so the count stays right. */
  #give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy -= 1;
  }
}
