/**
 * Block sizes: the one configured, unless the file would need more than Azure's 50,000 blocks; then
 * the smallest whole number of MiB that fits, the same at every attempt; refused past 100 MiB blocks.
 */
import { describe, expect, it } from 'vitest';

import {
  blockCapacity,
  blockLength,
  blockSizeFor,
  maxBlocksPerBlob,
} from '../../src/runtime/block-size.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('blockSizeFor', () => {
  it('keeps the configured size while the file fits in 50,000 blocks of it', () => {
    expect(blockSizeFor(0, 4 * MiB)).toBe(4 * MiB);
    expect(blockSizeFor(100 * GiB, 4 * MiB)).toBe(4 * MiB);
    expect(blockSizeFor(maxBlocksPerBlob * 4 * MiB, 4 * MiB)).toBe(4 * MiB);
  });

  it('takes the smallest whole number of MiB that fits a larger file', () => {
    expect(blockSizeFor(maxBlocksPerBlob * 4 * MiB + 1, 4 * MiB)).toBe(5 * MiB);
    expect(blockSizeFor(300 * GiB, 4 * MiB)).toBe(7 * MiB); // 6.14 MiB needed
    expect(blockSizeFor(300 * GiB, 64 * 1024)).toBe(7 * MiB);
    for (const size of [196 * GiB, 1024 * GiB, 3 * 1024 * GiB + 12_345]) {
      const block = blockSizeFor(size, 4 * MiB);
      expect(block % MiB).toBe(0);
      expect(Math.ceil(size / block)).toBeLessThanOrEqual(maxBlocksPerBlob);
      expect(Math.ceil(size / (block - MiB))).toBeGreaterThan(maxBlocksPerBlob);
    }
  });

  it('refuses a file that would need blocks over 100 MiB, saying to stripe the backup', () => {
    expect(blockSizeFor(maxBlocksPerBlob * 100 * MiB, 4 * MiB)).toBe(100 * MiB);
    expect(() => blockSizeFor(maxBlocksPerBlob * 100 * MiB + 1, 4 * MiB)).toThrow(
      /needs more than 50000 blocks of 100 MiB.*striped backup.*smaller than 4\.8 TiB/,
    );
  });
});

describe('blockLength', () => {
  it('takes a whole block while more than a block and a sixteenth is left, then all the rest', () => {
    const block = 4 * MiB;
    expect(blockCapacity(block)).toBe(4 * MiB + 256 * 1024);
    expect(blockLength(10 * MiB, block)).toBe(block);
    expect(blockLength(blockCapacity(block) + 1, block)).toBe(block);
    expect(blockLength(blockCapacity(block), block)).toBe(blockCapacity(block));
    expect(blockLength(block + 8704, block)).toBe(block + 8704); // a 4 MiB full and its headers
    expect(blockLength(block, block)).toBe(block);
    expect(blockLength(100, block)).toBe(100);
  });

  it('cuts any file into blocks that add up to it, never more than 50,000', () => {
    for (const size of [0, 1, 4 * MiB - 1, 4 * MiB + 1, 9 * MiB + 3, 196 * GiB + 12_345]) {
      const block = blockSizeFor(size, 4 * MiB);
      let left = size;
      let count = 0;
      while (left > 0) {
        const length = blockLength(left, block);
        expect(length).toBeGreaterThan(0);
        expect(length).toBeLessThanOrEqual(blockCapacity(block));
        left -= length;
        count += 1;
      }
      expect(left).toBe(0);
      expect(count).toBeLessThanOrEqual(Math.max(1, Math.ceil(size / block)));
      expect(count).toBeLessThanOrEqual(maxBlocksPerBlob);
    }
  });
});
