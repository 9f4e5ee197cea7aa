/**
 * BENCH SUPPORT — what every benchmark shares: the outcome `bench/run.ts` reports, and the best of a
 * few timed runs (the least disturbed by the rest of the machine).
 */

/** A benchmark's verdict: its name and whether every target was met. */
export interface BenchOutcome {
  readonly name: string;
  readonly passed: boolean;
}

/** The fastest of `runs` runs of `work`, in milliseconds, with the value of the last. */
export async function bestOf<T>(
  runs: number,
  work: () => Promise<T>,
): Promise<{ ms: number; value: T }> {
  let best = Infinity;
  let value: T | undefined;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    value = await work();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { ms: best, value: value as T };
}
