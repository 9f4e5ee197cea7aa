/**
 * Prices from a file in the Azure Retail Prices API's format (`{"Items": [{"productName", "skuName",
 * "meterName", "retailPrice", "unitOfMeasure", "armRegionName", "currencyCode", "type", …}]}`, as
 * `https://prices.azure.com/api/retail/prices` returns them): compute per vCore-hour and storage per
 * GB-month for each tier and hardware. A month is 732 hours, as the reference recommender counts it;
 * the first 32 GB of storage are free.
 */
import { readFile } from 'node:fs/promises';

import { SizingError } from '../errors.js';
import type { SkuHardware, SkuTier } from './sku-catalog.js';

export const hoursPerMonth = 732;
export const freeStorageGB = 32;

export interface RetailPriceItem {
  readonly productName: string;
  readonly skuName: string;
  readonly meterName: string;
  readonly retailPrice: number;
  readonly unitOfMeasure: string;
  readonly armRegionName: string;
  readonly currencyCode?: string;
  readonly type?: string;
}

export interface PriceList {
  /** Where the prices come from (the file). */
  readonly source: string;
  readonly region: string;
  readonly currency: string;
  /** Compute per vCore-hour, or undefined when the file has no price for it. */
  vCoreHour(tier: SkuTier, hardware: SkuHardware): number | undefined;
  /** Storage per GB-month, or undefined. */
  storageGBMonth(tier: SkuTier): number | undefined;
}

// The product names the Retail Prices API uses for Managed Instance compute and storage.
const tierProduct: Record<SkuTier, string> = {
  GeneralPurpose: 'General Purpose',
  NextGenGeneralPurpose: 'Next-Gen General Purpose',
  BusinessCritical: 'Business Critical',
};
const hardwareProduct: Record<SkuHardware, string> = {
  StandardSeries: 'Compute Gen5',
  PremiumSeries: 'Premium Series Compute',
  PremiumSeriesMemoryOptimized: 'Premium Series Memory Optimized Compute',
};

function isItem(value: unknown): value is RetailPriceItem {
  const item = value as Partial<RetailPriceItem> | null;
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof item.productName === 'string' &&
    typeof item.skuName === 'string' &&
    typeof item.meterName === 'string' &&
    typeof item.retailPrice === 'number' &&
    typeof item.unitOfMeasure === 'string' &&
    typeof item.armRegionName === 'string'
  );
}

/** Reads a price file; `region` chooses among the regions it holds (default: the first item's). */
export async function readPriceList(file: string, region?: string): Promise<PriceList> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new SizingError(
      'MalformedPrices',
      `${file} could not be read as JSON: ${(error as Error).message}`,
      { file, cause: error },
    );
  }
  const items = (parsed as { Items?: unknown } | null)?.Items;
  if (!Array.isArray(items) || !items.every(isItem))
    throw new SizingError(
      'MalformedPrices',
      `${file} is not in the Azure Retail Prices format: expected {"Items": [{productName, skuName, meterName, retailPrice, unitOfMeasure, armRegionName}, …]}.`,
      { file },
    );
  return priceList(items, file, region);
}

/** A price list over items already read. */
export function priceList(
  items: readonly RetailPriceItem[],
  source: string,
  region?: string,
): PriceList {
  const chosenRegion = region ?? items[0]?.armRegionName ?? '';
  const usable = items.filter(
    (i) =>
      i.armRegionName === chosenRegion &&
      (i.type === undefined || i.type === 'Consumption') &&
      !/zone redundan/i.test(`${i.skuName} ${i.meterName}`),
  );
  const find = (product: string, unit: string): RetailPriceItem | undefined =>
    usable.find(
      (i) =>
        i.productName === `SQL Managed Instance ${product}` &&
        i.unitOfMeasure === unit &&
        (unit !== '1 Hour' || /^(1 )?vCore$/.test(i.skuName)),
    );
  const compute = (tier: SkuTier, hardware: SkuHardware): number | undefined =>
    find(`${tierProduct[tier]} - ${hardwareProduct[hardware]}`, '1 Hour')?.retailPrice;
  const storage = (tier: SkuTier): number | undefined =>
    find(`${tierProduct[tier]} - Storage`, '1 GB/Month')?.retailPrice;
  return {
    source,
    region: chosenRegion,
    currency: usable[0]?.currencyCode ?? 'USD',
    // Next-gen General Purpose is priced as General Purpose when the file has no meter of its own.
    vCoreHour: (tier, hardware) =>
      compute(tier, hardware) ??
      (tier === 'NextGenGeneralPurpose' ? compute('GeneralPurpose', hardware) : undefined),
    storageGBMonth: (tier) =>
      storage(tier) ?? (tier === 'NextGenGeneralPurpose' ? storage('GeneralPurpose') : undefined),
  };
}

/** A month of a SKU at these prices, or undefined when a price is missing. */
export function monthlyCost(
  prices: PriceList,
  tier: SkuTier,
  hardware: SkuHardware,
  vCores: number,
  storageGB: number,
): number | undefined {
  const hour = prices.vCoreHour(tier, hardware);
  const gbMonth = prices.storageGBMonth(tier);
  if (hour === undefined || gbMonth === undefined) return undefined;
  return vCores * hour * hoursPerMonth + Math.max(0, storageGB - freeStorageGB) * gbMonth;
}
