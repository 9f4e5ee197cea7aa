/**
 * The aggregated-counter file's usual line, read in place from the chunk of text that holds it: no
 * quotes (the caller checks), eight fields, a number written the way the writer writes it. Fields equal to the previous
 * line's (the server, the database, the file, the time: nearly all of them) reuse its strings. Any other
 * line returns undefined and goes the general way (`LineFields`), which gives the same record or the
 * error. A week of data for a large instance is tens of millions of such lines.
 */
import type { AggregatedCounterRecord } from './records.js';

/** The previous record's fields, for reuse. */
export class AggregatedLineReader {
  readonly #commas = new Int32Array(7);
  #previous: AggregatedCounterRecord = {
    serverName: '',
    databaseName: '',
    databaseFileName: '',
    fileType: '',
    timeDataCollected: '',
    counterName: '',
    aggregatorType: '',
    value: 0,
  };

  /** The record of `text[start, end)`, or undefined when the line is not the usual kind. The caller
   * has seen that the line holds no quote (searching each line for one would scan the chunk). */
  read(text: string, start: number, end: number): AggregatedCounterRecord | undefined {
    // One pass over the line for its seven commas (charCodeAt is compiled inline; indexOf is a call).
    const commas = this.#commas;
    let count = 0;
    for (let at = start; at < end; at++) {
      if (text.charCodeAt(at) === 44) {
        if (count === 7) return undefined;
        commas[count++] = at;
      }
    }
    if (count !== 7) return undefined;
    const c1 = commas[0] as number;
    const c2 = commas[1] as number;
    const c3 = commas[2] as number;
    const c4 = commas[3] as number;
    const c5 = commas[4] as number;
    const c6 = commas[5] as number;
    const c7 = commas[6] as number;
    const value = parseCanonical(text, c7 + 1, end);
    if (value === undefined) return undefined;
    const p = this.#previous;
    const record: AggregatedCounterRecord = {
      serverName: field(text, start, c1, p.serverName),
      databaseName: field(text, c1 + 1, c2, p.databaseName),
      databaseFileName: field(text, c2 + 1, c3, p.databaseFileName),
      fileType: field(text, c3 + 1, c4, p.fileType),
      timeDataCollected: field(text, c4 + 1, c5, p.timeDataCollected),
      counterName: field(text, c5 + 1, c6, p.counterName),
      aggregatorType: field(text, c6 + 1, c7, p.aggregatorType),
      value,
    };
    this.#previous = record;
    return record;
  }
}

function field(text: string, start: number, end: number, previous: string): string {
  const length = end - start;
  if (length === 0) return '';
  if (length === previous.length) {
    let same = true;
    // From the end: paths and times share their beginnings more often than their ends.
    for (let i = length - 1; i >= 0; i--)
      if (text.charCodeAt(start + i) !== previous.charCodeAt(i)) {
        same = false;
        break;
      }
    if (same) return previous;
  }
  return text.slice(start, end);
}

/**
 * A number written as the writer writes it, in plain decimals: an optional minus, no leading zero,
 * at most 15 significant digits, no trailing zero after the point, at least 1e-4 (or 0). Undefined
 * for anything else (the general path decides).
 */
function parseCanonical(text: string, start: number, end: number): number | undefined {
  let i = start;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  if (i >= end) return undefined;
  const first = text.charCodeAt(i);
  if (first === 48 /* 0 */) {
    if (i + 1 === end) return negative ? undefined : 0; // "-0" is not plain
    if (text.charCodeAt(i + 1) !== 46) return undefined;
  }
  let integer = 0;
  let digits = 0;
  let significant = false;
  let dot = -1;
  for (let at = i; at < end; at++) {
    const c = text.charCodeAt(at);
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
  if (dot === i || dot === end - 1 || text.charCodeAt(end - 1) === 48) return undefined;
  const value = Number(text.slice(negative ? i - 1 : i, end));
  return Math.abs(value) >= 1e-4 ? value : undefined;
}
