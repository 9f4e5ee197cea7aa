/**
 * Numbers in the perf-data files are written the way .NET writes a double in the invariant culture
 * (`double.ToString(CultureInfo.InvariantCulture)`, .NET Core 3.0 and later: the shortest text that
 * reads back to the same double, in fixed point when the decimal exponent is above -5 and below 15,
 * else as `1E-05`, `1.5E+16`). The reader keeps the
 * text of a number written any other way (`WrittenAs`), so nothing is lost.
 */

/** The text the writer writes for `value`. */
export function formatPerfNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e15) return String(value);
  // toExponential() without digits gives the shortest digits that read back: "1.5e+16".
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  const power = Number(exponent);
  return `${mantissa}E${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
}

/** The number a field holds, or undefined when it holds none. Accepts what the writer writes and
 * ordinary decimal or exponent text. */
export function parsePerfNumber(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === 'Infinity' || text === '∞') return Infinity;
  if (text === '-Infinity' || text === '-∞') return -Infinity;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Whether the writer would write `value` as exactly `text`. Plain decimals (the common case) are
 * decided without formatting: at most 15 significant digits, no leading or trailing zeros, within the
 * range written without an exponent, read back to one double only (15 digits always do).
 */
export function isCanonicalPerfNumber(text: string, value: number): boolean {
  const length = text.length;
  const index = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (index === length) return false;
  let digits = 0;
  let significant = false;
  let dot = -1;
  for (let i = index; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (dot >= 0) return formatPerfNumber(value) === text;
      dot = i;
    } else if (c >= 48 && c <= 57) {
      if (c !== 48 || significant) {
        significant = true;
        digits++;
      }
    } else return formatPerfNumber(value) === text;
  }
  if (digits > 15 || value === 0) return formatPerfNumber(value) === text;
  // "07", "0.50", "5.", ".5" are not how the writer writes.
  if (text.charCodeAt(index) === 48 && index + 1 < length && text.charCodeAt(index + 1) !== 46)
    return false;
  if (dot >= 0) {
    if (dot === index || dot === length - 1 || text.charCodeAt(length - 1) === 48) return false;
  }
  const magnitude = Math.abs(value);
  return magnitude >= 1e-4 && magnitude < 1e15;
}
