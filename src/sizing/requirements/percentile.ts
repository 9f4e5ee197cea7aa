/**
 * The weighted nearest-rank percentile: the smallest value whose share of the total weight at or
 * below it reaches the percentile. Each 10-minute window weighs as many samples as it holds.
 *
 * A recommendation takes two percentiles per database file (thousands of them for a large
 * instance), so the usual case — every window the same whole number of samples — finds the value's
 * rank by arithmetic and selects it without sorting; any other weighting sorts and walks up.
 */
export function weightedPercentile(
  values: ArrayLike<number>,
  weights: ArrayLike<number>,
  percentile: number,
): number {
  const present: number[] = [];
  let total = 0;
  let firstWeight: number | undefined;
  let sameWeights = true;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === undefined || Number.isNaN(value)) continue;
    present.push(i);
    const weight = weights[i] ?? 0;
    total += weight;
    firstWeight ??= weight;
    if (weight !== firstWeight) sameWeights = false;
  }
  if (present.length === 0) return NaN;
  const wanted = (percentile / 100) * total;
  const weight = firstWeight ?? 0;
  if (sameWeights && Number.isInteger(weight) && weight > 0) {
    // Walking up k values sees k × weight, exactly (whole numbers): the first k that reaches
    // `wanted`, at least 1 and at most all of them, is the rank.
    let k = Math.min(present.length, Math.max(1, Math.ceil(wanted / weight)));
    while (k > 1 && (k - 1) * weight >= wanted) k--;
    while (k < present.length && k * weight < wanted) k++;
    const candidates = new Float64Array(present.length);
    for (let j = 0; j < present.length; j++) candidates[j] = values[present[j] as number] as number;
    return select(candidates, k - 1);
  }
  present.sort((a, b) => (values[a] as number) - (values[b] as number));
  let seen = 0;
  for (const i of present) {
    seen += weights[i] ?? 0;
    if (seen >= wanted) return values[i] as number;
  }
  return values[present[present.length - 1] as number] as number;
}

/** The value of rank `rank` (0: the smallest) of `values`, which it reorders (Hoare's selection). */
export function select(values: Float64Array, rank: number): number {
  let low = 0;
  let high = values.length - 1;
  while (high > low) {
    // The median of the first, middle and last as the pivot.
    const middle = (low + high) >>> 1;
    const a = values[low] as number;
    const b = values[middle] as number;
    const c = values[high] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (rank <= j) high = j;
    else if (rank >= i) low = i;
    else return values[rank] as number;
  }
  return values[rank] as number;
}
