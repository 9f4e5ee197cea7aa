import { ascii, u16, u32 } from './binary.js';
import type { ByteSource } from './byte-source.js';
import {
  buildIndex,
  CHUNK_HEADER_SIZE,
  COMPRESSED_MAGIC,
  FILE_HEADER_SIZE,
  hex,
  MTF_HEADER_SIZE,
  truncated,
  unsupported,
  type CompressedExtent,
  type CompressedSegment,
  type ExtentIndex,
} from './compressed-record-index.js';
import { BackupReadError, isBackupReadError, type BackupErrorCode } from './errors.js';
import { mtfChecksum } from './mtf-blocks.js';
import { WindowedReader } from './windowed-reader.js';
import { decompressXpressHuffman } from './xpress-huffman.js';

/**
 * Reader of SQL Server's compressed backup container (`BACKUP ... WITH COMPRESSION`, MS_XPRESS): the
 * decompressed MTF stream over the record index built by `compressed-record-index.ts`, whose file
 * comment describes the layout.
 */

export type { CompressedExtent, CompressedSegment, SeekPoint } from './compressed-record-index.js';

const WINDOW_SIZE = 1 << 20;
const CACHED_CHUNKS = 16;
/** Index and decode failures that, under unknown header words, mean "not MS_XPRESS after all". */
const NOT_PROVEN: ReadonlySet<BackupErrorCode> = new Set([
  'CorruptDescriptor',
  'UnsupportedFormat',
  'UnsupportedCompression',
]);

export interface CompressedMedia {
  /** The decompressed MTF stream. Reads decode only the chunks they touch; closing clears the cache. */
  readonly stream: ByteSource;
  /** Size of the decompressed stream (from the record headers). */
  readonly size: number;
  readonly compressedSize: number;
  /** The two u32 after the magic (2 and 3 in the SQL Server 2014 sample); meaning unknown. */
  readonly headerWords: readonly [number, number];
  /** Number of compressed chunks. */
  readonly recordCount: number;
  /** Compressed chunks plus stored blocks, in stream order. */
  readonly extentCount: number;
  extent(index: number): CompressedExtent;
  readonly segments: readonly CompressedSegment[];
}

/**
 * Indexes the records of a compressed backup, reading the file once in 1 MiB windows, then decodes
 * the first chunk of the last segment to check the media ends with `ESET`. Header words other than
 * the known 2, 3 are accepted only when the first chunk decodes to a valid MTF `TAPE` block.
 */
export async function openCompressedMedia(source: ByteSource): Promise<CompressedMedia> {
  if (source.size === 0) throw new BackupReadError('EmptyFile', `${source.name} is empty.`);
  const reader = new WindowedReader(source, { windowBytes: WINDOW_SIZE, maxWindows: 2 });
  const header = await reader.read(0, FILE_HEADER_SIZE);
  if (header.length < 8 || ascii(header, 0, 8) !== COMPRESSED_MAGIC) {
    throw new BackupReadError('NotABackup', `${source.name} does not start with MSSQLBAK.`);
  }
  if (header.length < FILE_HEADER_SIZE) throw truncated(source, 'inside the file header', 0);
  const headerWords: [number, number] = [u32(header, 8), u32(header, 12)];
  const known = headerWords[0] === 2 && headerWords[1] === 3;
  const { index, stream } = known
    ? await openIndexed(source, reader)
    : await openProven(source, reader, headerWords);
  // The media ends with ESET (then SFMB); a file cut after a complete segment would not.
  const last = index.segments.length > 1 ? index.segments.at(-1) : undefined;
  const ending = last ? await stream.read(last.streamOffset, 4) : new Uint8Array(0);
  if (ending.length < 4 || ascii(ending, 0, 4) !== 'ESET') {
    const at = index.files[last?.firstExtent ?? 0] ?? 0;
    throw truncated(source, 'before its end-of-media ESET block', at);
  }
  const { size, recordCount, segments } = index;
  const extent = (i: number): CompressedExtent => index.extent(i);
  const common = { stream, size, compressedSize: source.size, headerWords, recordCount };
  return { ...common, extentCount: index.count, extent, segments };
}

async function openIndexed(source: ByteSource, reader: WindowedReader) {
  const index = await buildIndex(source, reader);
  return { index, stream: new DecompressedStream(source, index) };
}

/**
 * Header words other than 2, 3 (SQL Server versions without a sample may write others): the first
 * record must decode, on its own, to an MTF `TAPE` block whose checksum holds — proof the algorithm is
 * MS_XPRESS — before the file is indexed. Otherwise `UnsupportedCompression`; `Truncated` and
 * `ReadFailed` pass through, as a cut or unreadable file is that whatever its header says. Damage found
 * later, while indexing, keeps its own code.
 */
