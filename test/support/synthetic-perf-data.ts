/**
 * TEST SUPPORT — a stand-in for a perf collector: writes a synthetic perf-data folder (the three CSV
 * files, through sqlmig's own writer) from functions that say what each counter's window Mean is, so
 * tests and the benchmark can shape a workload (a CPU spike, a big database, too little data).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import {
  appendPerfRecords,
  formatPerfTime,
  perfDataFileName,
  perfTime,
  type AggregatedCounterRecord,
  type DbLevelRecord,
} from '../../src/sizing/index.js';

export interface SyntheticFile {
  readonly type: 'ROWS' | 'LOG';
  readonly sizeMB: number;
}

export interface SyntheticDatabase {
  readonly name: string;
  readonly files: readonly SyntheticFile[];
  readonly inMemoryOltp?: boolean;
}

export interface FileIo {
  readonly reads: number;
  readonly writes: number;
  readonly readMB: number;
  readonly writeMB: number;
  readonly readLatencyMs: number;
  readonly writeLatencyMs: number;
}

export interface SyntheticWorkload {
  readonly server?: string;
  readonly cores?: number;
  readonly tempDbSizeMB?: number;
  /** The first window's end time. */
  readonly start?: string;
  readonly windows: number;
  /** Samples per window (the Occurence), 20 by default: 10 minutes of 30-second samples. */
  readonly samples?: number;
  readonly databases: readonly SyntheticDatabase[];
  readonly cpuPercent?: (window: number) => number;
  readonly memoryMB?: (window: number) => number;
  readonly io?: (window: number, database: number, file: number) => FileIo;
}

const idle: FileIo = {
  reads: 0,
  writes: 0,
  readMB: 0,
  writeMB: 0,
  readLatencyMs: 0,
  writeLatencyMs: 0,
};

export function filePath(database: string, file: number, type: 'ROWS' | 'LOG'): string {
  return `D:\\data\\${database}_${file}.${type === 'LOG' ? 'ldf' : 'mdf'}`;
}

/** Writes the folder; returns the server prefix of its files. */
export async function writeSyntheticPerfData(
  folder: string,
  w: SyntheticWorkload,
): Promise<string> {
  await mkdir(folder, { recursive: true });
  const server = w.server ?? 'SYN';
  const prefix = `${server},MSSQLSERVER`;
  const samples = w.samples ?? 20;
  const first = perfTime(w.start ?? '2024-01-01 00:10:00');
  const collected = formatPerfTime(first);
  await appendPerfRecords('instance', join(folder, perfDataFileName(prefix, 'instance')), [
    {
      serverName: server,
      edition: 'Enterprise Edition (64-bit)',
      hyperthreadRatio: 2,
      isClustered: false,
      isHadrEnabled: false,
      logicalCpuCount: w.cores ?? 8,
      maxServerMemoryInUse: 2147483647,
      numberCoresUsed: w.cores ?? 8,
      numberOfUserDatabases: w.databases.length,
      physicalCpuCount: 1,
      productVersion: '16.0.1000.6',
      sqlStartTime: '2023-12-31 00:00:00',
      sumOfUserDatabasesSize: w.databases.reduce(
        (sum, db) => sum + db.files.reduce((s, f) => s + f.sizeMB, 0),
        0,
      ),
      tempDbSize: w.tempDbSizeMB ?? 1024,
      numOfLogins: 5,
      timeDataCollected: collected,
    },
  ]);
  const dbRecords: DbLevelRecord[] = w.databases.flatMap((db) =>
    db.files.map((f, i) => ({
      serverName: server,
      databaseName: db.name,
      logicalName: `${db.name}_${i}`,
      physicalFullName: filePath(db.name, i, f.type),
      fileType: f.type === 'LOG' ? 'Log' : 'Rows',
      sizeMB: f.sizeMB,
      isMemoryOptimizedDataOptionEnabled: db.inMemoryOltp ?? false,
      timeDataCollected: collected,
    })),
  );
  await appendPerfRecords(
    'database',
    join(folder, perfDataFileName(prefix, 'database')),
    dbRecords,
  );

  const aggregatedFile = join(folder, perfDataFileName(prefix, 'aggregated'));
  for (let window = 0; window < w.windows; window++) {
    const time = formatPerfTime(first + window * 600_000);
    const records: AggregatedCounterRecord[] = [];
    const counter = (
      databaseName: string,
      databaseFileName: string,
      fileType: string,
      counterName: string,
      mean: number,
    ): void => {
      const base = {
        serverName: server,
        databaseName,
        databaseFileName,
        fileType,
        timeDataCollected: time,
        counterName,
      };
      records.push(
        { ...base, aggregatorType: 'Mean', value: mean },
        { ...base, aggregatorType: 'Occurence', value: samples },
        { ...base, aggregatorType: 'Variance', value: 0 },
        { ...base, aggregatorType: 'Max', value: mean },
      );
    };
    counter('', '', '', 'IM', w.memoryMB?.(window) ?? 4096);
    counter('', '', '', 'IMP', 100);
    counter('', '', '', 'ICP', w.cpuPercent?.(window) ?? 10);
    w.databases.forEach((db, d) => {
      db.files.forEach((f, i) => {
        const io = w.io?.(window, d, i) ?? idle;
        const path = filePath(db.name, i, f.type);
        counter(db.name, path, f.type, 'FRM', io.readMB);
        counter(db.name, path, f.type, 'FWM', io.writeMB);
        counter(db.name, path, f.type, 'FNW', io.writes);
        counter(db.name, path, f.type, 'FNR', io.reads);
        counter(db.name, path, f.type, 'FRL', io.readLatencyMs);
        counter(db.name, path, f.type, 'FWL', io.writeLatencyMs);
      });
      counter(db.name, '', '', 'DCS', 100);
      counter(db.name, '', '', 'DCP', 1);
    });
    await appendPerfRecords('aggregated', aggregatedFile, records);
  }
  return prefix;
}
