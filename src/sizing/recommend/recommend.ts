/**
 * `recommendSku`: reads a perf-data folder, computes the requirements, tests every SKU of the catalog
 * and picks the cheapest that fits (the smallest without prices), keeping what ruled out each cheaper
 * one.
 */
import { managedInstanceCatalog } from '../catalog/managed-instance-skus.js';
import { monthlyCost, type PriceList } from '../catalog/prices.js';
import {
  hardwareGenerations,
  hardwareLabels,
  serviceTiers,
  tierLabels,
  type SkuCatalog,
  type SkuTier,
} from '../catalog/sku-catalog.js';
import { SizingError } from '../errors.js';
import { readPerfSeries, type PerfSelection } from '../requirements/perf-series.js';
import {
  computeRequirements,
  dimensionSeries,
  type DimensionSeries,
  type SizingRequirements,
} from '../requirements/requirements.js';
import { checkCandidate, storageFor, type Candidate } from './checks.js';
import { rateConfidence, sampleIntervalMs, type Confidence } from './confidence.js';

/** The percentiles the reference recommender offers. */
export const percentileChoices = [99, 97, 95, 90, 75, 50] as const;
/** Less data than this gives no recommendation. */
export const minimumDataMinutes = 10;

export interface RecommendOptions extends PerfSelection {
  readonly percentile?: number;
  readonly scalingFactor?: number;
  /** Only these tiers (default all). */
  readonly tiers?: readonly SkuTier[];
  readonly prices?: PriceList;
  readonly catalog?: SkuCatalog;
  readonly now?: Date;
}

export type RecommendationStatus = 'Recommended' | 'TooLittleData' | 'NoSkuFits';

export interface SkuRecommendation {
  readonly generatedAt: string;
  readonly perfData: {
    readonly folder: string;
    readonly server: string;
    readonly firstWindow: string | undefined;
    readonly lastWindow: string | undefined;
    readonly windows: number;
    readonly sampledMinutes: number;
  };
  readonly method: { readonly percentile: number; readonly scalingFactor: number };
  readonly catalog: { readonly source: string; readonly date: string };
  readonly prices:
    { readonly source: string; readonly region: string; readonly currency: string } | undefined;
  /** `price`: cheapest fitting SKU; `size`: smallest (no prices). */
  readonly basis: 'price' | 'size';
  readonly requirements: SizingRequirements;
  readonly confidence: Confidence;
  readonly status: RecommendationStatus;
  /** One sentence on the outcome. */
  readonly summary: string;
  readonly recommendation: Candidate | undefined;
  /** The candidates ranked before the recommendation (cheaper or smaller), each with what failed. */
  readonly ruledOut: readonly Candidate[];
  /** Every candidate tested, in rank order. */
  readonly candidates: readonly Candidate[];
  readonly notices: readonly string[];
  /** Per-window values of each dimension, for charts. */
  readonly series: { readonly times: readonly string[] } & DimensionSeries;
}

function validate(options: RecommendOptions): { percentile: number; scalingFactor: number } {
  const percentile = options.percentile ?? 95;
  const scalingFactor = options.scalingFactor ?? 100;
  if (!(percentileChoices as readonly number[]).includes(percentile))
    throw new SizingError(
      'InvalidOption',
      `--percentile ${percentile} is not one of ${percentileChoices.join(', ')}.`,
    );
  if (!Number.isFinite(scalingFactor) || scalingFactor <= 0 || scalingFactor > 1000)
    throw new SizingError(
      'InvalidOption',
      `--scaling-factor ${scalingFactor} is out of range: give a percentage above 0 and up to 1000 (100 sizes for today's load).`,
    );
  return { percentile, scalingFactor };
}

