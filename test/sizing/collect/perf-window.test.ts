/**
 * A window of samples into counter aggregates, with every number worked out by hand: rates from the
 * differences of consecutive samples, per second of the collector's clock; point counters from each
 * sample; differences left out across a restart, a counter that went down, or a file or database that
 * is not in both samples.
 */
import { describe, expect, it } from 'vitest';

import {
  PerfWindow,
  type FileIoCounters,
  type PerfSample,
  type WindowAggregate,
} from '../../../src/sizing/collect/index.js';

const mb = 1024 * 1024;

function file(
  database: string,
  physicalName: string,
  counters: Partial<FileIoCounters> = {},
): FileIoCounters {
  return {
    databaseName: database,
    physicalName,
    fileType: physicalName.endsWith('.ldf') ? 'LOG' : 'ROWS',
    reads: 0,
    bytesRead: 0,
    readStallMs: 0,
    writes: 0,
    bytesWritten: 0,
    writeStallMs: 0,
    ...counters,
  };
}

function sample(atSeconds: number, parts: Partial<PerfSample> = {}): PerfSample {
  return {
    atMs: atSeconds * 1000,
    serverTime: `2026-03-02 09:00:${String(atSeconds).padStart(2, '0')}`,
    sqlStartTime: '2026-03-01 06:00:00',
    cpuPercent: 10,
    memoryInUseKb: 2048 * 1024,
    memoryUtilizationPercent: 100,
    files: [],
    databaseCpuUs: new Map(),
    bufferPages: new Map(),
    ...parts,
  };
}

function find(all: WindowAggregate[], counter: string, database = '', fileName = '') {
  return all.find(
    (a) => a.counter === counter && a.databaseName === database && a.databaseFileName === fileName,
  )?.aggregates;
}

