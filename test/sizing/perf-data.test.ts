/**
 * The perf-data CSV files: the corpus files read and written again byte for byte, files laid out in
 * other ways (CR LF, byte order mark, quotes, numbers written differently, no final line end) kept as
 * they are, appends, and the errors for foreign, cut-off and malformed files.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  appendPerfRecords,
  formatPerfFile,
  formatPerfNumber,
  perfDataFileName,
  readPerfFile,
  SizingError,
  streamPerfFile,
  writePerfFile,
  type AggregatedCounterRecord,
  type DbLevelRecord,
  type PerfFileKind,
} from '../../src/sizing/index.js';
import {
  hasPerfDataCorpus,
  perfDataCorpus,
  perfDataPrefix,
  perfDataSkipReason,
} from '../support/perf-data-corpus.js';

const kinds: PerfFileKind[] = ['instance', 'database', 'aggregated'];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlmig-perf-data-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPerfDataCorpus)(`the corpus files (${perfDataSkipReason})`, () => {
  for (const kind of kinds) {
    it(`reads and writes the ${kind} file again byte for byte`, async () => {
      const source = join(perfDataCorpus, perfDataFileName(perfDataPrefix, kind));
      const original = await readFile(source);
      const file = await readPerfFile(kind, source);
      expect(file.records.length).toBeGreaterThan(0);
      const copy = join(dir, perfDataFileName(perfDataPrefix, kind));
      await writePerfFile(copy, file);
      expect((await readFile(copy)).equals(original)).toBe(true);
      // Nothing in the corpus needed its text kept: it is written the way the writer writes.
      expect(file.records.filter((r) => r.written !== undefined)).toEqual([]);
      expect(file.layout).toEqual({ bom: false, lineEnding: '\n', finalNewline: true });
    });
  }

  it('reads the values of the corpus lines', async () => {
    const db = await readPerfFile(
      'database',
      join(perfDataCorpus, perfDataFileName(perfDataPrefix, 'database')),
    );
    expect(db.records[2]).toEqual({
      serverName: 'TEST',
      databaseName: 'test1',
      logicalName: 'AdventureWorks2008R2_Data',
      physicalFullName:
        'C:\\Program Files\\Microsoft SQL Server\\MSSQL10_50.MSSQLSERVER\\MSSQL\\DATA\\test1.mdf',
      fileType: 'Rows',
      sizeMB: 195.9375,
      isMemoryOptimizedDataOptionEnabled: false,
      timeDataCollected: '2021-10-28 19:08:03',
    } satisfies DbLevelRecord);
    const instance = await readPerfFile(
      'instance',
      join(perfDataCorpus, perfDataFileName(perfDataPrefix, 'instance')),
    );
    expect(instance.records).toHaveLength(1);
    expect(instance.records[0]).toMatchObject({
      edition: 'Enterprise Edition (64-bit)',
      isClustered: false,
      logicalCpuCount: 2,
      maxServerMemoryInUse: 2147483647,
      numberCoresUsed: 2,
      sumOfUserDatabasesSize: 203,
      tempDbSize: 8,
      productVersion: '10.50.6592.0',
    });
    // 23 windows × (3 instance + 2 × 2 database + 4 files × 6 file counters) × 4 aggregates = 2,852.
    const counters: AggregatedCounterRecord[] = [];
    const source = join(perfDataCorpus, perfDataFileName(perfDataPrefix, 'aggregated'));
    await streamPerfFile('aggregated', source, (batch) => counters.push(...batch), {
      batchSize: 100,
    });
    expect(counters).toHaveLength(23 * (3 + 2 * 2 + 4 * 6) * 4);
    expect(counters[0]).toEqual({
      serverName: 'TEST',
      databaseName: '',
      databaseFileName: '',
      fileType: '',
      timeDataCollected: '2021-10-27 23:18:39',
      counterName: 'IM',
      aggregatorType: 'Mean',
      value: 366,
    });
    const whole = await readPerfFile('aggregated', source);
    expect(whole.records).toEqual(counters);
  });
});

const header =
  'ServerName,DatabaseName,DatabaseFileName,FileType,TimeDataCollected,CounterName,AggregatorType,Value';

describe('files laid out in other ways', () => {
  it('keeps CR LF, a byte order mark, quotes, numbers as written and a missing final line end', async () => {
    const text = [
      `\ufeff${header}`,
      'TEST,"sales",D:\\data\\s.mdf,ROWS,2024-01-01 00:10:00,FRM,Mean,1.50',
      'TEST,"a,b","D:\\da""ta\\x.mdf",ROWS,2024-01-01 00:10:00,FRM,Max,1E+16',
      'TEST,"two\r\nlines",D:\\y.ldf,LOG,2024-01-01 00:10:00,FWM,Max,0.00000012',
      'TEST,s,D:\\y.ldf,LOG,2024-01-01 00:10:00,FWM,Variance,1.5E-07',
    ].join('\r\n');
    const source = join(dir, 'odd.csv');
    await writeFile(source, text);
    const file = await readPerfFile('aggregated', source);
    expect(file.layout).toEqual({ bom: true, lineEnding: '\r\n', finalNewline: false });
    expect(file.records.map((r) => [r.databaseName, r.databaseFileName, r.value])).toEqual([
      ['sales', 'D:\\data\\s.mdf', 1.5],
      ['a,b', 'D:\\da"ta\\x.mdf', 1e16],
      ['two\r\nlines', 'D:\\y.ldf', 1.2e-7],
      ['s', 'D:\\y.ldf', 1.5e-7],
    ]);
    // What the writer would not have written itself is kept; the rest is its own way.
    expect(file.records.map((r) => r.written)).toEqual([
      { DatabaseName: '"sales"', Value: '1.50' },
      undefined,
      { Value: '0.00000012' },
      undefined,
    ]);
    expect(formatPerfFile('aggregated', file.records, file.layout)).toBe(text);
  });

  it('reads every way of writing a number the same whether the line is usual or not', async () => {
    const values = [
      '0',
      '-0',
      '007',
      '0.0001',
      '0.00001',
      '-2.5',
      '100',
      '1.50',
      '1e5',
      '.5',
      '5.',
      '123456789012345678',
      '195.9375',
      '1E+15',
    ];
    const lines = values.map((v) => `SRV,,,,2024-01-01 00:10:00,ICP,Max,${v}`);
    const text = `${header}\n${lines.join('\n')}\n`;
    const source = join(dir, 'numbers.csv');
    await writeFile(source, text);
    const file = await readPerfFile('aggregated', source);
    expect(file.records.map((r) => r.value)).toEqual(values.map(Number));
    // Only what the writer would write otherwise keeps its text.
    // (.NET writes negative zero as -0, so that one is the writer's own way too.)
    expect(file.records.map((r) => r.written?.Value)).toEqual([
      undefined,
      undefined,
      '007',
      undefined,
      '0.00001',
      undefined,
      undefined,
      '1.50',
      '1e5',
      '.5',
      '5.',
      '123456789012345678',
      undefined,
      undefined,
    ]);
    expect(formatPerfFile('aggregated', file.records, file.layout)).toBe(text);
  });

  it('writes numbers the way .NET writes a double in the invariant culture', () => {
    expect(
      [0, 366, 6.16, 195.9375, -2.5, 0.0001, 1e-5, 1.5e-7, 1e14, 1e15, 2147483647, 1.5e16].map(
        formatPerfNumber,
      ),
    ).toEqual([
      '0',
      '366',
      '6.16',
      '195.9375',
      '-2.5',
      '0.0001',
      '1E-05',
      '1.5E-07',
      '100000000000000',
      '1E+15',
      '2147483647',
      '1.5E+16',
    ]);
  });
});

const record = (time: string, value: number): AggregatedCounterRecord => ({
  serverName: 'SRV',
  databaseName: '',
  databaseFileName: '',
  fileType: '',
  timeDataCollected: time,
  counterName: 'ICP',
  aggregatorType: 'Max',
  value,
});

describe('appending', () => {
  it('creates the file with its header, then appends', async () => {
    const file = join(dir, perfDataFileName('SRV,MSSQLSERVER', 'aggregated'));
    await appendPerfRecords('aggregated', file, [record('2024-01-01 00:10:00', 12.5)]);
    await appendPerfRecords('aggregated', file, [record('2024-01-01 00:20:00', 40)]);
    expect(await readFile(file, 'utf8')).toBe(
      `${header}\nSRV,,,,2024-01-01 00:10:00,ICP,Max,12.5\nSRV,,,,2024-01-01 00:20:00,ICP,Max,40\n`,
    );
  });

  it("appends in the file's own line endings", async () => {
    const file = join(dir, 'crlf.csv');
    await writeFile(file, `${header}\r\nSRV,,,,2024-01-01 00:10:00,ICP,Max,1\r\n`);
    await appendPerfRecords('aggregated', file, [record('2024-01-01 00:20:00', 2)]);
    expect(await readFile(file, 'utf8')).toBe(
      `${header}\r\nSRV,,,,2024-01-01 00:10:00,ICP,Max,1\r\nSRV,,,,2024-01-01 00:20:00,ICP,Max,2\r\n`,
    );
    expect((await readPerfFile('aggregated', file)).records.map((r) => r.value)).toEqual([1, 2]);
  });

  it('refuses a foreign file and a cut-off file, leaving them as they are', async () => {
    const foreign = join(dir, 'foreign.csv');
    await writeFile(foreign, 'a,b,c\n1,2,3\n');
    await expect(
      appendPerfRecords('aggregated', foreign, [record('2024-01-01 00:20:00', 2)]),
    ).rejects.toMatchObject({ code: 'ForeignFile', file: foreign });
    expect(await readFile(foreign, 'utf8')).toBe('a,b,c\n1,2,3\n');
    const cut = join(dir, 'cut.csv');
    await writeFile(cut, `${header}\nSRV,,,,2024-01-01 00:10:00,IC`);
    await expect(
      appendPerfRecords('aggregated', cut, [record('2024-01-01 00:20:00', 2)]),
    ).rejects.toMatchObject({ code: 'TruncatedFile' });
    expect(await readFile(cut, 'utf8')).toBe(`${header}\nSRV,,,,2024-01-01 00:10:00,IC`);
  });

  it('keeps the database-level record types through a write and a read', async () => {
    const file = join(dir, perfDataFileName('SRV,MSSQLSERVER', 'database'));
    const files: DbLevelRecord[] = [
      {
        serverName: 'SRV',
        databaseName: 'Sales, EU',
        logicalName: 'Sales',
        physicalFullName: 'D:\\data\\sales.mdf',
        fileType: 'Rows',
        sizeMB: 1024.5,
        isMemoryOptimizedDataOptionEnabled: true,
        timeDataCollected: '2024-01-01 00:00:00',
      },
    ];
    await appendPerfRecords('database', file, files);
    expect((await readPerfFile('database', file)).records).toEqual(files);
  });
});

describe('errors name the file and the line', () => {
  async function failure(kind: PerfFileKind, text: string): Promise<SizingError> {
    const file = join(dir, 'x.csv');
    await writeFile(file, text);
    const error = await readPerfFile(kind, file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SizingError);
    return error as SizingError;
  }

  it('a foreign file', async () => {
    const error = await failure('instance', `${header}\n`);
    expect(error.code).toBe('ForeignFile');
    expect(error.line).toBe(1);
    expect(error.message).toContain('is not a perf-data instance-level file');
  });

  it('a file cut off in the middle of its last line', async () => {
    const error = await failure(
      'aggregated',
      `${header}\nSRV,,,,2024-01-01 00:10:00,ICP,Max,1\nSRV,,`,
    );
    expect(error).toMatchObject({ code: 'TruncatedFile', line: 3 });
    expect(error.message).toContain('3 of 8 fields');
  });

  it('a line with the wrong number of fields, a value that is not a number, an empty file', async () => {
    expect(
      await failure('aggregated', `${header}\nSRV,,,2024-01-01 00:10:00,ICP,Max,1\nSRV\n`),
    ).toMatchObject({ code: 'MalformedLine', line: 2 });
    const notNumber = await failure(
      'aggregated',
      `${header}\nSRV,,,,2024-01-01 00:10:00,ICP,Max,1\nSRV,,,,2024-01-01 00:20:00,ICP,Max,lots\n`,
    );
    expect(notNumber).toMatchObject({ code: 'MalformedValue', line: 3 });
    expect(notNumber.message).toContain('Value holds "lots"');
    expect(await failure('database', '')).toMatchObject({ code: 'TruncatedFile' });
  });
});
