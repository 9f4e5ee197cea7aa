/**
 * The collection loop over time, against a scripted source (stand-in) and a virtual clock: windows of
 * `iterations` samples appended to the perf-data files and read back with the sizing module's reader;
 * the static data re-read on its own interval; a second run appending; stop() writing the partial
 * window; a restart of the source, a database added and one dropped mid-run; failed samples retried,
 * then given up; a permission lost mid-run ending the collection at once.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  CollectError,
  createPerfCollector,
  perfDataFolderSink,
  readSourceFacts,
  type CollectEvent,
  type PerfCollector,
  type PerfCollectorOptions,
} from '../../../src/sizing/collect/index.js';
import { readPerfFile, type AggregatedCounterRecord } from '../../../src/sizing/index.js';
import { ScriptedSqlSource } from '../../support/scripted-sql-source.js';
import { VirtualClock } from '../../support/virtual-clock.js';

let folder = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sqlmig-perf-collect-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const minute = 60_000;

/** A 2019 source with one database whose data file reads 10 times and 2 MB a second. */
function busySource(): ScriptedSqlSource {
  const source = new ScriptedSqlSource().addDatabase('Sales', [
    { rates: { reads: 10, bytesRead: 2 * 1024 * 1024, readStallMs: 40 } },
    { type: 'LOG', rates: { writes: 4, bytesWritten: 256 * 1024, writeStallMs: 4 } },
  ]);
  source.bufferPages.set('Sales', 1280);
  source.databaseCpuRates.set('Sales', 400_000); // 0.4 s of CPU a second on 4 CPUs = 10 %
  return source;
}

async function collector(
  source: ScriptedSqlSource,
  clock: VirtualClock,
  events: CollectEvent[] = [],
  options: Partial<PerfCollectorOptions> = {},
): Promise<PerfCollector> {
  clock.onAdvance(source.advance);
  const facts = await readSourceFacts(source.connection);
  return createPerfCollector({
    connection: source.connection,
    facts,
    sink: perfDataFolderSink(folder, facts.filePrefix),
    clock,
    onEvent: (e) => {
      events.push(e);
    },
    ...options,
  });
}

const file = (suffix: string) => join(folder, `SQL01,MSSQLSERVER_${suffix}_Counters.csv`);

async function aggregated(): Promise<AggregatedCounterRecord[]> {
  return (await readPerfFile('aggregated', file('PerformanceAggregated'))).records;
}

function value(
  records: readonly AggregatedCounterRecord[],
  counter: string,
  aggregator: string,
  where: { database?: string; file?: string; time?: string } = {},
): number | undefined {
  return records.find(
    (r) =>
      r.counterName === counter &&
      r.aggregatorType === aggregator &&
      r.databaseName === (where.database ?? r.databaseName) &&
      (where.file === undefined || r.databaseFileName.endsWith(where.file)) &&
      (where.time === undefined || r.timeDataCollected === where.time),
  )?.value;
}

