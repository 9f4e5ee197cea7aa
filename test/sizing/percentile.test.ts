/**
 * The weighted nearest-rank percentile, by hand on small cases and against the definition on random
 * ones: the smallest value v whose windows at or below v hold at least the percentile's share of the
 * weight.
 */
import { describe, expect, it } from 'vitest';

import { select, weightedPercentile } from '../../src/sizing/requirements/percentile.js';
import { seededRandom } from '../support/seeded-random.js';

/** The definition, read literally: each distinct value, smallest first, with the weight at or below it. */
function byDefinition(values: readonly number[], weights: readonly number[], p: number): number {
  const present = values
    .map((v, i) => [v, weights[i] ?? 0] as const)
    .filter(([v]) => !Number.isNaN(v));
  if (present.length === 0) return NaN;
  const total = present.reduce((sum, [, w]) => sum + w, 0);
  const distinct = [...new Set(present.map(([v]) => v))].sort((a, b) => a - b);
  for (const v of distinct) {
    const atOrBelow = present.filter(([x]) => x <= v).reduce((sum, [, w]) => sum + w, 0);
    if (atOrBelow >= (p / 100) * total) return v;
  }
  return distinct[distinct.length - 1] as number;
}

describe('weightedPercentile', () => {
  it('picks the nearest rank when every window holds 20 samples', () => {
    // Sorted: 1 2 3 4 5, each 20 of 100 samples. 95% of 100 = 95: reached only at the 5th (100).
    const values = [5, 1, 3, 2, 4];
    const weights = [20, 20, 20, 20, 20];
    expect(weightedPercentile(values, weights, 95)).toBe(5);
    // 50% = 50: the 3rd reaches 60.
    expect(weightedPercentile(values, weights, 50)).toBe(3);
    // 40% = 40: the 2nd reaches exactly 40.
    expect(weightedPercentile(values, weights, 40)).toBe(2);
  });

  it('weighs windows by their samples, and skips windows without a value', () => {
    // Sorted: 1 (w 1), 2 (w 1), 10 (w 18); NaN ignored. 50% of 20 = 10: only 10 reaches it.
    expect(weightedPercentile([10, NaN, 1, 2], [18, 50, 1, 1], 50)).toBe(10);
    expect(weightedPercentile([10, NaN, 1, 2], [18, 50, 1, 1], 10)).toBe(2);
    expect(weightedPercentile([NaN, NaN], [20, 20], 95)).toBeNaN();
  });

  it('agrees with the definition on random series, equal and unequal weights', () => {
    const random = seededRandom(95);
    for (let round = 0; round < 400; round++) {
      const n = 1 + random.below(60);
      const values = Array.from({ length: n }, () =>
        random.below(10) === 0
          ? NaN
          : random.below(3) === 0
            ? random.below(5)
            : random.next() * 100 - 20,
      );
      const equal = 1 + random.below(30);
      const weights = Array.from({ length: n }, () =>
        round % 2 === 0 ? equal : random.below(4) === 0 ? 0 : 1 + random.below(25),
      );
      for (const p of [50, 75, 90, 95, 97, 99, 100]) {
        const expected = byDefinition(values, weights, p);
        const found = weightedPercentile(values, weights, p);
        expect({ round, p, found }).toEqual({ round, p, found: expected });
      }
    }
  });
});

describe('select', () => {
  it('gives each rank the value a sort puts there, with repeats and negatives', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 200; round++) {
      const n = 1 + random.below(200);
      const values = Array.from(
        { length: n },
        () => random.below(20) - 10 + (random.below(2) === 0 ? 0.5 : 0),
      );
      const sorted = [...values].sort((a, b) => a - b);
      for (const rank of [0, n - 1, random.below(n), random.below(n)])
        expect(select(Float64Array.from(values), rank)).toBe(sorted[rank]);
    }
  });
});
