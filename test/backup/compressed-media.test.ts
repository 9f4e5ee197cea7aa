import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { openCompressedMedia, type CompressedMedia } from '../../src/backup/compressed-media.js';
import {
  BackupReadError,
  countingSource,
  memorySource,
  readBackupMedia,
  type BackupErrorCode,
  type ByteSource,
} from '../../src/backup/index.js';
import { seededRandom } from '../support/seeded-random.js';
import { encodeXpressHuffman, type XpressToken } from '../support/xpress-encoder.js';

const backups = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus/backups');
const samplePath = resolve(
  backups,
  'appveyor-lab/singlerestore/SharePoint_Config-compressed-v1.bak',
);
const hasSample = existsSync(samplePath);
if (!hasSample) console.warn(`Skipping the MSSQLBAK corpus tests: ${samplePath} is absent.`);

const text = (bytes: Uint8Array, at = 0, n = 4): string =>
  String.fromCharCode(...bytes.subarray(at, at + n));
const u16 = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);

/** `items[index]`, failing the test when it is missing. */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index} of ${items.length}`);
  return item;
}

const segment = (media: CompressedMedia, index: number) => at(media.segments, index);

/** An MTF descriptor block header of `size` bytes with a valid checksum, then seeded filler. */
function mtfBlock(type: string, size: number, seed = 1): Uint8Array {
  const block = new Uint8Array(size);
  block.set(new TextEncoder().encode(type));
  block[8] = size & 0xff;
  block[9] = size >> 8;
  for (let i = 64; i < 200 && i < size; i++) block[i] = (seed * 31 + i * 7) & 0xff;
  let xor = 0;
  for (let at = 0; at < 50; at += 2) xor ^= u16(block, at);
  block[50] = xor & 0xff;
  block[51] = xor >> 8;
  return block;
}

/** Literals, with runs of a repeated byte written as distance-1 matches. */
function tokensFor(bytes: Uint8Array): XpressToken[] {
  const tokens: XpressToken[] = [];
  for (let i = 0; i < bytes.length;) {
    let run = 0;
    while (i > 0 && i + run < bytes.length && bytes[i + run] === bytes[i - 1] && run < 65538) run++;
    if (run >= 3) {
      tokens.push({ length: run, distance: 1 });
      i += run;
    } else tokens.push({ literal: bytes[i++] ?? 0 });
  }
  return tokens;
}

interface Synthetic {
  file: Uint8Array;
  stream: Uint8Array;
  /** File offsets of every record header and stored block. */
  records: number[];
}

/** A container in the observed layout: TAPE | SFMB | SSET, data, MSLS + seek index | SFMB | ESET | SFMB. */
function syntheticBackup(dataChunks = 3, tape = mtfBlock('TAPE', 1024)): Synthetic {
  const segments = [
    { blocks: [tape], seekIndex: false },
    {
      blocks: [
        mtfBlock('SSET', 7168),
        ...Array.from({ length: dataChunks }, (_, i) => mtfBlock('MSDA', 65536, i)),
        mtfBlock('MSLS', 2048),
      ],
      seekIndex: true,
    },
    { blocks: [mtfBlock('ESET', 3072)], seekIndex: false },
  ];
  const file: number[] = [...new TextEncoder().encode('MSSQLBAK'), 2, 0, 0, 0, 3, 0, 0, 0];
  file.length = 0x1e0;
  file.fill(0, 16);
  const stream: number[] = [];
  const records: number[] = [];
  const le = (value: number, bytes: number): number[] =>
    Array.from({ length: bytes }, (_, i) => Math.floor(value / 256 ** i) & 0xff);
  for (const part of segments) {
    const segmentStart = stream.length;
    let last = { segmentOffset: 0, fileOffset: 0 };
    for (const block of part.blocks) {
      const payload = encodeXpressHuffman(tokensFor(block));
      last = { segmentOffset: stream.length - segmentStart, fileOffset: file.length };
      records.push(file.length);
      file.push(0x21, block.length / 512, ...le(payload.length, 2), ...le(0x1ea50256, 4));
      file.push(...new Array<number>(20).fill(0), ...payload);
      stream.push(...block);
    }
    records.push(file.length);
    if (part.seekIndex) {
      const tag = [1, 0, 1, 0, 1, 0, 0, 0, ...le(0x14f, 4), 0xc4, 0x03, 0xad, 0x74];
      const start = file.length;
      file.push(0x2c, ...new Array<number>(23).fill(0), ...tag);
      file.push(...le(last.segmentOffset, 8), ...le(last.fileOffset, 8));
      const end = Math.ceil((file.length + 16) / 512) * 512;
      file.push(...new Array<number>(end - 16 - file.length).fill(0), ...tag);
      expect(file.length - start).toBeGreaterThan(24 + 16 + 16 + 16);
    } else {
      let end = Math.ceil(file.length / 512) * 512;
      if (end - file.length < 24) end += 512;
      file.push(
        0x24,
        0,
        ...le(end - file.length - 24, 2),
        ...new Array<number>(end - file.length - 4).fill(0),
      );
    }
    const sfmb = mtfBlock('SFMB', 512);
    records.push(file.length);
    file.push(...sfmb);
    stream.push(...sfmb);
  }
  return { file: Uint8Array.from(file), stream: Uint8Array.from(stream), records };
}

/** A copy of a container with other u32 words after `MSSQLBAK`. */
function withHeaderWords(file: Uint8Array, first: number, second: number): Uint8Array {
  const copy = Uint8Array.from(file);
  const words = new DataView(copy.buffer);
  words.setUint32(8, first, true);
  words.setUint32(12, second, true);
  return copy;
}

/** The error `run` rejects with; fails the test when it resolves. */
async function errorOf(run: () => Promise<unknown>): Promise<BackupReadError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof BackupReadError) return error;
    throw error;
  }
  throw new Error('expected a BackupReadError, got a result');
}

async function codeOf(run: () => Promise<unknown>): Promise<BackupErrorCode | 'ok'> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (error instanceof BackupReadError) return error.code;
    throw error;
  }
}

/** Opens the bytes and reads the whole decompressed stream. */
async function openAndReadAll(bytes: Uint8Array): Promise<Uint8Array> {
  const media = await openCompressedMedia(memorySource('test.bak', bytes));
  return media.stream.read(0, media.size);
}

describe('openCompressedMedia on a synthetic container', () => {
  const backup = syntheticBackup();

  it('rebuilds the MTF stream: chunks decoded and stored SFMB blocks in file order', async () => {
    const media = await openCompressedMedia(memorySource('synthetic.bak', backup.file));
    expect(media.size).toBe(backup.stream.length);
    expect(media.recordCount).toBe(7);
    expect(media.extentCount).toBe(10);
    expect(media.headerWords).toEqual([2, 3]);
    expect(Buffer.compare(await media.stream.read(0, media.size), backup.stream)).toBe(0);
    expect(media.segments.map((s) => [s.streamOffset, s.chunkCount, s.trailer])).toEqual([
      [0, 1, 'padding'],
      [1536, 5, 'seek-index'],
      [1536 + 7168 + 3 * 65536 + 2048 + 512, 1, 'padding'],
    ]);
    const msls = media.extent(segment(media, 1).firstExtent + 4);
    expect(segment(media, 1).seekPoints).toEqual([
      { segmentOffset: msls.streamOffset - 1536, fileOffset: msls.fileOffset },
    ]);
    expect(media.extent(1)).toMatchObject({ kind: 'stored', streamOffset: 1024, size: 512 });
    expect(
      Buffer.compare(await media.stream.read(1020, 10), backup.stream.subarray(1020, 1030)),
    ).toBe(0);
    expect(await media.stream.read(media.size - 2, 10)).toHaveLength(2);
    expect(await media.stream.read(media.size + 5, 10)).toHaveLength(0);
  });

  it('indexes with 1 MiB reads and then decodes only the chunks a read touches', async () => {
    const big = syntheticBackup(40);
    const source = countingSource(memorySource('big.bak', big.file));
    const media = await openCompressedMedia(source);
    expect(source.reads).toBeLessThanOrEqual(Math.ceil(big.file.length / 2 ** 20) + 2);
    const before = source.bytesRead;
    const chunk = media.extent(segment(media, 1).firstExtent + 20);
    const bytes = await media.stream.read(chunk.streamOffset + 100, 50);
    expect(
      Buffer.compare(
        bytes,
        big.stream.subarray(chunk.streamOffset + 100, chunk.streamOffset + 150),
      ),
    ).toBe(0);
    expect(source.bytesRead - before).toBe(chunk.payloadSize);
    await Promise.all([
      media.stream.read(chunk.streamOffset, 8),
      media.stream.read(chunk.streamOffset + 9, 8),
    ]);
    expect(source.bytesRead - before).toBe(chunk.payloadSize); // served from the cache
  });

  it('reports a file cut anywhere as Truncated', async () => {
    const { file, records } = backup;
    const cuts = new Set([0x1e0, 0x1e1, 0x1e0 + 27, file.length - 1, file.length - 512]);
    for (const at of records) [at - 1, at, at + 1, at + 20].forEach((cut) => cuts.add(cut));
    for (let cut = 8; cut < file.length; cut += 97) cuts.add(cut);
    for (const cut of [...cuts].filter((c) => c >= 8 && c < file.length)) {
      expect(await codeOf(() => openAndReadAll(file.subarray(0, cut))), `cut at ${cut}`).toBe(
        'Truncated',
      );
    }
  });

  it('answers a flipped byte in any record header with success or a coded error, nothing else', async () => {
    const { file, records } = backup;
    for (const at of records) {
      for (let i = 0; i < 28; i++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const damaged = file.slice();
          damaged[at + i] = (damaged[at + i] ?? 0) ^ mask;
          const code = await codeOf(() => openAndReadAll(damaged));
          expect([
            'ok',
            'Truncated',
            'CorruptDescriptor',
            'UnsupportedCompression',
            'UnsupportedFormat',
          ]).toContain(code);
        }
      }
    }
  });

  it('names what it does not recognise', async () => {
    const change = (at: number, value: number): Uint8Array => {
      const copy = backup.file.slice();
      copy[at] = value;
      return copy;
    };
    const [tape, sset] = [at(backup.records, 0), at(backup.records, 3)];
    expect(await codeOf(() => openAndReadAll(change(12, 4)))).toBe('ok'); // proven by its TAPE
    expect(await codeOf(() => openAndReadAll(change(tape, 0x31)))).toBe('UnsupportedCompression');
    expect(await codeOf(() => openAndReadAll(change(sset, 0x22)))).toBe('UnsupportedCompression');
    expect(await codeOf(() => openAndReadAll(change(sset, 0x99)))).toBe('CorruptDescriptor');
    expect(await codeOf(() => openAndReadAll(change(sset + 1, 0)))).toBe('CorruptDescriptor');
    const seekIndex = at(backup.records, 8);
    expect(await codeOf(() => openAndReadAll(change(seekIndex + 24, 2)))).toBe('UnsupportedFormat');
    expect(await codeOf(() => openAndReadAll(change(seekIndex + 41, 0x7f)))).toBe(
      'CorruptDescriptor',
    );
    expect(await codeOf(() => openAndReadAll(change(at(backup.records, 2) + 20, 1)))).toBe(
      'CorruptDescriptor',
    );
    expect(await codeOf(() => openAndReadAll(new Uint8Array(0)))).toBe('EmptyFile');
    expect(await codeOf(() => openAndReadAll(new TextEncoder().encode('TAPE....')))).toBe(
      'NotABackup',
    );
  });
});

describe('openCompressedMedia with header words other than 2, 3', () => {
  const backup = syntheticBackup();
  const isUnknownWordsError = (error: BackupReadError, words: string): void => {
    expect(error.code).toBe('UnsupportedCompression');
    expect(error.message).toContain(`its header holds ${words} after MSSQLBAK`);
    expect(error.message).toMatch(/its first record (is not|decodes to|\()/);
    expect(error.message).toContain('SQL Server 2022 QAT_DEFLATE, 2025 ZSTD');
    expect(error.offset).toBe(8);
  };

  it('accepts them when the first record decodes to a checksummed TAPE block', async () => {
    for (const [first, second] of [
      [2, 4],
      [3, 3],
      [0, 0],
      [0xffffffff, 7],
    ] as const) {
      const file = withHeaderWords(backup.file, first, second);
      const media = await openCompressedMedia(memorySource('words.bak', file));
      expect(media.headerWords).toEqual([first, second]);
      expect(Buffer.compare(await media.stream.read(0, media.size), backup.stream)).toBe(0);
    }
  });

  it('rejects them, naming the words, when the first record is garbage', async () => {
    const garbage = backup.file.slice();
    const random = seededRandom(0x5eed);
    const [first, second] = [at(backup.records, 0), at(backup.records, 1)];
    for (let i = first + 28; i < second; i++) garbage[i] = random.below(256);
    expect((await errorOf(() => openAndReadAll(garbage))).code).toBe('CorruptDescriptor');
    const error = await errorOf(() => openAndReadAll(withHeaderWords(garbage, 2, 4)));
    isUnknownWordsError(error, '2, 4');
    expect((error.cause as BackupReadError).code).toBe('CorruptDescriptor');
  });

  it('rejects them when the first record is of another kind or decodes to no valid TAPE', async () => {
    const otherKind = withHeaderWords(backup.file, 1, 2);
    otherKind[at(backup.records, 0)] = 0x31;
    const error = await errorOf(() => openAndReadAll(otherKind));
    isUnknownWordsError(error, '1, 2');
    expect(error.message).toContain('is not an MS_XPRESS record');
    // Damage inside the first record's data keeps its decoder error as the cause.
    const garbled = withHeaderWords(backup.file, 2, 4);
    garbled.fill(0xff, at(backup.records, 0) + 28, at(backup.records, 0) + 28 + 256);
    const undecodable = await errorOf(() => openAndReadAll(garbled));
    isUnknownWordsError(undecodable, '2, 4');
    expect(undecodable.cause).toBeInstanceOf(BackupReadError);

    const badTape = mtfBlock('TAPE', 1024);
    badTape[20] = (badTape[20] ?? 0) ^ 0x01; // after the checksum was computed
    const unproven = syntheticBackup(3, badTape).file;
    expect(await codeOf(() => openAndReadAll(unproven))).toBe('ok'); // known words: not checked here
    isUnknownWordsError(
      await errorOf(() => openAndReadAll(withHeaderWords(unproven, 9, 9))),
      '9, 9',
    );
    const notTape = withHeaderWords(syntheticBackup(3, mtfBlock('SSET', 1024)).file, 2, 4);
    isUnknownWordsError(await errorOf(() => openAndReadAll(notTape)), '2, 4');
  });

  it('still reports a cut file as Truncated', async () => {
    const file = withHeaderWords(backup.file, 2, 4);
    const cuts = [0x1e0 + 27, ...backup.records.map((r) => r + 20), file.length - 1];
    for (const cut of cuts) {
      expect(await codeOf(() => openAndReadAll(file.subarray(0, cut))), `cut at ${cut}`).toBe(
        'Truncated',
      );
    }
  });
});

/** Walks MTF descriptor blocks from `offset`, reading only block and stream headers. */
async function walkBlocks(stream: ByteSource, offset: number, until: number) {
  const blocks: { offset: number; type: string }[] = [];
  while (offset < until) {
    const header = await stream.read(offset, 52);
    let xor = 0;
    for (let at = 0; at < 50; at += 2) xor ^= u16(header, at);
    expect(xor, `checksum of ${text(header)} at ${offset}`).toBe(u16(header, 50));
    blocks.push({ offset, type: text(header) });
    let next = offset + u16(header, 8);
    if (text(header) !== 'SFMB') {
      for (let id = ''; id !== 'SPAD';) {
        const stream22 = await stream.read(next, 22);
        id = text(stream22);
        const length = Number(Buffer.from(stream22).readBigUInt64LE(8));
        next = Math.ceil((next + 22 + length) / 4) * 4;
      }
    }
    offset = next;
  }
  return blocks;
}

describe.skipIf(!hasSample)('openCompressedMedia on the SQL Server 2014 sample', () => {
  const file = hasSample ? readFileSync(samplePath) : new Uint8Array(0);

  it('indexes 459 chunks in 5 segments with few large reads', async () => {
    const source = countingSource(memorySource('sample', file));
    const media = await openCompressedMedia(source);
    expect(source.reads).toBeLessThanOrEqual(6);
    expect([media.recordCount, media.extentCount, media.size]).toEqual([459, 464, 0x1c33600]);
    expect(media.segments.map((s) => s.trailer)).toEqual([
      'padding',
      'seek-index',
      'padding',
      'seek-index',
      'padding',
    ]);
    expect(segment(media, 1).seekPoints).toEqual([
      { segmentOffset: 0xe01c00, fileOffset: 0x1c9b4c },
      { segmentOffset: 0xe12400, fileOffset: 0x1ca522 },
    ]);
  });

  it('decodes to a valid MTF stream: TAPE, then two backup sets each ending MSLS, SFMB, ESET', async () => {
    const media = await openCompressedMedia(memorySource('sample', file));
    const blocks = await walkBlocks(media.stream, 0, media.size);
    const types = blocks
      .map((b) => b.type)
      .join(' ')
      .replace(/(MSTL )+/g, 'MSTL* ');
    const set = 'SSET VOLB MSCI MSDA MSTL* MSLS SFMB ESET ESET SFMB';
    expect(types).toBe(`TAPE SFMB ${set} ${set}`);
    for (const { streamOffset } of media.segments) {
      const type = text(await media.stream.read(streamOffset, 4));
      expect(['TAPE', 'SSET', 'ESET']).toContain(type);
    }
    for (let i = 0; i < media.extentCount; i++) {
      const extent = media.extent(i);
      if (extent.kind === 'stored')
        expect(text(await media.stream.read(extent.streamOffset, 4))).toBe('SFMB');
    }
    const sset = await media.stream.read(at(blocks, 2).offset, 116);
    const guid = Buffer.from(sset.subarray(100, 116)).toString('hex');
    expect(guid).toBe('48359ff12b0ecc41a4733a4b9e17a8e8'); // f19f3548-0e2b-41cc-a473-3a4b9e17a8e8
    expect(blocks.filter((b) => b.type === 'MSLS').map((b) => b.offset)).toEqual([
      0xe17e00, 0x1c31600,
    ]);
  });

  it('reads the MSLS tail copy by decoding only the last chunk of its set', async () => {
    const source = countingSource(memorySource('sample', file));
    const media = await openCompressedMedia(source);
    const before = source.bytesRead;
    const msls = await media.stream.read(0xe17e00, 52);
    expect(text(msls)).toBe('MSLS');
    const set = segment(media, 1);
    const last = media.extent(set.firstExtent + set.chunkCount - 1);
    expect(last.fileOffset).toBe(at(set.seekPoints, set.seekPoints.length - 1).fileOffset);
    expect(source.bytesRead - before).toBe(last.payloadSize);
  });

  it('reads both backup sets when the header words are changed to 2, 4', async () => {
    const changed = withHeaderWords(file, 2, 4);
    const media = await openCompressedMedia(memorySource('sample', changed));
    expect([media.headerWords, media.recordCount, media.size]).toEqual([[2, 4], 459, 0x1c33600]);
    const original = await readBackupMedia(memorySource('sample', file));
    const read = await readBackupMedia(memorySource('sample', changed));
    expect(read.sets.map((set) => [set.header.Position, set.complete])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(read).toEqual(original);
  });

  it('reports truncated copies and damaged record headers with coded errors', async () => {
    for (const cut of [1 << 20, 0x1cae00, 0x1cb000, 0x1cb000 + 0x1ff, file.length - 1]) {
      expect(await codeOf(() => openAndReadAll(file.subarray(0, cut))), `cut at ${cut}`).toBe(
        'Truncated',
      );
    }
    expect(await codeOf(() => openAndReadAll(file.subarray(0, 0x1cb200)))).toBe('ok'); // one set
    const flip = (offset: number, mask: number): Uint8Array => {
      const copy = Uint8Array.from(file);
      copy[offset] = (copy[offset] ?? 0) ^ mask;
      return copy;
    };
    expect(await codeOf(() => openAndReadAll(flip(0x600, 0x01)))).toBe('UnsupportedCompression');
    expect(await codeOf(() => openAndReadAll(flip(0x9da + 1, 0x01)))).toBe('CorruptDescriptor');
    expect(await codeOf(() => openAndReadAll(flip(0x1187 + 3, 0x10)))).toBe('CorruptDescriptor');
  });
});