describe('the collector', () => {
  it('writes a window every 20 samples of 30 s, with counts of 20 and 19 as in the reference files', async () => {
    const source = busySource();
    const clock = new VirtualClock();
    const events: CollectEvent[] = [];
    const c = await collector(source, clock, events);
    clock.at(3 * minute, () => {
      source.memoryInUseKb = 5_000 * 1024;
    });
    clock.at(19.5 * minute + 1, () => {
      c.stop();
    });
    const summary = await c.run();
    expect(summary).toEqual({ samplesTaken: 40, windowsWritten: 2, flushedSamples: 0 });
    expect(c.state).toBe('stopped');
    const records = await aggregated();
    const first = { time: '2026-03-02 09:09:30' };
    expect([...new Set(records.map((r) => r.timeDataCollected))]).toEqual([
      '2026-03-02 09:09:30',
      '2026-03-02 09:19:30',
    ]);
    // 6 samples at 4096 MB (0 to 2.5 min), 14 at 5000: mean 4728.8; Σ(x−mean)² = 6·14·904²/20
    expect(value(records, 'IM', 'Mean', first)).toBe(4728.8);
    expect(value(records, 'IM', 'Max', first)).toBe(5000);
    expect(value(records, 'IM', 'Variance', first)).toBe(3_432_307.2);
    expect(value(records, 'IM', 'Occurence', first)).toBe(20);
    expect(value(records, 'ICP', 'Mean', first)).toBe(12);
    expect(value(records, 'FNR', 'Mean', { ...first, file: 'Sales.mdf' })).toBe(10);
    expect(value(records, 'FNR', 'Occurence', { ...first, file: 'Sales.mdf' })).toBe(19);
    expect(value(records, 'FRM', 'Max', { ...first, file: 'Sales.mdf' })).toBe(2);
    expect(value(records, 'FRL', 'Mean', { ...first, file: 'Sales.mdf' })).toBe(4);
    expect(value(records, 'FNW', 'Mean', { ...first, file: 'Sales_log.ldf' })).toBe(4);
    expect(value(records, 'FWM', 'Mean', { ...first, file: 'Sales_log.ldf' })).toBe(0.25);
    expect(value(records, 'FWL', 'Mean', { ...first, file: 'Sales_log.ldf' })).toBe(1);
    expect(value(records, 'DCP', 'Mean', { ...first, database: 'Sales' })).toBe(10);
    expect(value(records, 'DCP', 'Occurence', { ...first, database: 'Sales' })).toBe(19);
    expect(value(records, 'DCS', 'Mean', { ...first, database: 'Sales' })).toBe(10);
    // every counter has its four aggregates, in the reference's order
    expect(records.slice(0, 4).map((r) => r.aggregatorType)).toEqual([
      'Mean',
      'Occurence',
      'Variance',
      'Max',
    ]);
    expect(records.filter((r) => r.timeDataCollected === first.time)).toHaveLength(
      4 * (3 + 2 * 6 + 2),
    );
    // the static data every 60 s: at 0, 1, … 19 min
    expect(source.sentSql.filter((s) => s.includes("SERVERPROPERTY('Edition')"))).toHaveLength(20);
    expect(events.filter((e) => e.kind === 'window')).toHaveLength(2);
    const sample = events.find((e) => e.kind === 'sample' && e.samplesTaken === 5);
    expect(sample).toEqual({
      kind: 'sample',
      samplesTaken: 5,
      samplesInWindow: 5,
      windowsWritten: 0,
      nextWriteInMs: 7.5 * minute,
    });
    // no sleep longer than the perf interval, none wasted
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(30_000);
  });

  it('keeps one static snapshot per file (replaced), and a second run appends its windows', async () => {
    const source = busySource();
    const clock = new VirtualClock();
    const first = await collector(source, clock, [], { iterations: 4 });
    clock.at(2 * minute + 1, () => {
      first.stop();
    });
    expect(await first.run()).toEqual({ samplesTaken: 5, windowsWritten: 2, flushedSamples: 1 });
    const clock2 = new VirtualClock(clock.now());
    const second = await collector(source, clock2, [], { iterations: 4 });
    clock2.at(clock.now() + 1.5 * minute + 1, () => {
      second.stop();
    });
    expect(await second.run()).toEqual({ samplesTaken: 4, windowsWritten: 1, flushedSamples: 0 });
    const text = await readFile(file('PerformanceAggregated'), 'utf8');
    expect(text.match(/^ServerName,/gm)).toHaveLength(1);
    const times = [...new Set((await aggregated()).map((r) => r.timeDataCollected))];
    expect(times).toEqual(['2026-03-02 09:01:30', '2026-03-02 09:02:00', '2026-03-02 09:03:30']);
    const instance = await readPerfFile('instance', file('CommonInstanceLevel'));
    expect(instance.records).toHaveLength(1);
    expect(instance.records[0]?.timeDataCollected).toBe('2026-03-02 09:03:00');
    const database = await readPerfFile('database', file('CommonDbLevel'));
    expect(database.records.map((r) => r.logicalName)).toEqual(['Sales', 'Sales_log']);
  });

  it('stop() writes the partial window, saying how many samples it held; run() is not started twice', async () => {
    const source = busySource();
    const clock = new VirtualClock();
    const events: CollectEvent[] = [];
    const c = await collector(source, clock, events);
    clock.at(3 * minute + 10, () => {
      c.stop();
      c.stop();
    });
    const summary = await c.run();
    expect(summary).toEqual({ samplesTaken: 7, windowsWritten: 1, flushedSamples: 7 });
    const windows = events.flatMap((e) => (e.kind === 'window' ? [e.window] : []));
    expect(windows).toHaveLength(1);
    expect(windows[0]).toMatchObject({
      sampleCount: 7,
      partial: true,
      timeDataCollected: '2026-03-02 09:03:00',
    });
    const records = await aggregated();
    expect(value(records, 'IM', 'Occurence')).toBe(7);
    expect(value(records, 'FNR', 'Occurence', { file: 'Sales.mdf' })).toBe(6);
    await expect(c.run()).rejects.toThrow(/stopped; run\(\) starts a ready one only/);
  });

  it('leaves out the rates across a restart of the source', async () => {
    const source = busySource();
    const clock = new VirtualClock();
    const events: CollectEvent[] = [];
    const c = await collector(source, clock, events);
    clock.at(4 * minute + 15_000, () => source.restart('2026-03-02 09:04:10'));
    clock.at(9.5 * minute + 1, () => {
      c.stop();
    });
    await c.run();
    const records = await aggregated();
    expect(value(records, 'FNR', 'Occurence', { file: 'Sales.mdf' })).toBe(18);
    // the first interval after the restart is the new baseline: rates stay 10/s, never negative
    expect(value(records, 'FNR', 'Max', { file: 'Sales.mdf' })).toBe(10);
    expect(value(records, 'FNR', 'Mean', { file: 'Sales.mdf' })).toBe(10);
    const window = events.find((e) => e.kind === 'window');
    expect(window?.kind === 'window' && window.window.restarts).toBe(1);
  });

  it('measures a database added mid-run from its second sample, and keeps what a dropped one had', async () => {
    const source = busySource();
    const clock = new VirtualClock();
    const c = await collector(source, clock);
    clock.at(3 * minute - 1, () => source.addDatabase('HR', [{ rates: { reads: 1 } }]));
    clock.at(7 * minute - 1, () => source.dropDatabase('Sales'));
    clock.at(9.5 * minute + 1, () => {
      c.stop();
    });
    await c.run();
    const records = await aggregated();
    // HR seen from 3 min (sample 7 of 20): 14 samples, 13 rates
    expect(value(records, 'DCS', 'Occurence', { database: 'HR' })).toBe(14);
    expect(value(records, 'FNR', 'Occurence', { database: 'HR' })).toBe(13);
    expect(value(records, 'FNR', 'Mean', { database: 'HR' })).toBe(1);
    // Sales seen until 6.5 min: 14 samples, 13 rates
    expect(value(records, 'DCS', 'Occurence', { database: 'Sales' })).toBe(14);
    expect(value(records, 'FNR', 'Occurence', { database: 'Sales', file: 'Sales.mdf' })).toBe(13);
  });

  it('retries a failed sample at the next interval, and gives up after three in a row, writing what it had', async () => {
    const source = busySource();
    const clock = new VirtualClock();
    const events: CollectEvent[] = [];
    const c = await collector(source, clock, events);
    clock.at(2 * minute - 1, () => {
      source.failing = { pattern: /dm_io_virtual_file_stats/, number: 1205, message: 'deadlocked' };
    });
    clock.at(2 * minute + 1, () => {
      source.failing = null;
    });
    clock.at(5 * minute - 1, () => {
      source.failing = {
        pattern: /dm_os_process_memory/,
        number: 10054,
        message: 'connection reset',
      };
    });
    await expect(c.run()).rejects.toThrow(/Reading instanceSample .* failed: .*connection reset/);
    expect(c.state).toBe('failed');
    const failed = events.flatMap((e) => (e.kind === 'sampleFailed' ? [e.consecutive] : []));
    expect(failed).toEqual([1, 1, 2]);
    // samples every 30 s from 0 to 4.5 min but the one at 2 min (9), then three failures
    const window = events.find((e) => e.kind === 'window');
    expect(window?.kind === 'window' && window.window).toMatchObject({
      sampleCount: 9,
      partial: true,
    });
    expect(value(await aggregated(), 'IM', 'Occurence')).toBe(9);
  });

  it('ends at once when the permission is taken away mid-run, with the GRANT to run', async () => {
    const source = busySource();
    const clock = new VirtualClock();
    const c = await collector(source, clock);
    clock.at(minute + 1, () => {
      source.failing = {
        pattern: /dm_exec_query_stats/,
        number: 300,
        message: 'VIEW SERVER STATE permission was denied',
      };
    });
    const error: unknown = await c.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectError);
    expect((error as CollectError).code).toBe('PermissionDenied');
    expect((error as CollectError).message).toContain('GRANT VIEW SERVER STATE TO [perf_reader]');
    expect(value(await aggregated(), 'IM', 'Occurence')).toBe(3);
  });

  it('refuses intervals and iterations out of range', async () => {
    const source = busySource();
    await expect(collector(source, new VirtualClock(), [], { iterations: 1 })).rejects.toThrow(
      /iterations must be a whole number of at least 2, not 1 \(rates need two samples/,
    );
    await expect(collector(source, new VirtualClock(), [], { perfIntervalMs: 0 })).rejects.toThrow(
      /perfIntervalMs/,
    );
  });
});
