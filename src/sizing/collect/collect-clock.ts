/**
 * The collector's sense of time, injectable so that tests run an hour of samples in an instant: `now`
 * in milliseconds and a `sleep` that ends early when the signal aborts (Ctrl-C must not wait out a
 * 30-second interval).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

export interface CollectClock {
  now(): number;
  /** Waits `ms`, or less when `signal` aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: CollectClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (signal.aborted) return;
    try {
      await sleepFor(ms, undefined, { signal });
    } catch {
      // Aborted: the caller looks at its own state.
    }
  },
};
