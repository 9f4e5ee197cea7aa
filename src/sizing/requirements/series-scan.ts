/**
 * The aggregated file read straight from its bytes into a `SeriesBuilder`, for speed: a week of data
 * for a large instance is tens of millions of lines, of which the series keep one in four. Every line
 * is still checked (eight fields, a number in the last), but no record or string is made for a line
 * unless its time, database or file differs from the line before's.
 *
 * The scan reads a byte range that starts and ends at line starts, so that parts of one file can be
 * read on several threads. It covers the files the reference tools and sqlmig write; anything else — a
 * quoted field, a line that does not fit, mixed line ends, a header that is not the expected one —
 * makes it give up (`ScanGaveUp`), and the caller reads the file with the general reader, which
 * decodes everything and words the errors.
 */
import { isAscii } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';

import { perfFileLayouts } from '../perf-data/layouts.js';
import { parsePerfNumber } from '../perf-data/numbers.js';
import {
  fileCounterOf,
  instanceValueOf,
  rowStride,
  type FileEntry,
  type SeriesBuilder,
} from './series-builder.js';

/** The file needs the general reader; the message says why, for tests and tracing. */
export class ScanGaveUp extends Error {
  override readonly name = 'ScanGaveUp';
}

const header = Buffer.from(perfFileLayouts.aggregated.columns.join(','), 'latin1');
const bom = Buffer.from([0xef, 0xbb, 0xbf]);

export interface ScanLayout {
  /** Where the first line after the header starts. */
  readonly dataStart: number;
  readonly crlf: boolean;
}

/** Reads the header of the aggregated file; gives up unless it is the expected one. */
export async function scanHeader(handle: FileHandle): Promise<ScanLayout> {
  const head = Buffer.alloc(header.length + bom.length + 2);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  let at = head.subarray(0, bom.length).equals(bom) ? bom.length : 0;
  if (bytesRead < at + header.length || !head.subarray(at, at + header.length).equals(header))
    throw new ScanGaveUp('the header is not the expected one');
  at += header.length;
  const crlf = head[at] === 13;
  if (crlf) at++;
  if (at >= bytesRead || head[at] !== 10) throw new ScanGaveUp('no line end after the header');
  return { dataStart: at + 1, crlf };
}

/**
 * Where to split [start, end) into `count` ranges, each starting at a line start: the points between
 * ranges, each just after a line end.
 */
export async function lineSplits(
  handle: FileHandle,
  start: number,
  end: number,
  count: number,
): Promise<number[]> {
  const points = [start];
  const probe = Buffer.alloc(64 * 1024);
  for (let i = 1; i < count; i++) {
    let at = Math.max(points.at(-1) as number, Math.floor(start + ((end - start) * i) / count));
    for (;;) {
      if (at >= end) break;
      const { bytesRead } = await handle.read(probe, 0, Math.min(probe.length, end - at), at);
      if (bytesRead === 0) break;
      const newline = probe.subarray(0, bytesRead).indexOf(10);
      if (newline >= 0) {
        at += newline + 1;
        break;
      }
      at += bytesRead;
    }
    points.push(Math.min(at, end));
  }
  points.push(end);
  return points;
}

const chunkBytes = 4 << 20;

/**
 * Reads the lines of [start, end) into `builder`. Bytes left without a line end when the range ends
 * are the file's last line (a range other than the last ends just after a line end).
 */
export async function scanRange(
  handle: FileHandle,
  range: { readonly start: number; readonly end: number; readonly crlf: boolean },
  builder: SeriesBuilder,
): Promise<void> {
  const scanner = new LineScanner(builder, range.crlf);
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let position = range.start;
  let carry = 0; // bytes of an unfinished line at the buffer's start
  while (position < range.end) {
    const want = Math.min(buffer.length - carry, range.end - position);
    if (want === 0) throw new ScanGaveUp('a line longer than 4 MiB');
    const { bytesRead } = await handle.read(buffer, carry, want, position);
    if (bytesRead === 0) throw new ScanGaveUp('the file became shorter while it was read');
    position += bytesRead;
    const filled = carry + bytesRead;
    const consumed = scanner.lines(buffer, filled);
    buffer.copy(buffer, 0, consumed, filled);
    carry = filled - consumed;
  }
  // The file's last line, without a line end.
  if (carry > 0) scanner.line(buffer, 0, carry, true, false);
}

/** A database file as lines name it: `database,path,type`. */
interface FileKey {
  readonly bytes: Uint8Array;
  /** Undefined when the selection leaves its database out. */
  readonly entry: FileEntry | undefined;
  /** The file that followed it last. */
  next: FileKey | undefined;
}

