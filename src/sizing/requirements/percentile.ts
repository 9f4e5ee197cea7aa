/**
 * The weighted nearest-rank percentile: the smallest value whose share of the total weight at or
 * below it reaches the percentile. Each 10-minute window weighs as many samples as it holds.
 */
export function weightedPercentile(
  values: ArrayLike<number>,
  weights: ArrayLike<number>,
  percentile: number,
): number {
  const order: number[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === undefined || Number.isNaN(value)) continue;
    order.push(i);
    total += weights[i] ?? 0;
  }
  if (order.length === 0) return NaN;
  order.sort((a, b) => (values[a] as number) - (values[b] as number));
  const wanted = (percentile / 100) * total;
  let seen = 0;
  for (const i of order) {
    seen += weights[i] ?? 0;
    if (seen >= wanted) return values[i] as number;
  }
  return values[order[order.length - 1] as number] as number;
}
