/**
 * `sqlmig sku recommend`: the Managed Instance SKU that fits the performance data in a folder (the
 * three CSV files sqlmig perf collect or Microsoft's tools write), explained dimension by dimension.
 */
import { writeFile } from 'node:fs/promises';

import type { Command } from 'commander';

import {
  percentileChoices,
  readPriceList,
  recommendSku,
  renderSkuHtml,
  renderSkuJson,
  renderSkuText,
  skuTiers,
  type SkuTier,
} from '../sizing/index.js';

export interface SkuRecommendCommandOptions {
  readonly perfData: string;
  readonly percentile: string;
  readonly scalingFactor: string;
  readonly start?: string;
  readonly end?: string;
  readonly databases?: string;
  readonly excludeDatabases?: string;
  readonly tiers?: string;
  readonly prices?: string;
  readonly region?: string;
  readonly json: boolean;
  readonly html?: string;
}

class UsageError extends Error {}

/** `2024-01-31 10:00`, `2024-01-31T10:00:00` → `2024-01-31 10:00:00` (the files' form). */
function perfTimeOption(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
  if (match === null)
    throw new UsageError(
      `${flag} ${value} is not a time: write it as yyyy-MM-dd HH:mm[:ss], in the source server's local time as the files hold it.`,
    );
  return `${match[1] ?? ''} ${match[2] ?? '00'}:${match[3] ?? '00'}:${match[4] ?? '00'}`;
}

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

function number(flag: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new UsageError(`${flag} ${value} is not a number.`);
  return parsed;
}

/** Exit codes: 0 recommended, 1 too little data or no SKU fits, 2 a usage error. */
export async function runSkuRecommendCommand(options: SkuRecommendCommandOptions): Promise<number> {
  let tiers: SkuTier[] | undefined;
  let start: string | undefined;
  let end: string | undefined;
  let percentile: number;
  let scalingFactor: number;
  try {
    if (options.databases !== undefined && options.excludeDatabases !== undefined)
      throw new UsageError('give --databases or --exclude-databases, not both.');
    const tierNames = list(options.tiers);
    const unknown = tierNames?.filter((t) => !(skuTiers as readonly string[]).includes(t)) ?? [];
    if (unknown.length > 0)
      throw new UsageError(
        `--tiers: ${unknown.join(', ')} is not a tier; the tiers are ${skuTiers.join(', ')}.`,
      );
    tiers = tierNames as SkuTier[] | undefined;
    start = perfTimeOption('--start', options.start);
    end = perfTimeOption('--end', options.end);
    percentile = number('--percentile', options.percentile);
    scalingFactor = number('--scaling-factor', options.scalingFactor);
    if (!(percentileChoices as readonly number[]).includes(percentile))
      throw new UsageError(
        `--percentile ${percentile} is not one of ${percentileChoices.join(', ')}.`,
      );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`sqlmig: ${error.message}\n`);
    return 2;
  }
  const prices =
    options.prices === undefined ? undefined : await readPriceList(options.prices, options.region);
  const databases = list(options.databases);
  const excludeDatabases = list(options.excludeDatabases);
  const report = await recommendSku(options.perfData, {
    percentile,
    scalingFactor,
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(databases !== undefined ? { databases } : {}),
    ...(excludeDatabases !== undefined ? { excludeDatabases } : {}),
    ...(tiers !== undefined ? { tiers } : {}),
    ...(prices !== undefined ? { prices } : {}),
  });
  if (options.html !== undefined) await writeFile(options.html, renderSkuHtml(report));
  process.stdout.write(options.json ? renderSkuJson(report) : renderSkuText(report));
  return report.status === 'Recommended' ? 0 : 1;
}

export function registerSkuCommands(program: Command): void {
  const sku = program
    .command('sku')
    .description('Azure SQL Managed Instance sizing from collected performance data');
  sku
    .command('recommend')
    .description(
      'Recommend the cheapest (or, without prices, the smallest) Managed Instance SKU that fits every dimension of the collected performance data, and say why (docs/sku-recommendation.md)',
    )
    .requiredOption(
      '--perf-data <dir>',
      'the folder with <server>_PerformanceAggregated_Counters.csv and its two companions',
    )
    .option(
      '--percentile <n>',
      `percentile of the 10-minute windows: ${percentileChoices.join(', ')}`,
      '95',
    )
    .option('--scaling-factor <percent>', 'multiply the requirements by this percentage', '100')
    .option('--start <time>', 'only windows ending at or after this time (yyyy-MM-dd HH:mm[:ss])')
    .option('--end <time>', 'only windows ending at or before this time')
    .option('--databases <names>', 'only these databases (comma-separated)')
    .option('--exclude-databases <names>', 'all databases but these (comma-separated)')
    .option('--tiers <tiers>', `only these tiers: ${skuTiers.join(', ')}`)
    .option('--prices <file>', 'prices in the Azure Retail Prices API format (JSON)')
    .option('--region <armRegionName>', 'the region of the price file to use (default: its first)')
    .option('--json', 'print requirements, candidates and the recommendation as JSON', false)
    .option('--html <file>', 'also write a self-contained HTML report with a chart per dimension')
    .action(async (options: SkuRecommendCommandOptions) => {
      process.exitCode = await runSkuRecommendCommand(options);
    });
}
