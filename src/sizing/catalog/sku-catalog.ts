/**
 * The shape of the Managed Instance SKU catalog: per service tier and hardware, the vCore options and
 * what each offers. The figures themselves are data (`managed-instance-skus.ts`) with their source and
 * date, never constants in code.
 */
export const serviceTiers = [
  'GeneralPurpose',
  'NextGenGeneralPurpose',
  'BusinessCritical',
] as const;
export type SkuTier = (typeof serviceTiers)[number];

export const hardwareGenerations = [
  'StandardSeries',
  'PremiumSeries',
  'PremiumSeriesMemoryOptimized',
] as const;
export type SkuHardware = (typeof hardwareGenerations)[number];

export const tierLabels: Record<SkuTier, string> = {
  GeneralPurpose: 'General Purpose',
  NextGenGeneralPurpose: 'Next-gen General Purpose',
  BusinessCritical: 'Business Critical',
};

export const hardwareLabels: Record<SkuHardware, string> = {
  StandardSeries: 'standard-series (Gen5)',
  PremiumSeries: 'premium-series',
  PremiumSeriesMemoryOptimized: 'memory-optimized premium-series',
};

/** A value that depends on the vCores: the first step whose `upToVCores` is at least the vCores. */
export interface VCoreStep {
  readonly upToVCores: number;
  readonly value: number;
}

/** How storage IO is limited. */
export type IoLimits =
  /** Per file, by file size (General Purpose). */
  | {
      readonly kind: 'perFile';
      readonly steps: readonly {
        readonly upToFileGiB: number;
        readonly iops: number;
        readonly mibPerSecond: number;
      }[];
    }
  /** By reserved storage, capped by the vCores (Next-gen General Purpose). */
  | {
      readonly kind: 'byStorage';
      readonly iopsPerGB: number;
      readonly minIops: number;
      readonly maxIops: readonly VCoreStep[];
      /** Throughput is IOPS divided by this, in MB/s. */
      readonly iopsPerMBps: number;
      readonly minMBps: number;
      readonly maxMBps: readonly VCoreStep[];
    }
  /** By vCores, throughput not limited (Business Critical). */
  | { readonly kind: 'byVCores'; readonly iopsPerVCore: number; readonly maxIops: number };

/** One service tier on one hardware generation. */
export interface TierHardwareSpec {
  readonly tier: SkuTier;
  readonly hardware: SkuHardware;
  readonly vCoreOptions: readonly number[];
  readonly memoryGBPerVCore: number;
  readonly maxMemoryGB: number;
  /** Max reserved instance storage, GB. */
  readonly maxStorageGB: readonly VCoreStep[];
  /** tempdb: GB per vCore between a floor and a cap; undefined when it shares the instance storage. */
  readonly tempdb?: {
    readonly gbPerVCore: number;
    readonly minGB: number;
    readonly maxGB: number;
  };
  readonly maxDatabases: number;
  /** Max database files: per instance, or per database. */
  readonly maxFiles: { readonly perInstance: number } | { readonly perDatabase: number };
  readonly io: IoLimits;
  /** Log write throughput: MiB/s per vCore up to a cap. */
  readonly logRate: { readonly mibPerSecondPerVCore: number; readonly maxMiBPerSecond: number };
  /** Approximate storage IO latency, ms. */
  readonly latencyMs: { readonly low: number; readonly high: number };
  readonly inMemoryOltp: boolean;
}

export interface SkuCatalog {
  /** Where the figures come from. */
  readonly source: string;
  /** The date of the source. */
  readonly date: string;
  /** Storage is reserved in steps of this many GB, and this much is the least. */
  readonly storageStepGB: number;
  readonly specs: readonly TierHardwareSpec[];
}

/** The value of a step table at `vCores`, or undefined above its last step. */
export function atVCores(steps: readonly VCoreStep[], vCores: number): number | undefined {
  for (const step of steps) if (vCores <= step.upToVCores) return step.value;
  return undefined;
}
