/**
 * One candidate SKU against the requirements, dimension by dimension: what is needed, what the SKU
 * offers, whether it is enough. The limits come from the catalog's data.
 */
import {
  atVCores,
  type SkuCatalog,
  type SkuHardware,
  type SkuTier,
  type TierHardwareSpec,
} from '../catalog/sku-catalog.js';
import type { FileRequirement, SizingRequirements } from '../requirements/requirements.js';

export const dimensions = [
  'vCores',
  'memory',
  'storage',
  'tempdb',
  'iops',
  'throughput',
  'logRate',
  'latency',
  'databases',
  'files',
  'inMemoryOltp',
] as const;
export type Dimension = (typeof dimensions)[number];

/** Each dimension as the reports name it (the JSON keeps the ids). */
export const dimensionLabels: Readonly<Record<Dimension, string>> = {
  vCores: 'vCores',
  memory: 'memory',
  storage: 'storage',
  tempdb: 'tempdb',
  iops: 'IOPS',
  throughput: 'IO throughput',
  logRate: 'log rate',
  latency: 'IO latency',
  databases: 'databases',
  files: 'files',
  inMemoryOltp: 'In-Memory OLTP',
};

export interface DimensionCheck {
  readonly dimension: Dimension;
  readonly passed: boolean;
  /** What the workload needs, in words with units. */
  readonly needed: string;
  /** What the SKU offers. */
  readonly offered: string;
}

export interface Candidate {
  readonly tier: SkuTier;
  readonly hardware: SkuHardware;
  readonly vCores: number;
  /** Reserved storage, GB. */
  readonly storageGB: number;
  /** Per month at the price list's prices; undefined without prices. */
  readonly monthlyCost: number | undefined;
  readonly checks: readonly DimensionCheck[];
  readonly fits: boolean;
}

const fmt = (value: number, digits = 1): string =>
  Number.isInteger(value) ? String(value) : value.toFixed(digits);

/** The storage to reserve: the need rounded up to the step (and for Next-gen GP, enough to buy the
 * IOPS it needs at 3 IOPS per GB), capped at the SKU's maximum so the check can say it does not fit. */
export function storageFor(
  spec: TierHardwareSpec,
  vCores: number,
  needs: SizingRequirements,
  catalog: SkuCatalog,
): number {
  const step = catalog.storageStepGB;
  let gb = Math.max(needs.storageUsedGB, step);
  if (spec.io.kind === 'byStorage') {
    const maxStorage = atVCores(spec.maxStorageGB, vCores) ?? 0;
    gb = Math.max(gb, Math.min(needs.iops / spec.io.iopsPerGB, maxStorage));
  }
  return Math.ceil(gb / step - 1e-9) * step;
}

