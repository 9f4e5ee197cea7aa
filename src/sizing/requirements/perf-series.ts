/**
 * Reading a perf-data folder into time series: one value per 10-minute window for the instance
 * (CPU, memory, samples) and per database file (reads, writes, MB, latency), the Mean of each window
 * (the Max kept for CPU and memory), restricted to a time window and a choice of databases. The big
 * aggregated file is streamed; nothing of it is kept but these numbers.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { SizingError } from '../errors.js';
import { perfFileLayouts } from '../perf-data/layouts.js';
import { readPerfFile, streamPerfFile } from '../perf-data/reader.js';
import type {
  AggregatedCounterRecord,
  DbLevelRecord,
  InstanceLevelRecord,
} from '../perf-data/records.js';

export interface PerfSelection {
  /** Windows ending at or after this time (`yyyy-MM-dd HH:mm:ss`). */
  readonly start?: string;
  /** Windows ending at or before this time. */
  readonly end?: string;
  /** Only these databases (names as in the files). */
  readonly databases?: readonly string[];
  /** All databases but these. */
  readonly excludeDatabases?: readonly string[];
}

/** One database file's series, indexed like `PerfSeries.times`. */
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

export interface PerfSeries {
  readonly folder: string;
  /** The files' prefix: `<machine>,<instance>`. */
  readonly server: string;
  /** The window end times, in order. */
  readonly times: string[];
  /** Samples in each window (the instance CPU counter's Occurence). */
  readonly samples: number[];
  readonly cpuPercent: number[];
  readonly cpuMaxPercent: number[];
  readonly memoryMB: number[];
  readonly memoryMaxMB: number[];
  readonly files: FileSeries[];
  /** The instance as last collected. */
  readonly instance: InstanceLevelRecord | undefined;
  /** The selected databases' files as last collected. */
  readonly databaseFiles: DbLevelRecord[];
  /** Databases the selection named that the data does not hold. */
  readonly unknownDatabases: string[];
}

/** The three files of the one server whose data the folder holds. */
export async function findPerfDataFiles(
  folder: string,
): Promise<{ server: string; instance?: string; database?: string; aggregated: string }> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new SizingError(
      'UnreadableFile',
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${folder} does not exist; --perf-data names the folder that holds the perf-data CSV files.`
        : `${folder} could not be read: ${(error as Error).message}`,
      {
        file: folder,
        cause: error,
      },
    );
  }
  const suffix = `_${perfFileLayouts.aggregated.fileSuffix}`;
  const servers = names.filter((n) => n.endsWith(suffix)).map((n) => n.slice(0, -suffix.length));
  const [server, ...others] = servers;
  if (server === undefined)
    throw new SizingError(
      'NoData',
      `${folder} holds no perf-data files (…${suffix}); collect some with sqlmig perf collect, or point --perf-data at the folder Microsoft's tools wrote.`,
      { file: folder },
    );
  if (others.length > 0)
    throw new SizingError(
      'InvalidOption',
      `${folder} holds the data of several servers (${servers.join(', ')}); put each server's files in a folder of its own.`,
      { file: folder },
    );
  const file = (kind: 'instance' | 'database'): string | undefined => {
    const name = `${server}_${perfFileLayouts[kind].fileSuffix}`;
    return names.includes(name) ? join(folder, name) : undefined;
  };
  const instance = file('instance');
  const database = file('database');
  return {
    server,
    ...(instance !== undefined ? { instance } : {}),
    ...(database !== undefined ? { database } : {}),
    aggregated: join(folder, `${server}${suffix}`),
  };
}

/** The latest record of each key. */
function latest<R extends { timeDataCollected: string }>(
  records: readonly R[],
  key: (r: R) => string,
): R[] {
  const byKey = new Map<string, R>();
  for (const r of records) {
    const seen = byKey.get(key(r));
    if (seen === undefined || r.timeDataCollected >= seen.timeDataCollected) byKey.set(key(r), r);
  }
  return [...byKey.values()];
}

