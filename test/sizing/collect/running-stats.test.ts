/**
 * The window aggregation's arithmetic, worked out by hand, and checked against the reference corpus:
 * every IM window there is reproduced from the integer samples its Max, Mean and Occurence imply,
 * which is how "Variance" was found to be Σ(x − mean)², not the population or sample variance.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { RunningStats } from '../../../src/sizing/collect/index.js';
import { readPerfFile } from '../../../src/sizing/index.js';
import { corpusRoot } from '../../support/corpus.js';

const aggregatedFile = join(
  corpusRoot,
  'perf-data',
  'TEST,MSSQLSERVER_PerformanceAggregated_Counters.csv',
);

function statsOf(values: readonly number[]): RunningStats {
  const stats = new RunningStats();
  for (const v of values) stats.add(v);
  return stats;
}

describe('RunningStats', () => {
  it('gives Max, Mean, Σ(x − mean)² and the count, by hand', () => {
    // mean 40/8 = 5; deviations² 9+1+1+1+0+0+4+16 = 32
    expect(statsOf([2, 4, 4, 4, 5, 5, 7, 9]).aggregates()).toEqual({
      max: 9,
      mean: 5,
      variance: 32,
      occurrence: 8,
    });
    // 0.5 and 1.5 around 1: 0.25 + 0.25
    expect(statsOf([0.5, 1.5]).aggregates()).toEqual({
      max: 1.5,
      mean: 1,
      variance: 0.5,
      occurrence: 2,
    });
    expect(statsOf([7]).aggregates()).toEqual({ max: 7, mean: 7, variance: 0, occurrence: 1 });
    expect(statsOf([-3, -1]).aggregates()).toEqual({
      max: -1,
      mean: -2,
      variance: 2,
      occurrence: 2,
    });
  });

  it('has no aggregates before a value, and refuses a value that is not finite', () => {
    const stats = new RunningStats();
    expect(stats.aggregates()).toBeUndefined();
    expect(() => {
      stats.add(NaN);
    }).toThrow(/finite/);
  });

  it('keeps precision on large values with a small spread (no catastrophic cancellation)', () => {
    const base = 1e9;
    const aggregates = statsOf([base + 1, base + 2, base + 3]).aggregates();
    expect(aggregates?.mean).toBe(base + 2);
    expect(aggregates?.variance).toBe(2);
  });

  it.skipIf(!existsSync(aggregatedFile))(
    'reproduces every IM window of the corpus (or says the corpus is missing)',
    async () => {
      const file = await readPerfFile('aggregated', aggregatedFile);
      const windows = new Map<string, Record<string, number>>();
      for (const r of file.records) {
        if (r.counterName !== 'IM') continue;
        const w = windows.get(r.timeDataCollected) ?? {};
        w[r.aggregatorType] = r.value;
        windows.set(r.timeDataCollected, w);
      }
      expect(windows.size).toBe(23);
      let withSpread = 0;
      for (const [time, w] of windows) {
        const n = w.Occurence ?? 0;
        const max = w.Max ?? 0;
        const mean = w.Mean ?? 0;
        // Integer MB samples: k of them one below the Max, the rest at the Max.
        const k = Math.round((max - mean) * n);
        const values = [...Array<number>(k).fill(max - 1), ...Array<number>(n - k).fill(max)];
        if (k > 0) withSpread += 1;
        expect(statsOf(values).aggregates(), time).toEqual({
          max,
          mean,
          variance: w.Variance,
          occurrence: n,
        });
      }
      expect(withSpread).toBe(3);
    },
  );
});
