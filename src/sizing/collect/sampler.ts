/**
 * One performance sample: five DMV reads at one moment, kept raw (cumulative counters as the source
 * gave them). Turning consecutive samples into rates is `perf-window.ts`'s job, so a sample is plain
 * data that tests can build by hand.
 */
import type { SqlConnection } from '../../sql/index.js';
import { requiredDmvQuery } from './dmv-queries.js';
import { numberIn, onlyRow, optionalNumberIn, textIn } from './row-values.js';
import { runQuery } from './run-query.js';
import type { SourceFacts } from './source-facts.js';

/** Cumulative IO counters of one data or log file since the instance started. */
export interface FileIoCounters {
  readonly databaseName: string;
  readonly physicalName: string;
  /** `ROWS` or `LOG`. */
  readonly fileType: string;
  readonly reads: number;
  readonly bytesRead: number;
  readonly readStallMs: number;
  readonly writes: number;
  readonly bytesWritten: number;
  readonly writeStallMs: number;
}

export interface PerfSample {
  /** The collector's clock when the sample was taken (ms); rates are per second of it. */
  readonly atMs: number;
  /** The source's local time, `yyyy-mm-dd hh:mi:ss`. */
  readonly serverTime: string;
  /** When the instance started: a different value means it restarted and its counters began again. */
  readonly sqlStartTime: string;
  /** The SQL Server process's CPU % over its latest minute; null when the ring buffer has none yet. */
  readonly cpuPercent: number | null;
  readonly memoryInUseKb: number;
  readonly memoryUtilizationPercent: number;
  readonly files: readonly FileIoCounters[];
  /** Cumulative worker time (µs) of each database's cached plans. */
  readonly databaseCpuUs: ReadonlyMap<string, number>;
  /** 8 KB pages each database holds in the buffer pool. */
  readonly bufferPages: ReadonlyMap<string, number>;
}

export async function takeSample(
  connection: SqlConnection,
  facts: SourceFacts,
  atMs: number,
): Promise<PerfSample> {
  const run = async (id: Parameters<typeof requiredDmvQuery>[0]) =>
    runQuery(connection, id, requiredDmvQuery(id, facts.version).sql, facts.loginName);
  const instance = onlyRow(await run('instanceSample'), 'instanceSample');
  const cpu = (await run('cpuRingBuffer'))[0];
  const files = (await run('fileIo')).map((row): FileIoCounters => ({
    databaseName: textIn(row, 'databaseName', 'fileIo'),
    physicalName: textIn(row, 'physicalName', 'fileIo'),
    fileType: textIn(row, 'fileType', 'fileIo'),
    reads: numberIn(row, 'reads', 'fileIo'),
    bytesRead: numberIn(row, 'bytesRead', 'fileIo'),
    readStallMs: numberIn(row, 'readStallMs', 'fileIo'),
    writes: numberIn(row, 'writes', 'fileIo'),
    bytesWritten: numberIn(row, 'bytesWritten', 'fileIo'),
    writeStallMs: numberIn(row, 'writeStallMs', 'fileIo'),
  }));
  const databaseCpuUs = new Map(
    (await run('databaseCpu')).map((row) => [
      textIn(row, 'databaseName', 'databaseCpu'),
      numberIn(row, 'workerTimeUs', 'databaseCpu'),
    ]),
  );
  const bufferPages = new Map(
    (await run('bufferPool')).map((row) => [
      textIn(row, 'databaseName', 'bufferPool'),
      numberIn(row, 'pages', 'bufferPool'),
    ]),
  );
  return {
    atMs,
    serverTime: textIn(instance, 'serverTime', 'instanceSample'),
    sqlStartTime: textIn(instance, 'sqlStartTime', 'instanceSample'),
    cpuPercent: cpu ? optionalNumberIn(cpu, 'sqlCpuPercent', 'cpuRingBuffer') : null,
    memoryInUseKb: numberIn(instance, 'memoryInUseKb', 'instanceSample'),
    memoryUtilizationPercent: numberIn(instance, 'memoryUtilizationPercent', 'instanceSample'),
    files,
    databaseCpuUs,
    bufferPages,
  };
}