export async function recommendSku(
  folder: string,
  options: RecommendOptions = {},
): Promise<SkuRecommendation> {
  const method = validate(options);
  const catalog = options.catalog ?? managedInstanceCatalog;
  const series = await readPerfSeries(folder, options);
  const dims = dimensionSeries(series);
  const needs = computeRequirements(series, dims, method);
  const confidence = rateConfidence(series.times, series.samples, options);
  const sampledMinutes = (confidence.presentSamples * sampleIntervalMs) / 60_000;
  const notices: string[] = [];
  if (series.unknownDatabases.length > 0)
    notices.push(`The data holds no database named ${series.unknownDatabases.join(', ')}.`);
  if (series.instance === undefined)
    notices.push('No instance-level file: the CPU % is taken as of 1 core and tempdb as empty.');
  if (series.databaseFiles.length === 0)
    notices.push(
      'No database-level file (or no selected database in it): storage, files and In-Memory OLTP are unknown and taken as none.',
    );

  const tiers = options.tiers ?? serviceTiers;
  const prices = options.prices;
  const candidates: Candidate[] = [];
  for (const spec of catalog.specs) {
    if (!tiers.includes(spec.tier)) continue;
    for (const vCores of spec.vCoreOptions) {
      const storageGB = storageFor(spec, vCores, needs, catalog);
      const checks = checkCandidate(spec, vCores, storageGB, needs);
      candidates.push({
        tier: spec.tier,
        hardware: spec.hardware,
        vCores,
        storageGB,
        monthlyCost:
          prices === undefined
            ? undefined
            : monthlyCost(prices, spec.tier, spec.hardware, vCores, storageGB),
        checks,
        fits: checks.every((c) => c.passed),
      });
    }
  }
  const basis = candidates.some((c) => c.monthlyCost !== undefined) ? 'price' : 'size';
  const sizeKey = (c: Candidate): number[] => [
    c.vCores,
    serviceTiers.indexOf(c.tier),
    hardwareGenerations.indexOf(c.hardware),
    c.storageGB,
  ];
  candidates.sort((a, b) => {
    if (basis === 'price') {
      const ca = a.monthlyCost ?? Infinity;
      const cb = b.monthlyCost ?? Infinity;
      if (ca !== cb) return ca - cb;
    }
    const ka = sizeKey(a);
    const kb = sizeKey(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] ?? 0) - (kb[i] ?? 0);
    return 0;
  });

  let status: RecommendationStatus;
  let recommendation: Candidate | undefined;
  let summary: string;
  const chosen = candidates.findIndex((c) => c.fits);
  if (sampledMinutes < minimumDataMinutes) {
    status = 'TooLittleData';
    summary = `Only ${sampledMinutes.toFixed(1)} minutes of data were collected${options.start !== undefined || options.end !== undefined ? ' in the chosen time window' : ''}; at least ${minimumDataMinutes} minutes are needed before a SKU can be recommended. Collect for longer and run this again.`;
  } else if (chosen < 0) {
    status = 'NoSkuFits';
    summary = `No Managed Instance SKU${options.tiers !== undefined ? ` of the chosen tiers` : ''} satisfies every dimension; see what each candidate lacks. Consider splitting the databases over several instances, or SQL Server on an Azure VM.`;
  } else {
    status = 'Recommended';
    recommendation = candidates[chosen];
    summary = '';
  }
  const ruledOut =
    status === 'Recommended'
      ? candidates.slice(0, chosen)
      : status === 'NoSkuFits'
        ? candidates
        : [];
  return {
    generatedAt: (options.now ?? new Date()).toISOString(),
    perfData: {
      folder,
      server: series.server,
      firstWindow: series.times[0],
      lastWindow: series.times.at(-1),
      windows: series.times.length,
      sampledMinutes,
    },
    method,
    catalog: { source: catalog.source, date: catalog.date },
    prices:
      prices === undefined
        ? undefined
        : { source: prices.source, region: prices.region, currency: prices.currency },
    basis,
    requirements: needs,
    confidence,
    status,
    summary: recommendation === undefined ? summary : describe(recommendation, basis, prices),
    recommendation,
    ruledOut,
    candidates,
    notices,
    series: { times: series.times, ...dims },
  };
}

function describe(c: Candidate, basis: 'price' | 'size', prices: PriceList | undefined): string {
  const cost =
    c.monthlyCost === undefined
      ? ''
      : `, about ${c.monthlyCost.toFixed(2)} ${prices?.currency ?? ''} a month`;
  return `${tierLabels[c.tier]}, ${hardwareLabels[c.hardware]}, ${c.vCores} vCores with ${c.storageGB} GB of storage${cost}: the ${basis === 'price' ? 'cheapest' : 'smallest'} SKU that satisfies every dimension.`;
}
