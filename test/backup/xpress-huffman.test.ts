import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { BackupReadError } from '../../src/backup/index.js';
import { decodeXpressHuffman, decompressXpressHuffman } from '../../src/backup/xpress-huffman.js';
import {
  encodeXpressHuffman,
  expandTokens,
  literals,
  skewedCodeLengths,
  type XpressToken,
} from '../support/xpress-encoder.js';

const corpusSample = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/corpus/backups/appveyor-lab/singlerestore/SharePoint_Config-compressed-v1.bak',
);
const hasSample = existsSync(corpusSample);
if (!hasSample) console.warn(`Skipping the XPRESS corpus tests: ${corpusSample} is absent.`);

function roundTrip(tokens: XpressToken[], codeLengths?: number[]): void {
  const expected = expandTokens(tokens);
  const input = encodeXpressHuffman(tokens, codeLengths ? { codeLengths } : {});
  const result = decodeXpressHuffman(input, expected.length);
  expect(firstDifference(result.output, expected)).toBe(-1);
  expect(result.inputUsed).toBeLessThanOrEqual(input.length);
}

/** -1 when equal; compares without the cost of a deep equality on large arrays. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (Buffer.compare(a, b) === 0) return -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return Math.min(a.length, b.length);
}

function expectCorrupt(run: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BackupReadError);
  expect((caught as BackupReadError).code).toBe('CorruptDescriptor');
  expect((caught as BackupReadError).message).toMatch(message);
}

/** mulberry32: deterministic, so a failing case can be replayed. */
function random(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * bound);
  };
}

/** Random literals and matches (lengths 3..300, near and far distances) producing `size` bytes. */
function randomTokens(seed: number, size: number): XpressToken[] {
  const below = random(seed);
  const tokens: XpressToken[] = [];
  let produced = 0;
  while (produced < size) {
    const room = size - produced;
    if (produced < 16 || room < 3 || below(3) === 0) {
      tokens.push({ literal: below(4) === 0 ? 65 : below(256) });
      produced += 1;
    } else {
      const length = Math.min(room, 3 + below(below(10) === 0 ? 300 : 20));
      const distance = 1 + below(Math.min(produced, below(2) === 0 ? 64 : 65535));
      tokens.push({ length, distance });
      produced += length;
    }
  }
  return tokens;
}

