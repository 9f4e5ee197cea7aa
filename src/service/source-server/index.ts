/**
 * The migration wizard's look at the source instance, through `sql/`: the connection entries checked
 * and turned into connection options, the connection and permission check, the databases, the live
 * assessment (`assessment/`); and the SKU recommendation from a folder of performance data
 * (`sizing/`). The public face of `service/source-server/`.
 */
export { checkSource } from './source-check.js';
export { listSourceDatabases } from './source-databases.js';
export { connectionOptionsOf, parseDataSource, withSourceConnection } from './source-connection.js';
export type { SourceConnector } from './source-connection.js';
export { SourceServerError } from './source-server-error.js';
export type { SourceServerErrorCode } from './source-server-error.js';
export { assessSource } from './source-assessment.js';
export { recommendFromFolder } from './sku-recommendation.js';
export type { WizardSkuRecommendation } from './sku-recommendation.js';
export { PerfCollections } from './perf-collections.js';
export type { PerfCollectionsOptions } from './perf-collections.js';
