/**
 * Where collected data goes: the port the collector writes through, and its adapter over the
 * perf-data files of `sizing/perf-data/` in one folder. Windows are appended to
 * `<prefix>_PerformanceAggregated_Counters.csv` (a second run appends after the first). The two static
 * files hold one snapshot, replaced at each re-collection (written beside and renamed, so a reader never
 * sees half a file): the reference corpus's static files hold a single snapshot taken after its last
 * window, not one per minute of a day's collection.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';

import { perfDataFileName } from '../perf-data/layouts.js';
import type { AggregatedCounterRecord, PerfFileKind } from '../perf-data/records.js';
import { defaultPerfFileLayout } from '../perf-data/records.js';
import { appendPerfRecords, writePerfFile } from '../perf-data/writer.js';
import type { WindowAggregate } from './perf-window.js';
import type { StaticSnapshot } from './static-snapshot.js';

export interface PerfDataSink {
  /** Replaces the static data with this snapshot. */
  writeStatic(snapshot: StaticSnapshot): Promise<void>;
  /** Appends one window's aggregate records. */
  appendWindow(records: readonly AggregatedCounterRecord[]): Promise<void>;
}

/** The three files of one source in `folder`, named `<filePrefix>_…_Counters.csv`. */
export function perfDataFolderSink(
  folder: string,
  filePrefix: string,
): PerfDataSink & { readonly files: Readonly<Record<PerfFileKind, string>> } {
  const files = {
    instance: join(folder, perfDataFileName(filePrefix, 'instance')),
    database: join(folder, perfDataFileName(filePrefix, 'database')),
    aggregated: join(folder, perfDataFileName(filePrefix, 'aggregated')),
  };
  return {
    files,
    async writeStatic(snapshot) {
      const layout = defaultPerfFileLayout;
      await writePerfFile(`${files.instance}.new`, {
        kind: 'instance',
        layout,
        records: [snapshot.instance],
      });
      await writePerfFile(`${files.database}.new`, {
        kind: 'database',
        layout,
        records: [...snapshot.files],
      });
      await rename(`${files.instance}.new`, files.instance);
      await rename(`${files.database}.new`, files.database);
    },
    async appendWindow(records) {
      if (records.length > 0) await appendPerfRecords('aggregated', files.aggregated, records);
    },
  };
}

/** A window's aggregates as file records: Mean, Occurence, Variance, Max per counter, as the reference orders them. */
export function aggregateRecords(
  serverName: string,
  timeDataCollected: string,
  aggregates: readonly WindowAggregate[],
): AggregatedCounterRecord[] {
  const records: AggregatedCounterRecord[] = [];
  for (const a of aggregates) {
    const common = {
      serverName,
      databaseName: a.databaseName,
      databaseFileName: a.databaseFileName,
      fileType: a.fileType,
      timeDataCollected,
      counterName: a.counter,
    };
    records.push(
      { ...common, aggregatorType: 'Mean', value: a.aggregates.mean },
      { ...common, aggregatorType: 'Occurence', value: a.aggregates.occurrence },
      { ...common, aggregatorType: 'Variance', value: a.aggregates.variance },
      { ...common, aggregatorType: 'Max', value: a.aggregates.max },
    );
  }
  return records;
}
