/**
 * Building the time series of the aggregated file: one value per 10-minute window for the instance
 * (CPU, memory, samples) and per database file (the Mean of reads, writes, MB and latency), restricted
 * to a time window and a choice of databases. Lines reach it as records (the general reader) or
 * already taken apart (the byte scan of `series-scan.ts`); a builder that read part of the file on
 * another thread hands over its `SeriesPart`, merged in file order, so that the last value of a window
 * in the file is the one kept, whichever way it was read.
 */
import type { AggregatedCounterRecord } from '../perf-data/records.js';

export interface SeriesSelection {
  /** Windows ending at or after this time (`yyyy-MM-dd HH:mm:ss`). */
  readonly start?: string;
  /** Windows ending at or before this time. */
  readonly end?: string;
  /** Only these databases (names as in the files). */
  readonly databases?: readonly string[];
  /** All databases but these. */
  readonly excludeDatabases?: readonly string[];
}

/** One database file's series, indexed like the builder's windows. */
export interface FileSeries {
  readonly database: string;
  /** The physical path, as the aggregated file names it. */
  readonly file: string;
  /** `ROWS` or `LOG`. */
  readonly type: string;
  readonly reads: number[];
  readonly writes: number[];
  readonly readMB: number[];
  readonly writeMB: number[];
  readonly readLatencyMs: number[];
  readonly writeLatencyMs: number[];
}

export const fileCounters = [
  'reads',
  'writes',
  'readMB',
  'writeMB',
  'readLatencyMs',
  'writeLatencyMs',
] as const;
export type FileCounter = (typeof fileCounters)[number];

/** The instance values of a window, by aggregate. */
export const instanceValues = [
  'samples',
  'cpuPercent',
  'cpuMaxPercent',
  'memoryMB',
  'memoryMaxMB',
] as const;
export type InstanceValue = (typeof instanceValues)[number];

/** Which instance value an instance counter's aggregate gives, if any. */
export function instanceValueOf(counter: string, aggregator: string): InstanceValue | undefined {
  if (counter === 'ICP') {
    if (aggregator === 'Mean') return 'cpuPercent';
    if (aggregator === 'Max') return 'cpuMaxPercent';
    if (aggregator === 'Occurence') return 'samples';
  } else if (counter === 'IM') {
    if (aggregator === 'Mean') return 'memoryMB';
    if (aggregator === 'Max') return 'memoryMaxMB';
  }
  return undefined;
}

/** The file counters' codes, in the order of `fileCounters`. */
export const fileCounterCodes = ['FNR', 'FNW', 'FRM', 'FWM', 'FRL', 'FWL'] as const;

/**
 * Which file series (its index in `fileCounters`) a file counter's Mean gives, or -1 (DCP and DCS,
 * per database, are not used).
 */
export function fileCounterOf(counter: string): number {
  return (fileCounterCodes as readonly string[]).indexOf(counter);
}

/** A database file as the builder knows it: its values are in the rows, at `index × fileCounters.length`. */
export interface FileEntry {
  readonly database: string;
  readonly file: string;
  readonly type: string;
  /** Its place in the rows, in the order files were met. */
  readonly index: number;
}

/** Values per file in a row: one per file counter. */
export const rowStride = fileCounters.length;

/** What a builder read, in a form that crosses threads. */
export interface SeriesPart {
  /** Its windows' end times, in the order first met. */
  readonly times: string[];
  /** By window; holes where a window has no value. */
  readonly instance: Record<InstanceValue, number[]>;
  readonly files: FileEntry[];
  /** By window: each file's values (NaN: none), as `SeriesBuilder.row` keeps them. */
  readonly rows: Float64Array<ArrayBuffer>[];
  /** Databases met in file lines, selected or not. */
  readonly seenDatabases: string[];
}

/**
 * The series being built. File values are kept a row per window, each file's at its index: the lines
 * of a window come file after file, so they are stored one after the other in memory (a file's own
 * array per counter, written a value per window, is several times slower). A NaN is no value: it
 * does not replace a number read earlier for the same window.
 */
