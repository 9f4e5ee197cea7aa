/**
 * The aggregated-counter file's usual line, read in place from the bytes of the chunk that holds it:
 * ASCII, no quotes, eight fields, a number written the way the writer writes it. A field equal to the
 * previous line's (the server, the database, the file, the time: nearly all of them), or to one of the
 * last few values of its column (the counter and aggregate names), reuses that string. Any other line
 * returns undefined and goes the general way (`LineFields`), which gives the same record or the error.
 * A week of data for a large instance is tens of millions of such lines.
 */
import type { AggregatedCounterRecord } from './records.js';

const columns = 8;
/** Distinct recent values kept per column. */
const recentPerColumn = 8;

export class AggregatedLineReader {
  readonly #commas = new Int32Array(columns - 1);
  /** Per column, the most recent distinct values, the latest first. */
  readonly #recent: string[][] = Array.from({ length: columns - 1 }, () => []);
  #previous: AggregatedCounterRecord | undefined;
  #previousBytes: Buffer = Buffer.alloc(0);
  #previousStart = 0;
  #previousPrefix = -1;

  /** The record of `bytes[start, end)` (the line without its line end), or undefined. */
  read(bytes: Buffer, start: number, end: number): AggregatedCounterRecord | undefined {
    const commas = this.#commas;
    let count = 0;
    for (let at = start; at < end; at++) {
      const b = bytes[at] as number;
      if (b === 44) {
        if (count === columns - 1) return undefined;
        commas[count++] = at;
      } else if (b === 34 || b === 13 || b >= 0x80) return undefined; // quotes, CR, non-ASCII
    }
    if (count !== columns - 1) return undefined;
    const c7 = commas[6] as number;
    const value = parseCanonical(bytes, c7 + 1, end);
    if (value === undefined) return undefined;
    // Server, database, file, type and time are those of the line before nearly always: one
    // comparison of their bytes reuses all five.
    const prefix = (commas[4] as number) - start;
    const previous = this.#previous;
    const record: AggregatedCounterRecord =
      previous !== undefined &&
      prefix === this.#previousPrefix &&
      bytes.compare(
        this.#previousBytes,
        this.#previousStart,
        this.#previousStart + prefix,
        start,
        start + prefix,
      ) === 0
        ? {
            serverName: previous.serverName,
            databaseName: previous.databaseName,
            databaseFileName: previous.databaseFileName,
            fileType: previous.fileType,
            timeDataCollected: previous.timeDataCollected,
            counterName: this.#field(5, bytes, (commas[4] as number) + 1, commas[5] as number),
            aggregatorType: this.#field(6, bytes, (commas[5] as number) + 1, c7),
            value,
          }
        : {
            serverName: this.#field(0, bytes, start, commas[0] as number),
            databaseName: this.#field(1, bytes, (commas[0] as number) + 1, commas[1] as number),
            databaseFileName: this.#field(2, bytes, (commas[1] as number) + 1, commas[2] as number),
            fileType: this.#field(3, bytes, (commas[2] as number) + 1, commas[3] as number),
            timeDataCollected: this.#field(
              4,
              bytes,
              (commas[3] as number) + 1,
              commas[4] as number,
            ),
            counterName: this.#field(5, bytes, (commas[4] as number) + 1, commas[5] as number),
            aggregatorType: this.#field(6, bytes, (commas[5] as number) + 1, c7),
            value,
          };
    this.#previous = record;
    this.#previousBytes = bytes;
    this.#previousStart = start;
    this.#previousPrefix = prefix;
    return record;
  }

  #field(column: number, bytes: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length === 0) return '';
    const recent = this.#recent[column] as string[];
    for (let k = 0; k < recent.length; k++) {
      const candidate = recent[k] as string;
      if (candidate.length !== length) continue;
      let same = true;
      // From the end: paths and times share their beginnings more often than their ends.
      for (let i = length - 1; i >= 0; i--)
        if (bytes[start + i] !== candidate.charCodeAt(i)) {
          same = false;
          break;
        }
      if (same) {
        if (k > 0) {
          recent.splice(k, 1);
          recent.unshift(candidate);
        }
        return candidate;
      }
    }
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');
    recent.unshift(text);
    if (recent.length > recentPerColumn) recent.pop();
    return text;
  }
}

/**
 * A number written as the writer writes it, in plain decimals: an optional minus, no leading zero,
 * at most 15 significant digits, no trailing zero after the point, at least 1e-4 (or 0). Undefined
 * for anything else (the general path decides).
 */
function parseCanonical(bytes: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  const negative = bytes[i] === 45;
  if (negative) i++;
  if (i >= end) return undefined;
  if (bytes[i] === 48 /* 0 */) {
    if (i + 1 === end) return negative ? undefined : 0; // "-0" goes the general way
    if (bytes[i + 1] !== 46) return undefined;
  }
  let integer = 0;
  let digits = 0;
  let significant = false;
  let dot = -1;
  for (let at = i; at < end; at++) {
    const c = bytes[at] as number;
    if (c >= 48 && c <= 57) {
      if (c !== 48 || significant) {
        significant = true;
        digits++;
      }
      if (dot < 0) integer = integer * 10 + (c - 48);
    } else if (c === 46 && dot < 0) dot = at;
    else return undefined;
  }
  if (digits > 15 || !significant) return undefined;
  if (dot < 0) return negative ? -integer : integer; // exact: below 1e15
  if (dot === i || dot === end - 1 || bytes[end - 1] === 48) return undefined;
  const value = Number(
    Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'),
  );
  return Math.abs(value) >= 1e-4 ? value : undefined;
}