export function checkCandidate(
  spec: TierHardwareSpec,
  vCores: number,
  storageGB: number,
  needs: SizingRequirements,
): DimensionCheck[] {
  const checks: DimensionCheck[] = [];
  const add = (dimension: Dimension, passed: boolean, needed: string, offered: string): void => {
    checks.push({ dimension, passed, needed, offered });
  };
  add('vCores', vCores >= needs.vCores, `${fmt(needs.vCores, 2)} vCores`, `${vCores} vCores`);
  const memory = Math.min(spec.memoryGBPerVCore * vCores, spec.maxMemoryGB);
  add('memory', memory >= needs.memoryGB, `${fmt(needs.memoryGB, 2)} GB`, `${fmt(memory)} GB`);
  const maxStorage = atVCores(spec.maxStorageGB, vCores) ?? 0;
  add(
    'storage',
    storageGB <= maxStorage,
    `${fmt(needs.storageUsedGB, 2)} GB of data and log, reserved as ${storageGB} GB`,
    `up to ${maxStorage} GB`,
  );
  if (spec.tempdb !== undefined) {
    const tempdb = Math.min(
      Math.max(spec.tempdb.gbPerVCore * vCores, spec.tempdb.minGB),
      spec.tempdb.maxGB,
    );
    add('tempdb', tempdb >= needs.tempdbGB, `${fmt(needs.tempdbGB, 2)} GB`, `${tempdb} GB`);
  } else {
    const room = maxStorage - storageGB;
    add(
      'tempdb',
      room >= needs.tempdbGB,
      `${fmt(needs.tempdbGB, 2)} GB`,
      `${fmt(room)} GB of instance storage left beside the data`,
    );
  }
  const io = spec.io;
  if (io.kind === 'perFile') {
    const limitOf = (f: FileRequirement): { iops: number; mibPerSecond: number } =>
      io.steps.find((s) => f.sizeGiB <= s.upToFileGiB) ?? { iops: 0, mibPerSecond: 0 };
    const worstBy = (over: (f: FileRequirement) => number): FileRequirement | undefined =>
      needs.perFile.reduce<FileRequirement | undefined>(
        (worst, f) => (over(f) > 0 && (worst === undefined || over(f) > over(worst)) ? f : worst),
        undefined,
      );
    const iopsOver = worstBy((f) => f.iops - limitOf(f).iops);
    const mibOver = worstBy((f) => f.mibPerSecond - limitOf(f).mibPerSecond);
    add(
      'iops',
      iopsOver === undefined,
      iopsOver === undefined
        ? `${fmt(needs.iops)} IOPS in all, each file within its limit`
        : `${fmt(iopsOver.iops)} IOPS on ${iopsOver.file}`,
      iopsOver === undefined
        ? 'per file, by file size'
        : `${limitOf(iopsOver).iops} IOPS for a file of ${fmt(iopsOver.sizeGiB, 2)} GiB`,
    );
    add(
      'throughput',
      mibOver === undefined,
      mibOver === undefined
        ? `${fmt(needs.throughputMBps)} MB/s in all, each file within its limit`
        : `${fmt(mibOver.mibPerSecond)} MiB/s on ${mibOver.file}`,
      mibOver === undefined
        ? 'per file, by file size'
        : `${limitOf(mibOver).mibPerSecond} MiB/s for a file of ${fmt(mibOver.sizeGiB, 2)} GiB`,
    );
  } else if (io.kind === 'byStorage') {
    const iops = Math.min(
      Math.max(io.iopsPerGB * storageGB, io.minIops),
      atVCores(io.maxIops, vCores) ?? 0,
    );
    add(
      'iops',
      iops >= needs.iops,
      `${fmt(needs.iops)} IOPS`,
      `${iops} IOPS (${io.iopsPerGB} per reserved GB)`,
    );
    const mbps = Math.min(
      Math.max(iops / io.iopsPerMBps, io.minMBps),
      atVCores(io.maxMBps, vCores) ?? 0,
    );
    add(
      'throughput',
      mbps >= needs.throughputMBps,
      `${fmt(needs.throughputMBps)} MB/s`,
      `${fmt(mbps)} MB/s`,
    );
  } else {
    const iops = Math.min(io.iopsPerVCore * vCores, io.maxIops);
    add('iops', iops >= needs.iops, `${fmt(needs.iops)} IOPS`, `${iops} IOPS`);
    add('throughput', true, `${fmt(needs.throughputMBps)} MB/s`, 'not limited');
  }
  const logRate = Math.min(
    spec.logRate.mibPerSecondPerVCore * vCores,
    spec.logRate.maxMiBPerSecond,
  );
  add(
    'logRate',
    logRate >= needs.logWriteMBps,
    `${fmt(needs.logWriteMBps, 2)} MB/s of log writes`,
    `${fmt(logRate)} MiB/s`,
  );
  if (needs.latencyMs === undefined)
    add(
      'latency',
      true,
      'nothing (the instance is idle)',
      `${spec.latencyMs.low}–${spec.latencyMs.high} ms`,
    );
  else
    add(
      'latency',
      spec.latencyMs.low <= needs.latencyMs,
      `${fmt(needs.latencyMs, 2)} ms or better (today's IO latency)`,
      `${spec.latencyMs.low}–${spec.latencyMs.high} ms`,
    );
  add(
    'databases',
    needs.databases <= spec.maxDatabases,
    `${needs.databases} databases`,
    `up to ${spec.maxDatabases}`,
  );
  if ('perInstance' in spec.maxFiles)
    add(
      'files',
      needs.files <= spec.maxFiles.perInstance,
      `${needs.files} files`,
      `up to ${spec.maxFiles.perInstance} per instance`,
    );
  else
    add(
      'files',
      needs.maxFilesPerDatabase <= spec.maxFiles.perDatabase,
      `${needs.maxFilesPerDatabase} files in the largest database`,
      `up to ${spec.maxFiles.perDatabase} per database`,
    );
  const inMemory = needs.inMemoryOltpDatabases;
  add(
    'inMemoryOltp',
    inMemory.length === 0 || spec.inMemoryOltp,
    inMemory.length === 0 ? 'not used' : `used by ${inMemory.join(', ')}`,
    spec.inMemoryOltp ? 'supported' : 'not supported',
  );
  return checks;
}