describe('decompressXpressHuffman ([MS-XCA] 2.2)', () => {
  it('decodes literals with a flat and with an uneven Huffman table', () => {
    roundTrip(literals('Hello, XPRESS Huffman!'));
    roundTrip(literals('AAAA\0\0BA\0xyz'), skewedCodeLengths());
  });

  it('decodes overlapping matches and every length encoding (4-bit, byte, 16-bit)', () => {
    const abc = literals('abc');
    for (const length of [3, 17, 18, 100, 269, 270, 271, 1000, 65538]) {
      roundTrip([...abc, { length, distance: 3 }, { literal: 33 }, { length: 5, distance: 1 }]);
    }
  });

  it('decodes multi-block streams (a new table every 65,536 output bytes, matches across)', () => {
    for (const seed of [1, 2, 3]) roundTrip(randomTokens(seed, 200_000), skewedCodeLengths());
    roundTrip(randomTokens(4, 65536 * 2));
    const below = random(5);
    const bytes = Uint8Array.from({ length: 140_000 }, () => below(256));
    roundTrip(literals(bytes), skewedCodeLengths());
  });

  it('decodes a stream written by Windows: 65,537 zeros as one literal and a 65,536-byte match', () => {
    // Published on the cifs-protocol list (2022-11, "is sometimes slightly more than 64k encoded
    // in a block?"): table bytes 0, 128, 135 = 0x02, 0x02, 0x10, then 00 98 00 00 ff fd ff.
    const input = new Uint8Array(256 + 7);
    input[0] = 0x02;
    input[128] = 0x02;
    input[135] = 0x10;
    input.set([0x00, 0x98, 0x00, 0x00, 0xff, 0xfd, 0xff], 256);
    const { output, inputUsed } = decodeXpressHuffman(input, 65537);
    expect(firstDifference(output, new Uint8Array(65537))).toBe(-1);
    expect(inputUsed).toBe(input.length);
  });

  it('does not need the end-of-stream symbol and returns nothing for an empty output', () => {
    const tokens = literals('no end symbol');
    const input = encodeXpressHuffman(tokens, { endOfStream: false });
    expect(decompressXpressHuffman(input, 13)).toEqual(expandTokens(tokens));
    expect(decompressXpressHuffman(new Uint8Array(0), 0)).toEqual(new Uint8Array(0));
  });

  it('stops at outputSize: the output never grows past it', () => {
    const input = encodeXpressHuffman(literals('abcdefgh'));
    expect(decompressXpressHuffman(input, 5)).toEqual(new TextEncoder().encode('abcde'));
    const withMatch = encodeXpressHuffman([...literals('ab'), { length: 10, distance: 2 }]);
    expectCorrupt(() => decompressXpressHuffman(withMatch, 8), /runs past the 8-byte output/);
  });

  it('rejects tables that violate the Kraft equality', () => {
    const body = encodeXpressHuffman(literals('x')).subarray(256);
    const table = (byte: number): Uint8Array => {
      const input = new Uint8Array(256 + body.length).fill(byte, 0, 256);
      input.set(body, 256);
      return input;
    };
    expectCorrupt(() => decompressXpressHuffman(table(0x88), 1), /over-subscribed/);
    expectCorrupt(() => decompressXpressHuffman(table(0xaa), 1), /incomplete/);
    expectCorrupt(() => decompressXpressHuffman(table(0x00), 1), /incomplete \(Kraft sum 0/);
  });

  it('rejects matches reaching before the start of the output', () => {
    const first = encodeXpressHuffman([{ length: 4, distance: 1 }]);
    expectCorrupt(() => decompressXpressHuffman(first, 4), /refers 1 bytes back but only 0/);
    const far = encodeXpressHuffman([...literals('abcd'), { length: 3, distance: 5 }]);
    expectCorrupt(() => decompressXpressHuffman(far, 7), /refers 5 bytes back but only 4/);
  });

  it('rejects a 16-bit match length below 15', () => {
    const input = encodeXpressHuffman([
      ...literals('a'),
      { length: 300, distance: 1, rawLength16: 3 },
    ]);
    expectCorrupt(() => decompressXpressHuffman(input, 301), /invalid long match length 3/);
  });

  it('rejects truncated input at every cut point, and input shorter than a table', () => {
    const tokens = randomTokens(9, 3000);
    const input = encodeXpressHuffman(tokens);
    const size = expandTokens(tokens).length;
    for (let cut = 0; cut < input.length - 4; cut += 7) {
      expectCorrupt(() => decompressXpressHuffman(input.subarray(0, cut), size), /ends/);
    }
    expectCorrupt(
      () => decompressXpressHuffman(new Uint8Array(100), 1),
      /Huffman table is expected/,
    );
  });

  it('survives random corruption: a result or a BackupReadError, never a hang or another error', () => {
    const tokens = randomTokens(11, 20_000);
    const input = encodeXpressHuffman(tokens, { codeLengths: skewedCodeLengths() });
    const size = expandTokens(tokens).length;
    const below = random(12);
    for (let round = 0; round < 300; round++) {
      const damaged = input.slice();
      for (let flips = 1 + below(4); flips > 0; flips--) {
        const at = below(damaged.length);
        damaged[at] = (damaged[at] ?? 0) ^ (1 << below(8));
      }
      try {
        expect(decompressXpressHuffman(damaged, size)).toHaveLength(size);
      } catch (error) {
        expect(error).toBeInstanceOf(BackupReadError);
        expect((error as BackupReadError).code).toBe('CorruptDescriptor');
      }
    }
  });

  it('rejects an impossible outputSize as a programming error', () => {
    expect(() => decompressXpressHuffman(new Uint8Array(0), -1)).toThrow(RangeError);
    expect(() => decompressXpressHuffman(new Uint8Array(0), 1.5)).toThrow(RangeError);
  });
});

describe.skipIf(!hasSample)('decompressXpressHuffman on the SQL Server 2014 sample', () => {
  const file = hasSample ? readFileSync(corpusSample) : new Uint8Array(0);

  it('decodes the first record (0x1E0: 28-byte header, 0x160-byte payload) to the TAPE block', () => {
    const { output, inputUsed } = decodeXpressHuffman(file.subarray(0x1fc, 0x1fc + 0x160), 1024);
    expect(new TextDecoder().decode(output.subarray(0, 4))).toBe('TAPE');
    expect(inputUsed).toBe(0x160);
    let xor = 0;
    const word = (at: number): number => (output[at] ?? 0) | ((output[at + 1] ?? 0) << 8);
    for (let i = 0; i < 50; i += 2) xor ^= word(i);
    expect(xor).toBe(word(50));
  });

  it('decodes the record at 0x600 (size byte 0x0e = 14 × 512) to SSET, VOLB and MSCI', () => {
    const payload = file.subarray(0x600 + 28, 0x600 + 28 + 0x3be);
    const output = decompressXpressHuffman(payload, 14 * 512);
    const text = (at: number): string => new TextDecoder().decode(output.subarray(at, at + 4));
    expect([text(0), text(0x400), text(0x800)]).toEqual(['SSET', 'VOLB', 'MSCI']);
  });
});