export class SeriesBuilder {
  readonly #start: string | undefined;
  readonly #end: string | undefined;
  readonly #wanted: ReadonlySet<string> | undefined;
  readonly #excluded: ReadonlySet<string>;
  readonly #times: string[] = [];
  readonly #windowIndex = new Map<string, number>();
  readonly #instance: Record<InstanceValue, number[]> = {
    samples: [],
    cpuPercent: [],
    cpuMaxPercent: [],
    memoryMB: [],
    memoryMaxMB: [],
  };
  readonly #rows: Float64Array<ArrayBuffer>[] = [];
  readonly #files: FileEntry[] = [];
  readonly #fileIndex = new Map<string, FileEntry>();
  readonly #seenDatabases = new Set<string>();
  readonly #included = new Map<string, boolean>();
  // The record path's memory of the line before (the file's lines come in runs).
  #lastTime = '';
  #lastWindow = -1;
  #lastDatabase = '';
  #lastIncluded = false;
  #lastFile: FileEntry | undefined;

  constructor(selection: SeriesSelection = {}) {
    this.#start = selection.start;
    this.#end = selection.end;
    this.#wanted = selection.databases === undefined ? undefined : new Set(selection.databases);
    this.#excluded = new Set(selection.excludeDatabases ?? []);
    this.#lastIncluded = this.#includes('');
  }

  /** The index of the window ending at `time`, or -1 when the selection leaves it out. */
  window(time: string): number {
    if (
      (this.#start !== undefined && time < this.#start) ||
      (this.#end !== undefined && time > this.#end)
    )
      return -1;
    let index = this.#windowIndex.get(time);
    if (index === undefined) {
      index = this.#times.length;
      this.#windowIndex.set(time, index);
      this.#times.push(time);
    }
    return index;
  }

  /** Notes a database met in a file line; whether the selection includes it. */
  database(name: string): boolean {
    let included = this.#included.get(name);
    if (included === undefined) {
      this.#seenDatabases.add(name);
      included = this.#includes(name);
      this.#included.set(name, included);
    }
    return included;
  }

  /** A database's file, noted when first met (its type is the first line's). */
  file(database: string, file: string, type: string): FileEntry {
    const key = `${database}\u0000${file}`;
    let entry = this.#fileIndex.get(key);
    if (entry === undefined) {
      entry = { database, file, type, index: this.#files.length };
      this.#fileIndex.set(key, entry);
      this.#files.push(entry);
    }
    return entry;
  }

  /**
   * The row of file values of `window`, long enough for every file met so far: store a file's
   * counter at `file.index * rowStride + counter` (a NaN stores nothing).
   */
  row(window: number): Float64Array<ArrayBuffer> {
    const needed = this.#files.length * rowStride;
    let row = this.#rows[window];
    if (row === undefined || row.length < needed) {
      // A new row holds the files met so far; a row that grows (files still being met) doubles.
      const length = row === undefined ? needed : Math.max(needed, row.length * 2, 64 * rowStride);
      const grown = new Float64Array(length).fill(NaN);
      if (row !== undefined) grown.set(row);
      row = grown;
      for (let w = this.#rows.length; w < window; w++) this.#rows[w] ??= new Float64Array(0);
      this.#rows[window] = row;
    }
    return row;
  }

  setInstance(value: InstanceValue, window: number, number: number): void {
    this.#instance[value][window] = number;
  }

  /** One line of the aggregated file, as the general reader gives it. */
  addRecord(r: AggregatedCounterRecord): void {
    const time = r.timeDataCollected;
    if (time !== this.#lastTime) {
      this.#lastTime = time;
      this.#lastWindow = this.window(time);
    }
    const window = this.#lastWindow;
    if (window < 0) return;
    if (r.databaseName === '') {
      const value = instanceValueOf(r.counterName, r.aggregatorType);
      if (value !== undefined) this.#instance[value][window] = r.value;
      return;
    }
    if (r.aggregatorType !== 'Mean' || r.databaseFileName === '') return;
    if (r.databaseName !== this.#lastDatabase) {
      this.#lastDatabase = r.databaseName;
      this.#lastIncluded = this.database(r.databaseName);
      this.#lastFile = undefined;
    }
    if (!this.#lastIncluded) return;
    let file = this.#lastFile;
    if (file?.file !== r.databaseFileName) {
      file = this.file(r.databaseName, r.databaseFileName, r.fileType);
      this.#lastFile = file;
    }
    const counter = fileCounterOf(r.counterName);
    if (counter >= 0 && !Number.isNaN(r.value))
      this.row(window)[file.index * rowStride + counter] = r.value;
  }

  /** What this builder read, to hand to the builder of the whole file. */
  part(): SeriesPart {
    return {
      times: this.#times,
      instance: this.#instance,
      files: this.#files,
      rows: this.#rows,
      seenDatabases: [...this.#seenDatabases],
    };
  }

  /** Adds what another builder read of the file's next lines (with the same selection). */
  merge(part: SeriesPart): void {
    const windows = part.times.map((time) => this.window(time));
    for (const name of instanceValues) copyInto(this.#instance[name], part.instance[name], windows);
    const places = part.files.map((f) => this.file(f.database, f.file, f.type).index * rowStride);
    part.rows.forEach((from, w) => {
      const window = windows[w] as number;
      if (window < 0 || from.length === 0) return;
      const into = this.row(window);
      places.forEach((place, f) => {
        for (let c = 0; c < rowStride; c++) {
          const value = from[f * rowStride + c] as number;
          if (!Number.isNaN(value)) into[place + c] = value;
        }
      });
    });
    for (const name of part.seenDatabases) this.database(name);
  }

  /** The windows in time order, each series indexed likewise (NaN where a window has no value). */
  finish(): {
    times: string[];
    instance: Record<InstanceValue, number[]>;
    files: FileSeries[];
    seenDatabases: ReadonlySet<string>;
  } {
    // The files are in time order, but nothing forces a merged folder to be.
    const times = this.#times;
    const order = times
      .map((_, i) => i)
      .sort((a, b) => ((times[a] as string) < (times[b] as string) ? -1 : 1));
    const instance = {} as Record<InstanceValue, number[]>;
    for (const name of instanceValues)
      instance[name] = order.map((i) => this.#instance[name][i] ?? NaN);
    const columns = this.#files.map(() =>
      fileCounters.map((): number[] => new Array<number>(order.length).fill(NaN)),
    );
    order.forEach((window, w) => {
      const row = this.#rows[window];
      if (row === undefined) return;
      const count = Math.min(columns.length, row.length / rowStride);
      for (let f = 0; f < count; f++) {
        const counters = columns[f] as number[][];
        for (let c = 0; c < rowStride; c++)
          (counters[c] as number[])[w] = row[f * rowStride + c] as number;
      }
    });
    const files = this.#files.map((f, i): FileSeries => {
      const [
        reads = [],
        writes = [],
        readMB = [],
        writeMB = [],
        readLatencyMs = [],
        writeLatencyMs = [],
      ] = columns[i] as number[][];
      return {
        database: f.database,
        file: f.file,
        type: f.type,
        reads,
        writes,
        readMB,
        writeMB,
        readLatencyMs,
        writeLatencyMs,
      };
    });
    return {
      times: order.map((i) => times[i] as string),
      instance,
      files,
      seenDatabases: this.#seenDatabases,
    };
  }

  #includes(database: string): boolean {
    return (
      (this.#wanted === undefined || this.#wanted.has(database)) && !this.#excluded.has(database)
    );
  }
}

/** `from[i]`, where it has a value, into `into[windows[i]]` (windows the selection left out are -1). */
function copyInto(into: number[], from: readonly number[], windows: readonly number[]): void {
  for (let i = 0; i < from.length; i++) {
    const value = from[i];
    const window = windows[i] as number;
    if (value !== undefined && window >= 0) into[window] = value;
  }
}