/** Scans lines and gives their values to the builder, remembering the last time, database and file. */
class LineScanner {
  readonly #builder: SeriesBuilder;
  readonly #crlf: boolean;
  readonly #commas = new Int32Array(8);
  readonly #lastTime = new Uint8Array(64);
  #lastTimeLength = -1;
  #window = -1;
  /** The file of the line before, and every file met, by the text of database, path and type. */
  #key: FileKey | undefined;
  readonly #keys = new Map<string, FileKey>();
  /** The current window's row of file values, and the current file's place in it. */
  #row: Float64Array = new Float64Array(0);
  #place = 0;

  constructor(builder: SeriesBuilder, crlf: boolean) {
    this.#builder = builder;
    this.#crlf = crlf;
  }

  /** Scans the whole lines of `bytes[0, filled)`; returns where the unfinished one starts. */
  lines(bytes: Buffer, filled: number): number {
    // What the scan does not cover is looked for in the whole chunk at once, natively.
    const chunk = bytes.subarray(0, filled);
    if (chunk.indexOf(34) >= 0) throw new ScanGaveUp('a quoted field');
    if (!this.#crlf && chunk.indexOf(13) >= 0) throw new ScanGaveUp('a CR in a file of LF lines');
    const ascii = isAscii(chunk);
    let start = 0;
    for (let end = chunk.indexOf(10, start); end >= 0; end = chunk.indexOf(10, start)) {
      this.line(bytes, start, end, false, ascii);
      start = end + 1;
    }
    return start;
  }

  /** The line `bytes[start, lineEnd)`; `ascii`: its chunk is known to be ASCII. */
  line(bytes: Buffer, start: number, lineEnd: number, last: boolean, ascii: boolean): void {
    let end = lineEnd;
    if (this.#crlf) {
      if (bytes[end - 1] === 13) end--;
      else if (!last) throw new ScanGaveUp('mixed line ends');
    }
    // The commas' places: a store each, masked to stay inside the array, the count checked after
    // (a switch on the count here costs a third more).
    const commas = this.#commas;
    let count = 0;
    for (let at = start; at < end; at++) {
      if (bytes[at] === 44) {
        commas[count & 7] = at;
        count++;
      }
    }
    if (count > 7) throw new ScanGaveUp('a line with more than eight fields');
    if (count !== 7) throw new ScanGaveUp('a line with fewer than eight fields');
    const c0 = commas[0] as number;
    const c1 = commas[1] as number;
    const c2 = commas[2] as number;
    const c3 = commas[3] as number;
    const c4 = commas[4] as number;
    const c5 = commas[5] as number;
    const c6 = commas[6] as number;
    const value = readNumber(bytes, c6 + 1, end);
    if (!ascii && !isAscii(bytes.subarray(start, end))) {
      this.#decoded(bytes.toString('utf8', start, end), value);
      return;
    }
    // The window, by the time field.
    const timeLength = c4 - c3 - 1;
    if (!same(bytes, c3 + 1, timeLength, this.#lastTime, this.#lastTimeLength)) {
      this.#window = this.#builder.window(bytes.toString('latin1', c3 + 1, c4));
      this.#lastTimeLength = remember(bytes, c3 + 1, timeLength, this.#lastTime);
      if (this.#window >= 0) this.#row = this.#builder.row(this.#window);
    }
    const window = this.#window;
    if (window < 0) return;
    if (c0 + 1 === c1) {
      // An instance counter: a dozen lines a window, read as text.
      const instanceValue = instanceValueOf(
        bytes.toString('latin1', c4 + 1, c5),
        bytes.toString('latin1', c5 + 1, c6),
      );
      if (instanceValue !== undefined) this.#builder.setInstance(instanceValue, window, value);
      return;
    }
    if (!isMean(bytes, c5 + 1, c6) || c1 + 1 === c2) return; // DCP and DCS, per database: not used
    // The file, by its database, path and type together: the same as the line before's (five
    // lines in six), else most likely the one that followed it in the window before.
    let key = this.#key;
    if (key === undefined || !same(bytes, c0 + 1, c3 - c0 - 1, key.bytes, key.bytes.length)) {
      const next = key?.next;
      const found =
        next !== undefined && same(bytes, c0 + 1, c3 - c0 - 1, next.bytes, next.bytes.length)
          ? next
          : this.#lookUp(bytes, c0, c1, c2, c3);
      if (key !== undefined) key.next = found;
      key = found;
      this.#key = found;
      if (found.entry !== undefined) {
        this.#place = found.entry.index * rowStride;
        if (this.#place + rowStride > this.#row.length) this.#row = this.#builder.row(window);
      }
    }
    if (key.entry === undefined) return; // a database the selection leaves out
    const counter = fileCounterAt(bytes, c4 + 1, c5);
    if (counter >= 0 && value === value) this.#row[this.#place + counter] = value; // NaN: no value
  }

  /** The file of a line whose database, path and type are not those of the line before. */
  #lookUp(bytes: Buffer, c0: number, c1: number, c2: number, c3: number): FileKey {
    const text = bytes.toString('latin1', c0 + 1, c3);
    let key = this.#keys.get(text);
    if (key === undefined) {
      const database = bytes.toString('latin1', c0 + 1, c1);
      key = {
        bytes: Uint8Array.from(bytes.subarray(c0 + 1, c3)),
        entry: this.#builder.database(database)
          ? this.#builder.file(
              database,
              bytes.toString('latin1', c1 + 1, c2),
              bytes.toString('latin1', c2 + 1, c3),
            )
          : undefined,
        next: undefined,
      };
      this.#keys.set(text, key);
    }
    return key;
  }

  /** A line with characters beyond ASCII (a database or file named so), taken the plain way. */
  #decoded(text: string, value: number): void {
    const [, database = '', file = '', type = '', time = '', counter = '', aggregator = ''] =
      text.split(',');
    const window = this.#builder.window(time);
    this.#lastTimeLength = -1;
    if (window < 0) return;
    if (database === '') {
      const instanceValue = instanceValueOf(counter, aggregator);
      if (instanceValue !== undefined) this.#builder.setInstance(instanceValue, window, value);
      return;
    }
    if (aggregator !== 'Mean' || file === '') return;
    if (!this.#builder.database(database)) return;
    const fileCounter = fileCounterOf(counter);
    if (fileCounter >= 0 && !Number.isNaN(value)) {
      const place = this.#builder.file(database, file, type).index * rowStride;
      this.#row = this.#builder.row(window);
      this.#row[place + fileCounter] = value;
    }
  }
}

/** Whether `bytes[start, start + length)` equals the `remembered` bytes of `rememberedLength`. */
function same(
  bytes: Uint8Array,
  start: number,
  length: number,
  remembered: Uint8Array,
  rememberedLength: number,
): boolean {
  if (length !== rememberedLength) return false;
  // From the end: times, databases and paths differ there more often than at their start.
  for (let i = length - 1; i >= 0; i--) if (bytes[start + i] !== remembered[i]) return false;
  return true;
}

/** Keeps `bytes[start, start + length)`; returns the length kept (-1: too long to keep). */
function remember(bytes: Buffer, start: number, length: number, into: Uint8Array): number {
  if (length > into.length) return -1;
  into.set(bytes.subarray(start, start + length));
  return length;
}

/** Whether `bytes[start, end)` is `Mean`. */
function isMean(bytes: Uint8Array, start: number, end: number): boolean {
  return (
    end - start === 4 &&
    bytes[start] === 77 &&
    bytes[start + 1] === 101 &&
    bytes[start + 2] === 97 &&
    bytes[start + 3] === 110
  );
}

/**
 * The index in `fileCounters` of the file counter `bytes[start, end)` names, or -1: the codes are
 * F, then N (number of), R (read) or W (written), then R, W, M (MB) or L (latency), as
 * `fileCounterCodes` lists them (FNR, FNW, FRM, FWM, FRL, FWL).
 */
function fileCounterAt(bytes: Uint8Array, start: number, end: number): number {
  if (end - start !== 3 || bytes[start] !== 70 /* F */) return -1;
  const second = bytes[start + 1];
  const third = bytes[start + 2];
  if (second === 78 /* N */) return third === 82 /* R */ ? 0 : third === 87 /* W */ ? 1 : -1;
  const written = second === 87 /* W */ ? 1 : second === 82 /* R */ ? 0 : -1;
  if (written < 0) return -1;
  if (third === 77 /* M */) return 2 + written;
  if (third === 76 /* L */) return 4 + written;
  return -1;
}

const powersOfTen = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * The number in `bytes[start, end)`. Plain decimals of at most 15 digits are read here, exactly: the
 * digits as an integer below 2^53 divided by a power of ten that a double holds exactly is the
 * correctly rounded value, as `Number()` gives. Anything else goes through `parsePerfNumber`; a field
 * that holds no number makes the scan give up (the general reader words the error).
 */
function readNumber(bytes: Buffer, start: number, end: number): number {
  let at = start;
  const negative = bytes[at] === 45;
  if (negative) at++;
  let integer = 0;
  let digits = 0;
  let fraction = -1; // digits after the point, once met
  for (; at < end; at++) {
    const c = bytes[at] as number;
    if (c >= 48 && c <= 57) {
      integer = integer * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) fraction = 0;
    else break;
  }
  if (at === end && digits > 0 && digits <= 15 && fraction !== 0) {
    const magnitude = fraction > 0 ? integer / (powersOfTen[fraction] as number) : integer;
    return negative ? -magnitude : magnitude;
  }
  const value = parsePerfNumber(bytes.toString('utf8', start, end));
  if (value === undefined) throw new ScanGaveUp('a value that is not a number');
  return value;
}
