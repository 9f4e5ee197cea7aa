/**
 * Performance collection from a live SQL Server (`sqlmig perf collect`): the DMV queries as data, the
 * sampler, the window aggregation and the collection loop writing the perf-data files. Re-exported by
 * `sizing/index.ts`.
 */
export { CollectError, type CollectErrorCode } from './collect-error.js';
export { systemClock, type CollectClock } from './collect-clock.js';
export { dmvQueries, dmvQuery, type DmvQuery, type DmvQueryId } from './dmv-queries.js';
export {
  createPerfCollector,
  maxConsecutiveFailures,
  type CollectEvent,
  type CollectSummary,
  type CollectorState,
  type PerfCollector,
  type PerfCollectorOptions,
  type PersistedWindow,
} from './perf-collector.js';
export { aggregateRecords, perfDataFolderSink, type PerfDataSink } from './perf-data-sink.js';
export { PerfWindow, type CounterCode, type WindowAggregate } from './perf-window.js';
export { RunningStats, type CounterAggregates } from './running-stats.js';
export { takeSample, type FileIoCounters, type PerfSample } from './sampler.js';
export { parseSqlServerVersion, releaseName, type SqlServerVersion } from './server-version.js';
export { readSourceFacts, type SourceFacts } from './source-facts.js';
export { readStaticSnapshot, type StaticSnapshot } from './static-snapshot.js';
