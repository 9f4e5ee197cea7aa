/**
 * TEST STAND-IN — a clock for the perf collector whose sleeps end at once, moving virtual time
 * forward: an hour of 30-second samples runs in milliseconds. Whatever must happen at a given moment
 * (a database added, the instance restarted, Ctrl-C) is scheduled with `at`, and runs when time
 * reaches it; `onAdvance` hooks see every step of time (a source accumulating IO by its rates).
 */
import type { CollectClock } from '../../src/sizing/collect/index.js';

export class VirtualClock implements CollectClock {
  #nowMs: number;
  readonly #scheduled: { atMs: number; run: () => void }[] = [];
  readonly #advanceHooks: ((fromMs: number, toMs: number) => void)[] = [];
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[] = [];

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.advance(ms, signal);
    return Promise.resolve();
  }

  /**
   * Moves time forward by `ms`, running hooks and what was scheduled up to the new time, in order;
   * with a signal, time stops where something scheduled aborted it (as a real sleep ends early).
   */
  advance(ms: number, signal?: AbortSignal): void {
    const target = this.#nowMs + ms;
    for (;;) {
      if (signal?.aborted) return;
      const due = this.#scheduled
        .filter((s) => s.atMs <= target)
        .sort((a, b) => a.atMs - b.atMs)[0];
      const stepTo = due ? Math.max(due.atMs, this.#nowMs) : target;
      for (const hook of this.#advanceHooks) hook(this.#nowMs, stepTo);
      this.#nowMs = stepTo;
      if (!due) return;
      this.#scheduled.splice(this.#scheduled.indexOf(due), 1);
      due.run();
    }
  }

  /** Runs `run` when virtual time reaches `atMs`. */
  at(atMs: number, run: () => void): this {
    this.#scheduled.push({ atMs, run });
    return this;
  }

  onAdvance(hook: (fromMs: number, toMs: number) => void): this {
    this.#advanceHooks.push(hook);
    return this;
  }
}
