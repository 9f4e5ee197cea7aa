/**
 * The instance's requirements, dimension by dimension, from its series: the chosen percentile of the
 * 10-minute windows (each weighing its samples), times the scaling factor. Sizes and counts come from
 * the files as last collected. docs/sku-recommendation.md says which choices are Microsoft's and which
 * are sqlmig's.
 */
import { weightedPercentile } from './percentile.js';
import type { FileSeries, PerfSeries } from './perf-series.js';

export interface SizingMethod {
  /** 50–99; 95 by default. */
  readonly percentile: number;
  /** Percent; 100 by default. */
  readonly scalingFactor: number;
}

/** One file's IO at the percentile (General Purpose limits IO per file). */
export interface FileRequirement {
  readonly database: string;
  readonly file: string;
  readonly type: string;
  /** Size as last collected, GiB (0 when the database-level file does not list it). */
  readonly sizeGiB: number;
  readonly iops: number;
  readonly mibPerSecond: number;
}

export interface SizingRequirements {
  readonly vCores: number;
  readonly memoryGB: number;
  /** Data and log of the selected databases, GB, before rounding up to the storage step. */
  readonly storageUsedGB: number;
  readonly tempdbGB: number;
  readonly iops: number;
  readonly dataIops: number;
  readonly logIops: number;
  readonly throughputMBps: number;
  readonly logWriteMBps: number;
  /** IO-weighted latency at the percentile; undefined for an idle instance. */
  readonly latencyMs: number | undefined;
  readonly databases: number;
  readonly files: number;
  readonly maxFilesPerDatabase: number;
  /** Databases with a MEMORY_OPTIMIZED_DATA filegroup. */
  readonly inMemoryOltpDatabases: readonly string[];
  readonly perFile: readonly FileRequirement[];
  /** The peaks (the largest window Max or value), for the report. */
  readonly peaks: { readonly vCores: number; readonly memoryGB: number; readonly iops: number };
  /** The cores the source instance uses (the CPU % is of these). */
  readonly sourceCores: number;
}

/** An instance doing less IO than this (IOPS at the percentile) is idle: its latency says nothing. */
export const idleIops = 10;

/** The per-window series that the requirements and the report's charts are made of. */
export interface DimensionSeries {
  readonly vCores: number[];
  readonly memoryGB: number[];
  readonly iops: number[];
  readonly throughputMBps: number[];
  readonly logWriteMBps: number[];
  readonly latencyMs: number[];
}

const at = (values: readonly number[], i: number): number => {
  const v = values[i];
  return v === undefined || Number.isNaN(v) ? 0 : v;
};

export function dimensionSeries(series: PerfSeries): DimensionSeries {
  const cores = series.instance?.numberCoresUsed ?? series.instance?.logicalCpuCount ?? 1;
  const n = series.times.length;
  const iops = new Array<number>(n).fill(0);
  const throughput = new Array<number>(n).fill(0);
  const logWrite = new Array<number>(n).fill(0);
  const latencyWeighted = new Array<number>(n).fill(0);
  for (const f of series.files) {
    const log = f.type.toUpperCase() === 'LOG';
    for (let w = 0; w < n; w++) {
      const reads = at(f.reads, w);
      const writes = at(f.writes, w);
      iops[w] = (iops[w] ?? 0) + reads + writes;
      throughput[w] = (throughput[w] ?? 0) + at(f.readMB, w) + at(f.writeMB, w);
      if (log) logWrite[w] = (logWrite[w] ?? 0) + at(f.writeMB, w);
      latencyWeighted[w] =
        (latencyWeighted[w] ?? 0) +
        reads * at(f.readLatencyMs, w) +
        writes * at(f.writeLatencyMs, w);
    }
  }
  return {
    vCores: series.cpuPercent.map((p) => (p / 100) * cores),
    memoryGB: series.memoryMB.map((mb) => mb / 1024),
    iops,
    throughputMBps: throughput,
    logWriteMBps: logWrite,
    latencyMs: latencyWeighted.map((sum, w) => ((iops[w] ?? 0) > 0 ? sum / (iops[w] ?? 1) : NaN)),
  };
}

function fileIops(f: FileSeries, n: number): number[] {
  return Array.from({ length: n }, (_, w) => at(f.reads, w) + at(f.writes, w));
}

export function computeRequirements(
  series: PerfSeries,
  dimensions: DimensionSeries,
  method: SizingMethod,
): SizingRequirements {
  const p = method.percentile;
  const scale = method.scalingFactor / 100;
  const weights = series.samples.map((s) => (Number.isNaN(s) ? 1 : s));
  const pct = (values: readonly number[]): number => {
    const v = weightedPercentile(values, weights, p);
    return Number.isNaN(v) ? 0 : v;
  };
  const n = series.times.length;
  const sizes = new Map<string, number>();
  const filesPerDb = new Map<string, number>();
  let storageMB = 0;
  const inMemory = new Set<string>();
  for (const f of series.databaseFiles) {
    sizes.set(`${f.databaseName}\u0000${f.physicalFullName}`, f.sizeMB);
    filesPerDb.set(f.databaseName, (filesPerDb.get(f.databaseName) ?? 0) + 1);
    storageMB += f.sizeMB;
    if (f.isMemoryOptimizedDataOptionEnabled) inMemory.add(f.databaseName);
  }
  const logFiles = series.files.filter((f) => f.type.toUpperCase() === 'LOG');
  const sumSeries = (files: readonly FileSeries[]): number[] => {
    const total = new Array<number>(n).fill(0);
    for (const f of files)
      for (let w = 0; w < n; w++) total[w] = (total[w] ?? 0) + at(f.reads, w) + at(f.writes, w);
    return total;
  };
  const iops = pct(dimensions.iops) * scale;
  const latency = pct(dimensions.latencyMs);
  const max = (values: readonly number[]): number =>
    values.reduce((m, v) => (Number.isNaN(v) ? m : Math.max(m, v)), 0);
  const cores = series.instance?.numberCoresUsed ?? series.instance?.logicalCpuCount ?? 1;
  return {
    vCores: pct(dimensions.vCores) * scale,
    memoryGB: pct(dimensions.memoryGB) * scale,
    storageUsedGB: (storageMB / 1024) * scale,
    tempdbGB: ((series.instance?.tempDbSize ?? 0) / 1024) * scale,
    iops,
    dataIops: pct(sumSeries(series.files.filter((f) => f.type.toUpperCase() !== 'LOG'))) * scale,
    logIops: pct(sumSeries(logFiles)) * scale,
    throughputMBps: pct(dimensions.throughputMBps) * scale,
    logWriteMBps: pct(dimensions.logWriteMBps) * scale,
    latencyMs: iops < idleIops ? undefined : latency,
    databases: filesPerDb.size,
    files: series.databaseFiles.length,
    maxFilesPerDatabase: max([...filesPerDb.values()]),
    inMemoryOltpDatabases: [...inMemory].sort(),
    perFile: series.files.map((f) => ({
      database: f.database,
      file: f.file,
      type: f.type,
      sizeGiB: (sizes.get(`${f.database}\u0000${f.file}`) ?? 0) / 1024,
      iops: pct(fileIops(f, n)) * scale,
      mibPerSecond:
        pct(Array.from({ length: n }, (_, w) => at(f.readMB, w) + at(f.writeMB, w))) * scale,
    })),
    peaks: {
      vCores: (max(series.cpuMaxPercent) / 100) * cores,
      memoryGB: max(series.memoryMaxMB) / 1024,
      iops: max(dimensions.iops),
    },
    sourceCores: cores,
  };
}
