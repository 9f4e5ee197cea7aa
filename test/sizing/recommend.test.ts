/**
 * The recommender: requirements from the corpus data against values worked out by hand here, and
 * synthetic workloads at each dimension's edge (a CPU spike above the percentile, In-Memory OLTP,
 * storage at a tier boundary, too little data, nothing fits, prices).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  priceList,
  recommendSku,
  renderSkuHtml,
  renderSkuJson,
  renderSkuText,
  type SkuRecommendation,
} from '../../src/sizing/index.js';
import {
  hasPerfDataCorpus,
  perfDataCorpus,
  perfDataSkipReason,
} from '../support/perf-data-corpus.js';
import { writeSyntheticPerfData, type SyntheticDatabase } from '../support/synthetic-perf-data.js';

describe.skipIf(!hasPerfDataCorpus)(`the corpus data (${perfDataSkipReason})`, () => {
  it('gives the requirements worked out by hand', async () => {
    const report = await recommendSku(perfDataCorpus, { now: new Date('2024-01-01T00:00:00Z') });
    const r = report.requirements;
    // IM (memory in use, MB), the Mean of the 23 windows, sorted: 366, 366.2, 366.85, 367 ×4,
    // 370.25, 371 ×15. Each window holds 20 samples (Occurence): 460 in all; the 95th percentile is
    // the first value whose running total reaches 0.95 × 460 = 437 samples: the 22nd (22 × 20 = 440;
    // 21 × 20 = 420 falls short), 371 MB = 371 / 1024 GB.
    expect(r.memoryGB).toBeCloseTo(371 / 1024, 10);
    // ICP (CPU %) is 0 in every window: 0 vCores; the source uses NumberCoresUsed = 2.
    expect(r.vCores).toBe(0);
    expect(r.sourceCores).toBe(2);
    // CommonDbLevel: test.mdf 3 + test_log.ldf 1 + test1.mdf 195.9375 + test1_1.LDF 3.75 = 203.6875 MB.
    expect(r.storageUsedGB).toBeCloseTo(203.6875 / 1024, 10);
    // TempDbSize 8 MB.
    expect(r.tempdbGB).toBeCloseTo(8 / 1024, 10);
    expect([r.databases, r.files, r.maxFilesPerDatabase]).toEqual([2, 4, 2]);
    // Every file counter is 0: idle, so latency is not a requirement.
    expect([r.iops, r.throughputMBps, r.logWriteMBps, r.latencyMs]).toEqual([0, 0, 0, undefined]);
    expect(r.inMemoryOltpDatabases).toEqual([]);
    // Confidence: from 10 minutes before the first window (2021-10-27 23:08:39) to the last
    // (2021-10-28 19:01:34) is 19 h 52 min 55 s = 71,575 s = 2,385.8 → 2,386 expected samples;
    // 460 present = 19.3 % → one star (0–20 %). 460 × 30 s = 230 minutes sampled.
    expect(report.confidence).toEqual({
      expectedSamples: 2386,
      presentSamples: 460,
      share: 460 / 2386,
      stars: 1,
    });
    expect(report.perfData.sampledMinutes).toBe(230);
    // Nothing is needed beyond the least: the smallest SKU, General Purpose Gen5 at 4 vCores and the
    // least storage, 32 GB.
    expect(report.status).toBe('Recommended');
    expect(report.recommendation).toMatchObject({
      tier: 'GeneralPurpose',
      hardware: 'StandardSeries',
      vCores: 4,
      storageGB: 32,
      fits: true,
    });
    expect(report.ruledOut).toEqual([]);
  });

  it('follows the time window, the percentile, the scaling factor and the databases chosen', async () => {
    const report = await recommendSku(perfDataCorpus, {
      end: '2021-10-27 23:53:00',
      percentile: 50,
      scalingFactor: 150,
      databases: ['test1'],
    });
    // Four windows up to 23:53:00: IM 366, 366.2, 366.85, 367 (20 samples each, 80 in all); the 50th
    // percentile is the first to reach 40 samples: 366.2 MB; × 150 % = 549.3 MB.
    expect(report.requirements.memoryGB).toBeCloseTo((366.2 * 1.5) / 1024, 10);
    // test1 alone: 195.9375 + 3.75 = 199.6875 MB × 150 %.
    expect(report.requirements.storageUsedGB).toBeCloseTo((199.6875 * 1.5) / 1024, 10);
    expect([report.requirements.databases, report.requirements.files]).toEqual([1, 2]);
    // 23:08:39 → 23:53:00 is 2,661 s = 88.7 → 89 expected samples; 80 present = 89.9 % → five stars.
    expect(report.confidence).toMatchObject({ expectedSamples: 89, presentSamples: 80, stars: 5 });
  });
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlmig-sku-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const oneDb = (sizeMB: number, inMemoryOltp = false): SyntheticDatabase[] => [
  {
    name: 'Sales',
    inMemoryOltp,
    files: [
      { type: 'ROWS', sizeMB },
      { type: 'LOG', sizeMB: 1024 },
    ],
  },
];

function failed(
  report: SkuRecommendation,
  tier: string,
  hardware: string,
  vCores: number,
): string[] {
  const c = report.candidates.find(
    (x) => x.tier === tier && x.hardware === hardware && x.vCores === vCores,
  );
  return c?.checks.filter((x) => !x.passed).map((x) => x.dimension) ?? ['(no such candidate)'];
}

describe('synthetic workloads at the edges', () => {
  it('a CPU spike in fewer windows than the percentile leaves out does not size the instance', async () => {
    // 100 windows at 25 % of 8 cores (2 vCores), window 50 at 100 % (8 vCores).
    await writeSyntheticPerfData(dir, {
      windows: 100,
      cores: 8,
      databases: oneDb(10 * 1024),
      cpuPercent: (w) => (w === 50 ? 100 : 25),
    });
    const report = await recommendSku(dir);
    // 95th percentile: the first value reaching 0.95 × 2,000 samples = 1,900, the 95th of 100 sorted
    // windows: 25 % × 8 = 2 vCores. The spike shows as the peak only.
    expect(report.requirements.vCores).toBe(2);
    expect(report.requirements.peaks.vCores).toBe(8);
    expect(report.recommendation).toMatchObject({ tier: 'GeneralPurpose', vCores: 4 });
  });

  it('a load above the percentile in more windows than it leaves out does', async () => {
    // Six windows at 100 %: the 95th of 100 sorted windows is now one of them: 8 vCores.
    await writeSyntheticPerfData(dir, {
      windows: 100,
      cores: 8,
      databases: oneDb(10 * 1024),
      cpuPercent: (w) => (w % 17 === 0 ? 100 : 25),
    });
    const report = await recommendSku(dir);
    expect(report.requirements.vCores).toBe(8);
    expect(report.recommendation).toMatchObject({ tier: 'GeneralPurpose', vCores: 8 });
    expect(failed(report, 'GeneralPurpose', 'StandardSeries', 4)).toEqual(['vCores']);
    expect(report.ruledOut.length).toBeGreaterThan(0);
    expect(report.ruledOut.every((c) => c.checks.some((x) => !x.passed))).toBe(true);
  });

  it('In-Memory OLTP forces Business Critical', async () => {
    await writeSyntheticPerfData(dir, { windows: 6, databases: oneDb(1024, true) });
    const report = await recommendSku(dir);
    expect(report.requirements.inMemoryOltpDatabases).toEqual(['Sales']);
    expect(report.recommendation).toMatchObject({ tier: 'BusinessCritical', vCores: 4 });
    expect(failed(report, 'GeneralPurpose', 'StandardSeries', 4)).toEqual(['inMemoryOltp']);
    expect(failed(report, 'NextGenGeneralPurpose', 'StandardSeries', 4)).toEqual(['inMemoryOltp']);
  });

  it('storage at the 2 TB boundary of 4 vCores fits; one MB more needs 8 vCores', async () => {
    // 2,047 GB of data + 1 GB of log = 2,048 GB: exactly 64 steps of 32 GB, the most 4 vCores take.
    await writeSyntheticPerfData(dir, { windows: 3, databases: oneDb(2047 * 1024) });
    const atBoundary = await recommendSku(dir);
    expect(atBoundary.requirements.storageUsedGB).toBe(2048);
    expect(atBoundary.recommendation).toMatchObject({
      tier: 'GeneralPurpose',
      vCores: 4,
      storageGB: 2048,
    });
    const second = join(dir, 'over');
    await writeSyntheticPerfData(second, { windows: 3, databases: oneDb(2047 * 1024 + 1) });
    const over = await recommendSku(second);
    // 2,048 GB + 1 MB rounds up to 2,080 GB: more than the 2 TB of every 4-vCore SKU.
    expect(failed(over, 'GeneralPurpose', 'StandardSeries', 4)).toEqual(['storage']);
    // Business Critical's tempdb shares the instance storage, so none is left for it either.
    expect(failed(over, 'BusinessCritical', 'StandardSeries', 4)).toEqual(['storage', 'tempdb']);
    expect(over.recommendation).toMatchObject({
      tier: 'GeneralPurpose',
      hardware: 'StandardSeries',
      vCores: 8,
      storageGB: 2080,
    });
  });

  it('says so when less than 10 minutes of data exist', async () => {
    await writeSyntheticPerfData(dir, { windows: 1, samples: 19, databases: oneDb(1024) });
    const report = await recommendSku(dir);
    expect(report.status).toBe('TooLittleData');
    expect(report.recommendation).toBeUndefined();
    expect(report.summary).toContain('Only 9.5 minutes of data');
    expect(renderSkuText(report)).toContain('Not enough data');
    const second = join(dir, 'ten-minutes');
    await writeSyntheticPerfData(second, { windows: 1, samples: 20, databases: oneDb(1024) });
    expect((await recommendSku(second)).status).toBe('Recommended');
  });

  it('says so when no SKU fits', async () => {
    // 1,000 GB of memory in use: more than the 870.4 GB of the largest memory-optimized SKU.
    await writeSyntheticPerfData(dir, {
      windows: 3,
      databases: oneDb(1024),
      memoryMB: () => 1000 * 1024,
    });
    const report = await recommendSku(dir);
    expect(report.status).toBe('NoSkuFits');
    expect(report.recommendation).toBeUndefined();
    expect(report.ruledOut).toHaveLength(report.candidates.length);
    expect(
      report.candidates.every((c) =>
        failed(report, c.tier, c.hardware, c.vCores).includes('memory'),
      ),
    ).toBe(true);
    expect(renderSkuText(report)).toContain('No SKU fits');
  });

  it('General Purpose limits IO per file by its size; Next-gen buys IOPS with storage', async () => {
    // One 100 GiB data file doing 1,000 IOPS: over the 500 IOPS of a General Purpose file ≤ 129 GiB.
    await writeSyntheticPerfData(dir, {
      windows: 6,
      databases: oneDb(100 * 1024),
      io: (_w, _d, f) => ({
        reads: f === 0 ? 600 : 0,
        writes: f === 0 ? 400 : 10,
        readMB: 5,
        writeMB: 2,
        readLatencyMs: 4,
        writeLatencyMs: 6,
      }),
    });
    const report = await recommendSku(dir);
    expect(report.requirements.iops).toBe(1010);
    // IO-weighted latency: (600 × 4 + 400 × 6 + 10 × 6) / 1,010 = 4,860 / 1,010 = 4.81 ms.
    expect(report.requirements.latencyMs).toBeCloseTo(4860 / 1010, 10);
    expect(failed(report, 'GeneralPurpose', 'StandardSeries', 4)).toEqual(['iops', 'latency']);
    // Next-gen GP at 4 vCores: 1,010 / 3 = 337 GB → 352 GB reserved → 1,056 IOPS; latency 3 ms ≤ 4.81.
    expect(report.recommendation).toMatchObject({
      tier: 'NextGenGeneralPurpose',
      hardware: 'StandardSeries',
      vCores: 4,
      storageGB: 352,
    });
  });

  it('chooses the cheapest fitting SKU when prices are known', async () => {
    await writeSyntheticPerfData(dir, { windows: 6, databases: oneDb(100 * 1024) });
    const item = (productName: string, retailPrice: number, unitOfMeasure: string) => ({
      productName,
      skuName: 'vCore',
      meterName: 'vCore',
      retailPrice,
      unitOfMeasure,
      armRegionName: 'westeurope',
      currencyCode: 'EUR',
      type: 'Consumption',
    });
    // Test prices (not real ones): premium-series General Purpose cheaper than Gen5.
    const prices = priceList(
      [
        item('SQL Managed Instance General Purpose - Compute Gen5', 0.5, '1 Hour'),
        item('SQL Managed Instance General Purpose - Premium Series Compute', 0.4, '1 Hour'),
        item('SQL Managed Instance General Purpose - Storage', 0.1, '1 GB/Month'),
      ],
      'test prices',
    );
    const report = await recommendSku(dir, { prices });
    expect(report.basis).toBe('price');
    // 4 vCores × 0.4 × 732 h + (101 GB → 128 GB reserved − 32 free) × 0.1 = 1,171.2 + 9.6 = 1,180.8.
    expect(report.recommendation).toMatchObject({
      tier: 'GeneralPurpose',
      hardware: 'PremiumSeries',
      vCores: 4,
      storageGB: 128,
    });
    expect(report.recommendation?.monthlyCost).toBeCloseTo(1180.8, 6);
    expect(report.prices).toEqual({ source: 'test prices', region: 'westeurope', currency: 'EUR' });
  });
});

describe('reports', () => {
  it('text, JSON and a self-contained HTML file with a chart per dimension', async () => {
    await writeSyntheticPerfData(dir, {
      windows: 12,
      databases: oneDb(1024),
      cpuPercent: (w) => 10 + w,
    });
    const report = await recommendSku(dir, { tiers: ['BusinessCritical'] });
    const text = renderSkuText(report);
    expect(text).toContain(
      'Recommended: Business Critical, standard-series (Gen5), 4 vCores, 32 GB',
    );
    expect(text).toContain('Why it fits');
    const json = JSON.parse(renderSkuJson(report)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['requirements', 'candidates', 'recommendation', 'confidence']),
    );
    expect(json.series).toBeUndefined();
    const candidates = json.candidates as { tier: string; checks: { passed: boolean }[] }[];
    expect(candidates.every((c) => c.tier === 'BusinessCritical' && c.checks.length === 11)).toBe(
      true,
    );
    const html = renderSkuHtml(report);
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html).toContain('class="pct"');
    expect(html).not.toMatch(/<script|<link|src=/);
  });
});

describe('confidence over a chosen time range', () => {
  it('counts the whole first window, and expects more when the range is wider than the data', async () => {
    await writeSyntheticPerfData(dir, {
      start: '2024-01-01 00:10:00',
      windows: 6,
      databases: oneDb(1024),
    });
    // A start inside the first window still counts that window from its beginning (00:00:00):
    // 00:00 → 01:00 is 120 expected samples, all 120 present.
    const inside = await recommendSku(dir, { start: '2024-01-01 00:05:00' });
    expect(inside.confidence).toMatchObject({
      expectedSamples: 120,
      presentSamples: 120,
      stars: 5,
    });
    // A range of two hours around one hour of data: 240 expected, 120 present = 50 % → three stars.
    const wider = await recommendSku(dir, {
      start: '2023-12-31 23:30:00',
      end: '2024-01-01 01:30:00',
    });
    expect(wider.confidence).toMatchObject({ expectedSamples: 240, presentSamples: 120, stars: 3 });
  });
});
