/**
 * Max, Mean, Variance and Occurence of one counter over one window, kept as values arrive: sums of
 * the values' differences from the first value (shifted sums), so no list is held, and counters that
 * move little around a large level (memory in MB, in the hundreds of thousands) lose no precision —
 * integer samples give exact sums.
 *
 * "Variance" is written as the reference files hold it: the corpus (microsoft/sqltoolsservice's
 * perf-data, a SQL Server 2008 R2 instance) has IM windows of 20 integer samples with Mean 366.2,
 * Max 367 and Variance 3.2, Mean 366.85 / Variance 2.55, Mean 370.25 / Variance 3.75. With values
 * of 366 and 367 the population variance is 0.16 and the sample variance 0.168; 3.2 is
 * Σ(x − mean)² = 20 × 0.16, the sum of squared deviations, undivided (likewise 20 × 0.1275 and
 * 20 × 0.1875). So Variance here is Σ(x − mean)²: divide by Occurence for the population variance,
 * by Occurence − 1 for the sample variance.
 */

export interface CounterAggregates {
  readonly max: number;
  readonly mean: number;
  /** Σ(x − mean)², as the reference files write "Variance". */
  readonly variance: number;
  /** How many values ("Occurence" in the files). */
  readonly occurrence: number;
}

export class RunningStats {
  #count = 0;
  /** The first value: the others are summed as differences from it. */
  #shift = 0;
  #sum = 0;
  #sumOfSquares = 0;
  #max = -Infinity;

  add(value: number): void {
    if (!Number.isFinite(value))
      throw new RangeError(`A counter value must be finite, not ${value}.`);
    if (this.#count === 0) this.#shift = value;
    this.#count += 1;
    const d = value - this.#shift;
    this.#sum += d;
    this.#sumOfSquares += d * d;
    if (value > this.#max) this.#max = value;
  }

  get count(): number {
    return this.#count;
  }

  /** The aggregates, numbers cut to 12 significant digits (366.2, not 366.20000000000005). */
  aggregates(): CounterAggregates | undefined {
    if (this.#count === 0) return undefined;
    return {
      max: tidy(this.#max),
      mean: tidy(this.#shift + this.#sum / this.#count),
      variance: tidy(Math.max(0, this.#sumOfSquares - (this.#sum * this.#sum) / this.#count)),
      occurrence: this.#count,
    };
  }
}

function tidy(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12));
}
