import { open, type FileHandle } from 'node:fs/promises';

import { BackupReadError } from './errors.js';

/**
 * Random-access bytes: a local file, a blob read by ranges, or a view over decompressed data. The
 * backup reader asks for small ranges only; it never needs the whole file.
 */
export interface ByteSource {
  /** What the bytes are, for messages (a path or a URL without credentials). */
  readonly name: string;
  /** Total length in bytes. */
  readonly size: number;
  /**
   * Returns exactly `length` bytes starting at `offset`, or fewer only when the source ends first.
   * Rejects when the underlying storage fails.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Opens a local file as a byte source. The caller closes it. */
export async function openFileSource(path: string): Promise<ByteSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new BackupReadError('ReadFailed', `Cannot open ${path}: ${describeIoError(error)}.`, {
      cause: error,
    });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new BackupReadError('ReadFailed', `${path} is not a regular file.`);
    }
    return new FileSource(path, handle, stats.size);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

class FileSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  readonly #handle: FileHandle;

  constructor(name: string, handle: FileHandle, size: number) {
    this.name = name;
    this.#handle = handle;
    this.size = size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    const buffer = new Uint8Array(wanted);
    let filled = 0;
    try {
      while (filled < wanted) {
        const { bytesRead } = await this.#handle.read(
          buffer,
          filled,
          wanted - filled,
          offset + filled,
        );
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch (error) {
      throw new BackupReadError(
        'ReadFailed',
        `Reading ${this.name} at byte ${offset} failed: ${describeIoError(error)}.`,
        { offset, cause: error },
      );
    }
    return filled === wanted ? buffer : buffer.subarray(0, filled);
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/** A byte source over bytes already in memory (tests, decompressed data, small blobs). */
export function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read: (offset, length) =>
      Promise.resolve(
        bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length)),
      ),
    close: () => Promise.resolve(),
  };
}

/**
 * Wraps a source so that, when it is no larger than `maxBytes`, its first read fetches all of it and
 * later reads are served from memory. The reader asks for a few KiB at a time; for a small file that
 * is many calls for bytes one call can bring (a 100 KiB log is read in one instead of a dozen), while
 * a large file is still read by ranges.
 */
export function readWholeIfSmall(inner: ByteSource, maxBytes: number): ByteSource {
  if (inner.size > maxBytes) return inner;
  let whole: Promise<Uint8Array> | null = null;
  return {
    name: inner.name,
    size: inner.size,
    async read(offset, length) {
      whole ??= inner.read(0, inner.size);
      const bytes = await whole;
      return bytes.subarray(
        Math.min(offset, bytes.length),
        Math.min(offset + length, bytes.length),
      );
    },
    close: () => inner.close(),
  };
}

/** Wraps a source and counts what was asked of it: the benchmark's "bytes read per set". */
export interface CountingByteSource extends ByteSource {
  readonly bytesRead: number;
  readonly reads: number;
}

export function countingSource(inner: ByteSource): CountingByteSource {
  let bytesRead = 0;
  let reads = 0;
  return {
    name: inner.name,
    size: inner.size,
    get bytesRead() {
      return bytesRead;
    },
    get reads() {
      return reads;
    },
    async read(offset, length) {
      const bytes = await inner.read(offset, length);
      bytesRead += bytes.length;
      reads += 1;
      return bytes;
    },
    close: () => inner.close(),
  };
}

function describeIoError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    const code = String((error as NodeJS.ErrnoException).code);
    const known: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'it is a folder',
      EIO: 'input/output error from the disk or share',
    };
    return known[code] ?? `${code} (${error.message})`;
  }
  return String(error);
}
