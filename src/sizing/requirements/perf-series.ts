/**
 * Reading a perf-data folder into time series: one value per 10-minute window for the instance
 * (CPU, memory, samples) and per database file (reads, writes, MB, latency), the Mean of each window
 * (the Max kept for CPU and memory), restricted to a time window and a choice of databases. The big
 * aggregated file is scanned on one thread per core (`series-threads.ts`); nothing of it is kept but
 * these numbers.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { SizingError } from '../errors.js';
import { perfFileLayouts } from '../perf-data/layouts.js';
import { readPerfFile } from '../perf-data/reader.js';
import type { DbLevelRecord, InstanceLevelRecord } from '../perf-data/records.js';
import type { FileSeries, SeriesSelection } from './series-builder.js';
import { readAggregatedSeries, type ReadAggregatedOptions } from './series-threads.js';

export type PerfSelection = SeriesSelection;
export type { FileSeries };

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
  options: ReadAggregatedOptions = {},
): Promise<PerfSeries> {
  const files = await findPerfDataFiles(folder);
  const wanted = selection.databases === undefined ? undefined : new Set(selection.databases);
  const excluded = new Set(selection.excludeDatabases ?? []);
  const includes = (db: string): boolean =>
    (wanted === undefined || wanted.has(db)) && !excluded.has(db);

  const instances =
    files.instance === undefined ? [] : (await readPerfFile('instance', files.instance)).records;
  const instance = latest(instances, () => '').at(0);
  const dbFiles =
    files.database === undefined ? [] : (await readPerfFile('database', files.database)).records;
  const databaseFiles = latest(
    dbFiles,
    (f) => `${f.databaseName}\u0000${f.physicalFullName}`,
  ).filter((f) => includes(f.databaseName));

  const { builder } = await readAggregatedSeries(files.aggregated, selection, options);
  const series = builder.finish();
  const seenDatabases = new Set([...dbFiles.map((f) => f.databaseName), ...series.seenDatabases]);
  return {
    folder,
    server: files.server,
    times: series.times,
    ...series.instance,
    files: series.files,
    instance,
    databaseFiles,
    unknownDatabases: [...(wanted ?? []), ...excluded].filter((db) => !seenDatabases.has(db)),
  };
}
