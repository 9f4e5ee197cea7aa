/**
 * The sizing module's public face: the three perf-data CSV files (records, reader, writer) shared by
 * `sqlmig perf collect` and `sqlmig sku recommend`; the SKU catalog, prices, requirements, the
 * recommender and its reports.
 */
export type {
  AggregatedCounterRecord,
  DbLevelRecord,
  InstanceLevelRecord,
  PerfFile,
  PerfFileKind,
  PerfFileLayout,
  PerfRecordOf,
  WrittenAs,
} from './perf-data/records.js';
export { defaultPerfFileLayout } from './perf-data/records.js';
export { perfDataFileName, perfDataFilePrefix, perfFileLayouts } from './perf-data/layouts.js';
export { formatPerfNumber, parsePerfNumber } from './perf-data/numbers.js';
export { formatPerfTime, perfTime } from './perf-data/times.js';
export { readPerfFile, streamPerfFile, type StreamPerfFileOptions } from './perf-data/reader.js';
export {
  appendPerfRecords,
  formatPerfFile,
  formatPerfLines,
  writePerfFile,
} from './perf-data/writer.js';
export { SizingError, type SizingErrorCode } from './errors.js';
export type {
  IoLimits,
  SkuCatalog,
  SkuHardware,
  SkuTier,
  TierHardwareSpec,
  VCoreStep,
} from './catalog/sku-catalog.js';
export { hardwareGenerations, serviceTiers as skuTiers } from './catalog/sku-catalog.js';
export { managedInstanceCatalog } from './catalog/managed-instance-skus.js';
export {
  monthlyCost,
  priceList,
  readPriceList,
  type PriceList,
  type RetailPriceItem,
} from './catalog/prices.js';
export { readPerfSeries, type PerfSelection, type PerfSeries } from './requirements/perf-series.js';
export {
  computeRequirements,
  dimensionSeries,
  type FileRequirement,
  type SizingMethod,
  type SizingRequirements,
} from './requirements/requirements.js';
export type { Candidate, Dimension, DimensionCheck } from './recommend/checks.js';
export type { Confidence } from './recommend/confidence.js';
export {
  percentileChoices,
  recommendSku,
  type RecommendOptions,
  type RecommendationStatus,
  type SkuRecommendation,
} from './recommend/recommend.js';
export { renderSkuJson, renderSkuText } from './report/text.js';
export { renderSkuHtml } from './report/html.js';

// The collection (`sqlmig perf collect`): its own public face, re-exported here.
export * from './collect/index.js';
