/**
 * Microsoft Tape Format (MTF 1.00a) descriptor blocks and stream headers, as SQL Server writes them.
 * This module knows the framing only: how to read one block and step over its streams to the next
 * one. What the blocks mean is `media-reader.ts`'s business.
 */
import { ascii, isZero, u16, u64 } from './binary.js';
import { BackupReadError } from './errors.js';
import type { WindowedReader } from './windowed-reader.js';

const descriptorHeaderBytes = 52;
const streamHeaderBytes = 22;
/** No SQL Server descriptor block has a fixed part this large; a bigger value is corruption. */
const maxFixedPartBytes = 64 * 1024;

export interface DescriptorBlock {
  /** Four upper-case letters: `TAPE`, `SSET`, `VOLB`, `MSCI`, `MSDA`, `MSTL`, `MSLS`, `ESET`, … */
  readonly type: string;
  readonly offset: number;
  /** The block's fixed part: the 52-byte common header, the type's own fields and its strings. */
  readonly fixed: Uint8Array;
}

export interface StreamHeader {
  readonly id: string;
  readonly dataOffset: number;
  readonly length: number;
  readonly encryptionAlgorithm: number;
  readonly compressionAlgorithm: number;
}

export type BlockRead =
  | {
      readonly kind: 'block';
      readonly block: DescriptorBlock;
      readonly streams: readonly StreamHeader[];
      readonly next: number;
    }
  /** The source ends (or holds only zeros, as a file being written does) where a block should be. */
  | {
      readonly kind: 'end';
      readonly offset: number;
      readonly cause: 'end-of-file' | 'unwritten' | 'cut-short';
    };

/** XOR of the first `words` 16-bit little-endian words: MTF's header checksum. */
export function mtfChecksum(bytes: Uint8Array, words: number): number {
  let sum = 0;
  for (let i = 0; i < words; i++) sum ^= u16(bytes, i * 2);
  return sum;
}

function isBlockType(text: string): boolean {
  return /^[A-Z]{4}$/.test(text);
}

/** Reads the descriptor block at `offset` and the headers of its streams, up to where the next block starts. */
export async function readBlock(reader: WindowedReader, offset: number): Promise<BlockRead> {
  if (offset >= reader.size) return { kind: 'end', offset, cause: 'end-of-file' };
  const head = await reader.read(offset, descriptorHeaderBytes);
  if (head.length < descriptorHeaderBytes) return { kind: 'end', offset, cause: 'cut-short' };
  if (isZero(head, 0, descriptorHeaderBytes)) return { kind: 'end', offset, cause: 'unwritten' };

  const type = ascii(head, 0, 4);
  if (!isBlockType(type)) {
    throw new BackupReadError(
      'CorruptDescriptor',
      `Expected an MTF descriptor block at byte ${offset} of ${reader.name}, found bytes that are not one: the file is damaged.`,
      { offset },
    );
  }
  const stored = u16(head, 50);
  if (mtfChecksum(head, 25) !== stored) {
    throw new BackupReadError(
      'CorruptDescriptor',
      `The ${type} descriptor block at byte ${offset} of ${reader.name} fails its checksum: the file is damaged. Take the backup again or copy the file again from its source.`,
      { offset },
    );
  }
  const fixedBytes = u16(head, 8);
  if (fixedBytes < descriptorHeaderBytes || fixedBytes > maxFixedPartBytes) {
    throw new BackupReadError(
      'CorruptDescriptor',
      `The ${type} descriptor block at byte ${offset} of ${reader.name} says its streams start ${fixedBytes} bytes in, which is impossible: the file is damaged.`,
      { offset },
    );
  }
  const fixed = fixedBytes === descriptorHeaderBytes ? head : await reader.read(offset, fixedBytes);
  if (fixed.length < fixedBytes) return { kind: 'end', offset, cause: 'cut-short' };
  const block: DescriptorBlock = { type, offset, fixed };

  // A soft filemark carries no streams: it fills one physical block.
  if (type === 'SFMB') {
    if (fixedBytes % 512 !== 0) {
      throw new BackupReadError(
        'CorruptDescriptor',
        `The filemark block at byte ${offset} of ${reader.name} has an impossible size (${fixedBytes} bytes): the file is damaged.`,
        { offset },
      );
    }
    return { kind: 'block', block, streams: [], next: offset + fixedBytes };
  }

  const streams: StreamHeader[] = [];
  let position = offset + fixedBytes;
  for (;;) {
    const header = await reader.read(position, streamHeaderBytes);
    if (header.length < streamHeaderBytes)
      return { kind: 'end', offset: position, cause: 'cut-short' };
    if (isZero(header, 0, streamHeaderBytes))
      return { kind: 'end', offset: position, cause: 'unwritten' };
    const id = ascii(header, 0, 4);
    if (!isBlockType(id) || mtfChecksum(header, 10) !== u16(header, 20)) {
      throw new BackupReadError(
        'CorruptDescriptor',
        `The stream header at byte ${position} of ${reader.name} (in the ${type} block at byte ${offset}) is damaged: the file is damaged.`,
        { offset: position },
      );
    }
    const length = u64(header, 8);
    const dataOffset = position + streamHeaderBytes;
    if (length > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new BackupReadError(
        'CorruptDescriptor',
        `The ${id} stream at byte ${position} of ${reader.name} claims ${length} bytes, more than any file holds: the file is damaged.`,
        { offset: position },
      );
    }
    const stream: StreamHeader = {
      id,
      dataOffset,
      length: Number(length),
      encryptionAlgorithm: u16(header, 16),
      compressionAlgorithm: u16(header, 18),
    };
    const end = dataOffset + stream.length;
    if (id === 'SPAD') {
      // Padding runs to the next block boundary, where the next descriptor block starts.
      if (end > reader.size) return { kind: 'end', offset: reader.size, cause: 'cut-short' };
      return { kind: 'block', block, streams, next: end };
    }
    streams.push(stream);
    if (end > reader.size) return { kind: 'end', offset: reader.size, cause: 'cut-short' };
    // Streams are 4-byte aligned.
    position = Math.ceil(end / 4) * 4;
  }
}
