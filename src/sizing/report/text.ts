/**
 * The recommendation as readable text: the data and method, the requirements, the SKU chosen and,
 * dimension by dimension, why it fits, then what ruled out each cheaper (or smaller) candidate.
 */
import { hardwareLabels, tierLabels } from '../catalog/sku-catalog.js';
import { dimensionLabels } from '../recommend/checks.js';
import type { Candidate } from '../recommend/checks.js';
import type { SkuRecommendation } from '../recommend/recommend.js';

/** Cheaper candidates listed in the text; the JSON has them all. */
const ruledOutShown = 25;

export function skuName(c: Candidate): string {
  return `${tierLabels[c.tier]}, ${hardwareLabels[c.hardware]}, ${c.vCores} vCores, ${c.storageGB} GB`;
}

const n = (value: number, digits = 2): string => value.toFixed(digits);

export function renderSkuText(report: SkuRecommendation): string {
  const r = report.requirements;
  const c = report.confidence;
  const lines: string[] = [
    `SKU recommendation for ${report.perfData.server} (Azure SQL Managed Instance)`,
    `Data: ${report.perfData.folder}, ${report.perfData.windows} windows of 10 minutes from ${report.perfData.firstWindow ?? '-'} to ${report.perfData.lastWindow ?? '-'}, ${n(report.perfData.sampledMinutes, 1)} minutes sampled.`,
    `Confidence: ${'*'.repeat(c.stars)}${'.'.repeat(5 - c.stars)} ${c.stars}/5 (${n(c.share * 100, 1)} % of the ${c.expectedSamples} expected 30-second samples).`,
    `Method: ${report.method.percentile}th percentile × ${report.method.scalingFactor} % scaling factor; SKU limits from ${report.catalog.source} (${report.catalog.date}).`,
    report.prices === undefined
      ? 'Prices: none given (--prices FILE), so the smallest fitting SKU is chosen.'
      : `Prices: ${report.prices.source}, region ${report.prices.region}, ${report.prices.currency}; the cheapest fitting SKU is chosen.`,
    '',
    'Requirements',
    `  vCores          ${n(r.vCores)} (peak ${n(r.peaks.vCores)}; the source uses ${r.sourceCores} cores)`,
    `  memory          ${n(r.memoryGB)} GB (peak ${n(r.peaks.memoryGB)} GB)`,
    `  storage         ${n(r.storageUsedGB)} GB of data and log`,
    `  tempdb          ${n(r.tempdbGB)} GB`,
    `  IOPS            ${n(r.iops, 1)} (data ${n(r.dataIops, 1)}, log ${n(r.logIops, 1)}; peak ${n(r.peaks.iops, 1)})`,
    `  IO throughput   ${n(r.throughputMBps)} MB/s, log writes ${n(r.logWriteMBps)} MB/s`,
    `  IO latency      ${r.latencyMs === undefined ? 'not used (idle instance)' : `${n(r.latencyMs)} ms`}`,
    `  databases       ${r.databases}, files ${r.files} (at most ${r.maxFilesPerDatabase} in one)`,
    `  In-Memory OLTP  ${r.inMemoryOltpDatabases.length === 0 ? 'not used' : `used by ${r.inMemoryOltpDatabases.join(', ')}`}`,
    '',
  ];
  if (report.recommendation === undefined) {
    lines.push(
      report.status === 'TooLittleData' ? 'Not enough data' : 'No SKU fits',
      `  ${report.summary}`,
    );
  } else {
    lines.push(`Recommended: ${skuName(report.recommendation)}`, `  ${report.summary}`, '');
    lines.push('Why it fits');
    for (const check of report.recommendation.checks)
      lines.push(
        `  ${dimensionLabels[check.dimension].padEnd(14)} needs ${check.needed}; offers ${check.offered}`,
      );
  }
  if (report.ruledOut.length > 0) {
    lines.push(
      '',
      report.status === 'Recommended'
        ? `Ruled out (${report.basis === 'price' ? 'cheaper' : 'smaller'} candidates)`
        : 'Candidates and what they lack',
    );
    for (const candidate of report.ruledOut.slice(0, ruledOutShown)) {
      const failed = candidate.checks
        .filter((ch) => !ch.passed)
        .map((ch) => `${dimensionLabels[ch.dimension]} (needs ${ch.needed}; offers ${ch.offered})`);
      const cost =
        candidate.monthlyCost === undefined ? '' : ` [${n(candidate.monthlyCost)} a month]`;
      lines.push(`  ${skuName(candidate)}${cost}: ${failed.join('; ')}`);
    }
    if (report.ruledOut.length > ruledOutShown)
      lines.push(`  … and ${report.ruledOut.length - ruledOutShown} more (see --json).`);
  }
  if (report.notices.length > 0) lines.push('', 'Notes', ...report.notices.map((x) => `  ${x}`));
  return `${lines.join('\n')}\n`;
}

/** The report as JSON: requirements, every candidate with pass/fail per dimension, the outcome (the
 * per-window series are left to the HTML report). */
export function renderSkuJson(report: SkuRecommendation): string {
  return `${JSON.stringify(report, (key, value: unknown) => (key === 'series' ? undefined : value), 2)}\n`;
}
