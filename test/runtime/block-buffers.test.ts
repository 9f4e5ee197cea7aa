/** Whole-block buffers: one given back is handed out again; a few of each size are kept, no more. */
import { describe, expect, it } from 'vitest';

import { BlockBuffers } from '../../src/runtime/block-buffers.js';

describe('BlockBuffers', () => {
  it('hands a buffer given back out again, by size', () => {
    const buffers = new BlockBuffers();
    const first = buffers.take(1024);
    expect(first).toHaveLength(1024);
    buffers.give(first);
    expect(buffers.take(2048)).not.toBe(first);
    expect(buffers.take(1024)).toBe(first);
    expect(buffers.take(1024)).not.toBe(first);
  });

  it('keeps at most eight of a size', () => {
    const buffers = new BlockBuffers();
    const given = Array.from({ length: 10 }, () => buffers.take(64));
    for (const buffer of given) buffers.give(buffer);
    const again = new Set(Array.from({ length: 10 }, () => buffers.take(64)));
    expect(given.filter((buffer) => again.has(buffer))).toHaveLength(8);
  });
});