describe('PerfWindow', () => {
  it('turns cumulative file counters into per-second rates and latencies', () => {
    const w = new PerfWindow({ logicalCpuCount: 4, coresUsed: 4 });
    w.add(
      sample(0, {
        files: [
          file('Sales', 'D:\\Sales.mdf', { reads: 100, bytesRead: 10 * mb, readStallMs: 500 }),
        ],
      }),
    );
    // +300 reads, +30 MB, +1500 ms of stall in 30 s: 10 reads/s, 1 MB/s, 5 ms per read
    w.add(
      sample(30, {
        files: [
          file('Sales', 'D:\\Sales.mdf', {
            reads: 400,
            bytesRead: 40 * mb,
            readStallMs: 2000,
            writes: 60,
            bytesWritten: 3 * mb,
            writeStallMs: 120,
          }),
        ],
      }),
    );
    // +0 reads (latency 0, not a division by zero), +60 writes in 20 s: 3 writes/s, 3 MB/20 s
    w.add(
      sample(50, {
        files: [
          file('Sales', 'D:\\Sales.mdf', {
            reads: 400,
            bytesRead: 40 * mb,
            readStallMs: 2000,
            writes: 120,
            bytesWritten: 6 * mb,
            writeStallMs: 360,
          }),
        ],
      }),
    );
    const all = w.aggregates();
    const f = 'D:\\Sales.mdf';
    expect(find(all, 'FNR', 'Sales', f)).toEqual({ max: 10, mean: 5, variance: 50, occurrence: 2 });
    expect(find(all, 'FRM', 'Sales', f)).toEqual({
      max: 1,
      mean: 0.5,
      variance: 0.5,
      occurrence: 2,
    });
    expect(find(all, 'FRL', 'Sales', f)).toEqual({
      max: 5,
      mean: 2.5,
      variance: 12.5,
      occurrence: 2,
    });
    // 60/30 = 2 and 60/20 = 3 writes per second
    expect(find(all, 'FNW', 'Sales', f)).toEqual({
      max: 3,
      mean: 2.5,
      variance: 0.5,
      occurrence: 2,
    });
    // 3 MB/30 s = 0.1, 3 MB/20 s = 0.15
    expect(find(all, 'FWM', 'Sales', f)).toEqual({
      max: 0.15,
      mean: 0.125,
      variance: 0.00125,
      occurrence: 2,
    });
    // 120/60 = 2 and 240/60 = 4 ms per write
    expect(find(all, 'FWL', 'Sales', f)).toEqual({ max: 4, mean: 3, variance: 2, occurrence: 2 });
    expect(all.find((a) => a.counter === 'FNR')?.fileType).toBe('ROWS');
    expect(w.sampleCount).toBe(3);
    expect(w.lastServerTime).toBe('2026-03-02 09:00:50');
  });

  it('counts point counters every sample: memory in whole MB, memory %, CPU %, buffer pool MB to 2 decimals', () => {
    const w = new PerfWindow({ logicalCpuCount: 2, coresUsed: 2 });
    const pages = (n: number) => new Map([['Sales', n]]);
    w.add(sample(0, { memoryInUseKb: 366 * 1024 + 1023, cpuPercent: 20, bufferPages: pages(788) }));
    w.add(sample(30, { memoryInUseKb: 367 * 1024, cpuPercent: null, bufferPages: pages(772) }));
    const all = w.aggregates();
    expect(find(all, 'IM')).toEqual({ max: 367, mean: 366.5, variance: 0.5, occurrence: 2 });
    expect(find(all, 'IMP')?.occurrence).toBe(2);
    // no ring buffer record in the second sample: one CPU value
    expect(find(all, 'ICP')).toEqual({ max: 20, mean: 20, variance: 0, occurrence: 1 });
    // 788 pages = 6.15625 MB → 6.16; 772 pages = 6.03125 MB → 6.03 (as in the corpus)
    expect(find(all, 'DCS', 'Sales')).toEqual({
      max: 6.16,
      mean: 6.095,
      variance: 0.00845,
      occurrence: 2,
    });
  });

  it('gives CPU % of the logical CPUs SQL Server uses: the ring buffer scaled from the machine, plans by database', () => {
    // 8 logical CPUs, SQL Server on 4 of them: 30 % of the machine is 60 % of its CPUs (capped at 100)
    const w = new PerfWindow({ logicalCpuCount: 8, coresUsed: 4 });
    const cpu = (us: number) => new Map([['Sales', us]]);
    w.add(sample(0, { cpuPercent: 30, databaseCpuUs: cpu(0) }));
    // 6 s of plan CPU in 30 s on the 4 CPUs used = 5 %
    w.add(sample(30, { cpuPercent: 70, databaseCpuUs: cpu(6_000_000) }));
    const all = w.aggregates();
    expect(find(all, 'ICP')).toEqual({ max: 100, mean: 80, variance: 800, occurrence: 2 });
    expect(find(all, 'DCP', 'Sales')).toEqual({ max: 5, mean: 5, variance: 0, occurrence: 1 });
  });

  it('gives database CPU as a % of all logical CPUs when SQL Server uses them all', () => {
    const w = new PerfWindow({ logicalCpuCount: 4, coresUsed: 4 });
    const cpu = (us: number) => new Map([['Sales', us]]);
    w.add(sample(0, { databaseCpuUs: cpu(1_000_000) }));
    // 12 s of CPU in 30 s on 4 CPUs = 10 %
    w.add(sample(30, { databaseCpuUs: cpu(13_000_000) }));
    expect(find(w.aggregates(), 'DCP', 'Sales')).toEqual({
      max: 10,
      mean: 10,
      variance: 0,
      occurrence: 1,
    });
  });

  it('leaves out the rates across a restart of the source, and goes on from the new start', () => {
    const w = new PerfWindow({ logicalCpuCount: 1, coresUsed: 1 });
    const f = (reads: number) => [file('Sales', 'D:\\Sales.mdf', { reads })];
    w.add(sample(0, { files: f(1000) }));
    w.add(sample(30, { files: f(1300) })); // 10/s
    w.add(sample(60, { files: f(30), sqlStartTime: '2026-03-02 09:00:45' })); // restarted: left out
    w.add(sample(90, { files: f(630), sqlStartTime: '2026-03-02 09:00:45' })); // 20/s
    expect(find(w.aggregates(), 'FNR', 'Sales', 'D:\\Sales.mdf')).toEqual({
      max: 20,
      mean: 15,
      variance: 50,
      occurrence: 2,
    });
    expect(w.restarts).toBe(1);
    expect(find(w.aggregates(), 'IM')?.occurrence).toBe(4);
  });

  it('leaves out a difference where a counter went down (database dropped and created again; plans left the cache)', () => {
    const w = new PerfWindow({ logicalCpuCount: 1, coresUsed: 1 });
    w.add(
      sample(0, {
        files: [file('Sales', 'D:\\Sales.mdf', { reads: 500, writes: 50 })],
        databaseCpuUs: new Map([['Sales', 9_000_000]]),
      }),
    );
    w.add(
      sample(30, {
        files: [file('Sales', 'D:\\Sales.mdf', { reads: 10, writes: 80 })],
        databaseCpuUs: new Map([['Sales', 3_000_000]]),
      }),
    );
    expect(find(w.aggregates(), 'FNW', 'Sales', 'D:\\Sales.mdf')).toBeUndefined();
    expect(find(w.aggregates(), 'DCP', 'Sales')).toBeUndefined();
    expect(find(w.aggregates(), 'DCS', 'Sales')?.occurrence).toBe(2);
  });

  it('measures a database added mid-window from its second sample, and keeps what a dropped one had', () => {
    const w = new PerfWindow({ logicalCpuCount: 1, coresUsed: 1 });
    const sales = (reads: number) => file('Sales', 'D:\\Sales.mdf', { reads });
    const hr = (reads: number) => file('HR', 'D:\\HR.mdf', { reads });
    w.add(sample(0, { files: [sales(0)] }));
    w.add(sample(10, { files: [sales(10), hr(100)] })); // HR appears: no rate yet
    w.add(sample(20, { files: [sales(20), hr(150)] })); // HR 5/s
    w.add(sample(30, { files: [hr(200)] })); // Sales dropped
    const all = w.aggregates();
    expect(find(all, 'FNR', 'HR', 'D:\\HR.mdf')).toEqual({
      max: 5,
      mean: 5,
      variance: 0,
      occurrence: 2,
    });
    expect(find(all, 'FNR', 'Sales', 'D:\\Sales.mdf')).toEqual({
      max: 1,
      mean: 1,
      variance: 0,
      occurrence: 2,
    });
    expect(find(all, 'DCS', 'Sales')?.occurrence).toBe(3);
    expect(find(all, 'DCS', 'HR')?.occurrence).toBe(3);
  });

  it('orders instance counters, then file counters, then database counters', () => {
    const w = new PerfWindow({ logicalCpuCount: 1, coresUsed: 1 });
    const s = (at: number) =>
      sample(at, { files: [file('Sales', 'D:\\Sales.mdf')], bufferPages: new Map([['Sales', 1]]) });
    w.add(s(0));
    w.add(s(30));
    expect(w.aggregates().map((a) => a.counter)).toEqual([
      'IM',
      'IMP',
      'ICP',
      'FRM',
      'FWM',
      'FNW',
      'FNR',
      'FRL',
      'FWL',
      'DCS',
      'DCP',
    ]);
  });
});
