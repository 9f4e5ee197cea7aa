/**
 * The aggregated file read by the byte scan, on one thread or several, gives the series the general
 * record reader gives, line for line the same values; a file the scan does not cover (quotes) goes to
 * the general reader; and an error anywhere, on any thread, comes out as the general reader words it,
 * with the line of the whole file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { perfDataFileName, SizingError, streamPerfFile } from '../../src/sizing/index.js';
import {
  SeriesBuilder,
  type SeriesSelection,
} from '../../src/sizing/requirements/series-builder.js';
import { readAggregatedSeries } from '../../src/sizing/requirements/series-threads.js';
import { seededRandom } from '../support/seeded-random.js';
import { writeSyntheticPerfData } from '../support/synthetic-perf-data.js';

let dir: string;
let original: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlmig-series-scan-'));
  const random = seededRandom(3);
  const prefix = await writeSyntheticPerfData(join(dir, 'synthetic'), {
    windows: 40,
    databases: ['Sales', 'Stock', 'Archive', 'Hr'].map((name, d) => ({
      name,
      files: [
        { type: 'ROWS' as const, sizeMB: 1024 * (d + 1) },
        { type: 'ROWS' as const, sizeMB: 512 },
        { type: 'LOG' as const, sizeMB: 256 },
      ],
    })),
    cpuPercent: () => random.below(90),
    memoryMB: () => 4096 + random.below(1024),
    io: () => ({
      reads: random.below(500),
      writes: random.below(200),
      readMB: Math.round(random.next() * 1000) / 100,
      writeMB: Math.round(random.next() * 500) / 100,
      readLatencyMs: random.below(20),
      writeLatencyMs: random.below(10),
    }),
  });
  original = await readFile(join(dir, 'synthetic', perfDataFileName(prefix, 'aggregated')), 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let variants = 0;
/** Writes `text` as an aggregated file of its own; returns its path. */
async function fileOf(text: string): Promise<string> {
  const file = join(dir, `variant-${variants++}.csv`);
  await writeFile(file, text);
  return file;
}

/** The series as the general reader gives them, record by record. */
async function byRecords(file: string, selection: SeriesSelection = {}) {
  const builder = new SeriesBuilder(selection);
  await streamPerfFile('aggregated', file, (batch) => {
    for (const record of batch) builder.addRecord(record);
  });
  return builder.finish();
}

async function scanned(file: string, threads: number, selection: SeriesSelection = {}) {
  const read = await readAggregatedSeries(file, selection, { threads });
  return { ...read, series: read.builder.finish() };
}

const lines = (text: string): string[] => text.split('\n');

describe('the scan reads what the general reader reads', () => {
  it('on one, two and five threads, with and without a selection', async () => {
    const file = await fileOf(original);
    const expected = await byRecords(file);
    expect(expected.times).toHaveLength(40);
    expect(expected.files).toHaveLength(12);
    for (const threads of [1, 2, 5]) {
      const read = await scanned(file, threads);
      // Every range was scanned on a worker thread of its own (none fell back to this thread).
      expect(read).toMatchObject({ reader: 'scan', threads, onWorkers: threads > 1 ? threads : 0 });
      expect(read.series).toEqual(expected);
    }
    const selection: SeriesSelection = {
      start: '2024-01-01 02:00:00',
      end: '2024-01-01 05:00:00',
      excludeDatabases: ['Stock'],
    };
    const selected = await byRecords(file, selection);
    expect(selected.times).toHaveLength(19);
    expect(selected.files.map((f) => f.database)).not.toContain('Stock');
    expect((await scanned(file, 3, selection)).series).toEqual(selected);
    const only = { databases: ['Hr', 'Nowhere'] };
    expect((await scanned(file, 2, only)).series).toEqual(await byRecords(file, only));
  });

  it('in CR LF with a byte order mark, with names beyond ASCII, numbers written otherwise and no final line end', async () => {
    const edited = lines(original)
      .map((line) => line.replaceAll('Archive', 'Archivé_日本'))
      .map((line) =>
        line.endsWith(',Mean,0')
          ? `${line.slice(0, -1)}0.0E+00`
          : line.replace(/,Mean,5$/, ',Mean,5.'),
      )
      .join('\r\n')
      .replace(/\r\n$/, '');
    expect(edited).toContain(',Mean,0.0E+00\r\n');
    expect(edited).toContain(',Mean,5.\r\n');
    const file = await fileOf(`\ufeff${edited}`);
    const expected = await byRecords(file);
    expect(expected.files.map((f) => f.database)).toContain('Archivé_日本');
    for (const threads of [1, 3]) {
      const read = await scanned(file, threads);
      expect(read.reader).toBe('scan');
      expect(read.series).toEqual(expected);
    }
  });

  it('keeps the last number the file gives a window, across threads', async () => {
    // The file's first windows collected again at its end: the same times, other values, read by
    // the last thread where the first read the first values.
    const all = lines(original);
    const again = all
      .slice(1)
      .filter((line) => line.includes('2024-01-01 00:'))
      .map((line) => line.replace(/,Mean,[^,]+$/, ',Mean,7777'));
    const file = await fileOf(`${all.join('\n')}${again.join('\n')}\n`);
    const expected = await byRecords(file);
    const late = expected.times.indexOf('2024-01-01 00:20:00');
    expect(expected.files[0]?.reads[late]).toBe(7777);
    expect(expected.instance.cpuPercent[late]).toBe(7777);
    for (const threads of [2, 4]) expect((await scanned(file, threads)).series).toEqual(expected);
  });
});

describe('what the scan does not cover goes to the general reader', () => {
  it('a quoted field', async () => {
    const all = lines(original);
    const quoted = all.map((line) => line.replace(',Hr,', ',"Hr, Paris",'));
    const file = await fileOf(quoted.join('\n'));
    const read = await scanned(file, 2);
    expect(read).toMatchObject({ reader: 'general', gaveUp: 'a quoted field' });
    expect(read.series.files.map((f) => f.database)).toContain('Hr, Paris');
    expect(read.series).toEqual(await byRecords(file));
  });

  it('an error in the second half names the line of the whole file, as the general reader does', async () => {
    const all = lines(original);
    const at = Math.floor(all.length * 0.8);
    const broken = [...all];
    broken[at] = (broken[at] as string).replace(/[^,]+$/, 'lots');
    const file = await fileOf(broken.join('\n'));
    const error = await readAggregatedSeries(file, {}, { threads: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SizingError);
    expect(error).toMatchObject({ code: 'MalformedValue', line: at + 1 });
    expect((error as Error).message).toContain('Value holds "lots"');

    const fields = [...all];
    fields[at] = `${fields[at] as string},9`;
    await expect(
      readAggregatedSeries(await fileOf(fields.join('\n')), {}, { threads: 3 }),
    ).rejects.toMatchObject({
      code: 'MalformedLine',
      line: at + 1,
    });
  });

  it('a file cut off in its last line, and a file of another kind', async () => {
    const cut = original.slice(0, original.length - 12);
    await expect(readAggregatedSeries(await fileOf(cut), {}, { threads: 2 })).rejects.toMatchObject(
      {
        code: 'TruncatedFile',
        line: lines(cut).length,
      },
    );
    const foreign = await fileOf('ServerName,Edition\nX,Y\n');
    await expect(readAggregatedSeries(foreign, {}, { threads: 2 })).rejects.toMatchObject({
      code: 'ForeignFile',
    });
    await expect(readAggregatedSeries(join(dir, 'missing.csv'), {})).rejects.toMatchObject({
      code: 'UnreadableFile',
    });
  });
});
