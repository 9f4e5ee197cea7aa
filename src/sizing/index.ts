/**
 * The sizing module's public face: the three perf-data CSV files (records, reader, writer) shared by
 * `sqlmig perf collect` and `sqlmig sku recommend`.
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
