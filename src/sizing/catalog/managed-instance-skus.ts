/**
 * The Managed Instance SKUs as data: every service tier × hardware generation with its vCore options
 * and limits, from `../shared/docs/managed-instance-limits.md`, which took them from Microsoft Learn,
 * "Resource limits for Azure SQL Managed Instance" (page dated 2026-03-10). Where the page gives a range
 * by region (Business Critical 5.5 or 16 TB), the value every region offers is kept.
 */
import type { SkuCatalog, TierHardwareSpec, VCoreStep } from './sku-catalog.js';

const tb = (terabytes: number): number => terabytes * 1024;
const steps = (pairs: readonly (readonly [number, number])[]): VCoreStep[] =>
  pairs.map(([upToVCores, value]) => ({ upToVCores, value }));

const classicGpVCores = [4, 8, 16, 24, 32, 40, 64, 80];
const premiumVCores = [4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 56, 64, 80, 96, 128];

const memory = {
  StandardSeries: { memoryGBPerVCore: 5.1, maxMemoryGB: 408 },
  PremiumSeries: { memoryGBPerVCore: 7, maxMemoryGB: 560 },
  PremiumSeriesMemoryOptimized: { memoryGBPerVCore: 13.6, maxMemoryGB: 870.4 },
} as const;

// General Purpose: per-file IO by file size (current page; the 2022 page used ≤128 GiB etc.).
const gpIo = {
  kind: 'perFile',
  steps: [
    { upToFileGiB: 129, iops: 500, mibPerSecond: 100 },
    { upToFileGiB: 513, iops: 2300, mibPerSecond: 150 },
    { upToFileGiB: 1025, iops: 5000, mibPerSecond: 200 },
    { upToFileGiB: 2049, iops: 7500, mibPerSecond: 250 },
    { upToFileGiB: 4097, iops: 7500, mibPerSecond: 250 },
    { upToFileGiB: 8192, iops: 7500, mibPerSecond: 250 },
  ],
} as const;

const nextGenIo = {
  kind: 'byStorage',
  iopsPerGB: 3,
  minIops: 300,
  maxIops: steps([
    [4, 6400],
    [6, 9600],
    [8, 12800],
    [10, 16000],
    [12, 19200],
    [16, 25600],
    [20, 32000],
    [24, 38400],
    [32, 51200],
    [40, 64000],
    [48, 76800],
    [128, 80000],
  ]),
  iopsPerMBps: 30,
  minMBps: 75,
  maxMBps: steps([
    [4, 145],
    [6, 217],
    [8, 290],
    [10, 367],
    [12, 445],
    [16, 600],
    [20, 665],
    [24, 730],
    [32, 865],
    [48, 1152],
    [128, 1200],
  ]),
} as const;

const bcIo = { kind: 'byVCores', iopsPerVCore: 4000, maxIops: 320000 } as const;
const gpTempdb = { gbPerVCore: 24, minGB: 96, maxGB: 1920 };

const gpStorage = steps([
  [4, tb(2)],
  [8, tb(8)],
  [128, tb(16)],
]);
const nextGenStorage = steps([
  [6, tb(2)],
  [12, tb(8)],
  [24, tb(16)],
  [128, tb(32)],
]);

const generalPurpose = (hardware: TierHardwareSpec['hardware']): TierHardwareSpec => ({
  tier: 'GeneralPurpose',
  hardware,
  vCoreOptions: classicGpVCores, // 2 vCores only inside an instance pool
  ...memory[hardware],
  maxStorageGB: gpStorage,
  tempdb: gpTempdb,
  maxDatabases: 100,
  maxFiles: { perInstance: 280 },
  io: gpIo,
  logRate: { mibPerSecondPerVCore: 4.5, maxMiBPerSecond: 120 },
  latencyMs: { low: 5, high: 10 },
  inMemoryOltp: false,
});

const nextGen = (hardware: TierHardwareSpec['hardware']): TierHardwareSpec => ({
  tier: 'NextGenGeneralPurpose',
  hardware,
  vCoreOptions: hardware === 'StandardSeries' ? classicGpVCores : premiumVCores,
  ...memory[hardware],
  maxStorageGB: nextGenStorage,
  tempdb: gpTempdb,
  maxDatabases: 500,
  maxFiles: { perDatabase: 4096 },
  io: nextGenIo,
  logRate: { mibPerSecondPerVCore: 4.5, maxMiBPerSecond: 192 },
  latencyMs: { low: 3, high: 5 },
  inMemoryOltp: false,
});

const businessCritical = (
  hardware: TierHardwareSpec['hardware'],
  maxStorageGB: readonly VCoreStep[],
): TierHardwareSpec => ({
  tier: 'BusinessCritical',
  hardware,
  vCoreOptions: hardware === 'StandardSeries' ? classicGpVCores : premiumVCores,
  ...memory[hardware],
  maxStorageGB,
  maxDatabases: 100,
  maxFiles: { perDatabase: 32767 },
  io: bcIo,
  logRate:
    hardware === 'StandardSeries'
      ? { mibPerSecondPerVCore: 4.5, maxMiBPerSecond: 96 }
      : { mibPerSecondPerVCore: 12, maxMiBPerSecond: 192 },
  latencyMs: { low: 1, high: 2 },
  inMemoryOltp: true,
});

export const managedInstanceCatalog: SkuCatalog = {
  source:
    'Microsoft Learn, "Resource limits for Azure SQL Managed Instance" (https://learn.microsoft.com/azure/azure-sql/managed-instance/resource-limits), as summarised in docs/managed-instance-limits.md of the shared docs',
  date: '2026-03-10',
  storageStepGB: 32,
  specs: [
    generalPurpose('StandardSeries'),
    generalPurpose('PremiumSeries'),
    generalPurpose('PremiumSeriesMemoryOptimized'),
    nextGen('StandardSeries'),
    nextGen('PremiumSeries'),
    nextGen('PremiumSeriesMemoryOptimized'),
    businessCritical(
      'StandardSeries',
      steps([
        [16, tb(1)],
        [24, tb(2)],
        [80, tb(4)],
      ]),
    ),
    businessCritical(
      'PremiumSeries',
      steps([
        [6, tb(1)],
        [12, tb(2)],
        [20, tb(4)],
        [128, tb(5.5)], // 16 TB at 64–128 vCores only in the major regions
      ]),
    ),
    businessCritical(
      'PremiumSeriesMemoryOptimized',
      steps([
        [6, tb(1)],
        [12, tb(2)],
        [20, tb(4)],
        [40, tb(5.5)], // 8 TB at 32 and 40 vCores only in some regions
        [56, tb(12)],
        [128, tb(16)],
      ]),
    ),
  ],
};