async function openProven(source: ByteSource, reader: WindowedReader, words: [number, number]) {
  const head = await reader.read(FILE_HEADER_SIZE, CHUNK_HEADER_SIZE);
  if (head.length < CHUNK_HEADER_SIZE)
    throw truncated(source, 'inside its first record', FILE_HEADER_SIZE);
  const units = head[1] ?? 0;
  const payloadSize = u16(head, 2);
  const reject = (found: string, cause?: unknown): BackupReadError =>
    unsupported(
      source,
      `its header holds ${words.join(', ')} after MSSQLBAK (SQL Server 2014 MS_XPRESS writes 2, 3) and ${found}`,
      8,
      cause,
    );
  if (head[0] !== 0x21 || units === 0) {
    throw reject(`its first record (${hex(head.subarray(0, 8))}) is not an MS_XPRESS record`);
  }
  const payload = await reader.read(FILE_HEADER_SIZE + CHUNK_HEADER_SIZE, payloadSize);
  if (payload.length < payloadSize)
    throw truncated(source, 'inside its first record', FILE_HEADER_SIZE);
  let first: Uint8Array;
  try {
    first = decompressXpressHuffman(payload, units * 512);
  } catch (error) {
    if (!isBackupReadError(error) || !NOT_PROVEN.has(error.code)) throw error;
    throw reject('its first record is not MS_XPRESS data sqlmig can decode', error);
  }
  const tape =
    first.length >= MTF_HEADER_SIZE &&
    ascii(first, 0, 4) === 'TAPE' &&
    mtfChecksum(first, 25) === u16(first, 50);
  if (!tape) {
    throw reject(
      `its first record decodes to ${hex(first.subarray(0, 8))}, not an MTF TAPE block with a valid checksum`,
    );
  }
  return openIndexed(source, reader);
}

/** The decompressed stream: maps offsets to extents and decodes chunks through a small LRU cache. */
class DecompressedStream implements ByteSource {
  readonly name: string;
  readonly size: number;
  readonly #cache = new Map<number, Promise<Uint8Array>>();

  constructor(
    readonly source: ByteSource,
    readonly index: ExtentIndex,
  ) {
    this.name = `${source.name} (decompressed)`;
    this.size = index.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0
    ) {
      throw new RangeError(`Invalid range ${offset}+${length} of ${this.name}`);
    }
    const start = Math.min(offset, this.size);
    const result = new Uint8Array(Math.min(length, this.size - start));
    for (let i = this.index.find(start), done = 0; done < result.length; i++) {
      const extent = this.index.extent(i);
      const from = start + done - extent.streamOffset;
      const take = Math.min(extent.size - from, result.length - done);
      const bytes =
        extent.kind === 'stored'
          ? await this.source.read(extent.fileOffset + from, take)
          : (await this.#decoded(i, extent)).subarray(from, from + take);
      if (bytes.length < take)
        throw truncated(this.source, 'inside an SFMB block', extent.fileOffset);
      result.set(bytes, done);
      done += take;
    }
    return result;
  }

  close(): Promise<void> {
    this.#cache.clear();
    return Promise.resolve();
  }

  #decoded(i: number, extent: CompressedExtent): Promise<Uint8Array> {
    let entry = this.#cache.get(i);
    if (entry) {
      this.#cache.delete(i); // re-inserted below: the Map's order is the LRU order
    } else {
      entry = this.#decode(extent);
      entry.catch(() => this.#cache.get(i) === entry && this.#cache.delete(i));
      const oldest = this.#cache.keys().next().value;
      if (this.#cache.size >= CACHED_CHUNKS && oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(i, entry);
    return entry;
  }

  async #decode(extent: CompressedExtent): Promise<Uint8Array> {
    const at = extent.fileOffset + CHUNK_HEADER_SIZE;
    const payload = await this.source.read(at, extent.payloadSize);
    if (payload.length < extent.payloadSize)
      throw truncated(this.source, 'inside a compressed record', extent.fileOffset);
    try {
      return decompressXpressHuffman(payload, extent.size);
    } catch (error) {
      if (!isBackupReadError(error)) throw error;
      const where = `${this.source.name}: the compressed record at byte ${extent.fileOffset}`;
      const options = { offset: at + (error.offset ?? 0), cause: error };
      throw new BackupReadError(
        error.code,
        `${where} cannot be decoded. ${error.message}`,
        options,
      );
    }
  }
}