export async function readPerfSeries(
  folder: string,
  selection: PerfSelection = {},
): Promise<PerfSeries> {
  const files = await findPerfDataFiles(folder);
  const wanted = selection.databases === undefined ? undefined : new Set(selection.databases);
  const excluded = new Set(selection.excludeDatabases ?? []);
  const includes = (db: string): boolean =>
    (wanted === undefined || wanted.has(db)) && !excluded.has(db);
  const seenDatabases = new Set<string>();

  const instances =
    files.instance === undefined ? [] : (await readPerfFile('instance', files.instance)).records;
  const instance = latest(instances, () => '').at(0);
  const dbFiles =
    files.database === undefined ? [] : (await readPerfFile('database', files.database)).records;
  for (const f of dbFiles) seenDatabases.add(f.databaseName);
  const databaseFiles = latest(
    dbFiles,
    (f) => `${f.databaseName}\u0000${f.physicalFullName}`,
  ).filter((f) => includes(f.databaseName));

  const times: string[] = [];
  const samples: number[] = [];
  const cpuPercent: number[] = [];
  const cpuMaxPercent: number[] = [];
  const memoryMB: number[] = [];
  const memoryMaxMB: number[] = [];
  const fileSeries: FileSeries[] = [];
  const fileIndex = new Map<string, FileSeries>();

  const start = selection.start;
  const end = selection.end;
  let lastTime = '';
  let window = -1; // index of lastTime, or -1 when outside the selection
  const windowIndex = new Map<string, number>();
  let lastDb = '';
  let dbIncluded = includes('');
  let lastFileKey = '';
  let lastFile: FileSeries | undefined;

  const onBatch = (batch: AggregatedCounterRecord[]): void => {
    for (const r of batch) {
      const time = r.timeDataCollected;
      if (time !== lastTime) {
        lastTime = time;
        if ((start !== undefined && time < start) || (end !== undefined && time > end)) window = -1;
        else {
          let index = windowIndex.get(time);
          if (index === undefined) {
            index = times.length;
            windowIndex.set(time, index);
            times.push(time);
          }
          window = index;
        }
      }
      if (window < 0) continue;
      const aggregator = r.aggregatorType;
      const counter = r.counterName;
      if (r.databaseName === '') {
        // Instance counters.
        if (counter === 'ICP') {
          if (aggregator === 'Mean') cpuPercent[window] = r.value;
          else if (aggregator === 'Max') cpuMaxPercent[window] = r.value;
          else if (aggregator === 'Occurence') samples[window] = r.value;
        } else if (counter === 'IM') {
          if (aggregator === 'Mean') memoryMB[window] = r.value;
          else if (aggregator === 'Max') memoryMaxMB[window] = r.value;
        }
        continue;
      }
      if (aggregator !== 'Mean' || r.databaseFileName === '') continue; // DCP, DCS: not used
      if (r.databaseName !== lastDb) {
        lastDb = r.databaseName;
        seenDatabases.add(lastDb);
        dbIncluded = includes(lastDb);
      }
      if (!dbIncluded) continue;
      const fileKey = r.databaseFileName;
      if (fileKey !== lastFileKey || lastFile?.database !== r.databaseName) {
        lastFileKey = fileKey;
        const key = `${r.databaseName}\u0000${fileKey}`;
        lastFile = fileIndex.get(key);
        if (lastFile === undefined) {
          lastFile = {
            database: r.databaseName,
            file: fileKey,
            type: r.fileType,
            reads: [],
            writes: [],
            readMB: [],
            writeMB: [],
            readLatencyMs: [],
            writeLatencyMs: [],
          };
          fileIndex.set(key, lastFile);
          fileSeries.push(lastFile);
        }
      }
      switch (counter) {
        case 'FNR':
          lastFile.reads[window] = r.value;
          break;
        case 'FNW':
          lastFile.writes[window] = r.value;
          break;
        case 'FRM':
          lastFile.readMB[window] = r.value;
          break;
        case 'FWM':
          lastFile.writeMB[window] = r.value;
          break;
        case 'FRL':
          lastFile.readLatencyMs[window] = r.value;
          break;
        case 'FWL':
          lastFile.writeLatencyMs[window] = r.value;
          break;
      }
    }
  };
  await streamPerfFile('aggregated', files.aggregated, onBatch);

  // Windows in time order (the files are, but nothing forces a merged folder to be).
  const order = times
    .map((_, i) => i)
    .sort((a, b) => ((times[a] as string) < (times[b] as string) ? -1 : 1));
  const reorder = (values: number[]): number[] => order.map((i) => values[i] ?? NaN);
  for (const f of fileSeries)
    for (const k of [
      'reads',
      'writes',
      'readMB',
      'writeMB',
      'readLatencyMs',
      'writeLatencyMs',
    ] as const) {
      const sorted = reorder(f[k]);
      f[k].length = 0;
      f[k].push(...sorted);
    }
  return {
    folder,
    server: files.server,
    times: order.map((i) => times[i] as string),
    samples: reorder(samples),
    cpuPercent: reorder(cpuPercent),
    cpuMaxPercent: reorder(cpuMaxPercent),
    memoryMB: reorder(memoryMB),
    memoryMaxMB: reorder(memoryMaxMB),
    files: fileSeries,
    instance,
    databaseFiles,
    unknownDatabases: [...(wanted ?? []), ...excluded].filter((db) => !seenDatabases.has(db)),
  };
}
