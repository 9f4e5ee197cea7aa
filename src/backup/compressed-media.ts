import type { ByteSource } from './byte-source.js';
import { BackupReadError, isBackupReadError } from './errors.js';
import { decompressXpressHuffman } from './xpress-huffman.js';

/**
 * Reader of SQL Server's compressed backup container (`BACKUP ... WITH COMPRESSION`, MS_XPRESS). No
 * public specification exists; this layout was read from a SQL Server 2014 file. Little-endian:
 *
 * - File header, 0x1E0 bytes: `MSSQLBAK`, u32 2, u32 3, then zeros except u64 -1 at 0x28 + 0x20·k
 *   (k < 5) and 0xD0 + 0x20·k (k < 4): tables of unknown meaning.
 * - Segments: records ended by a trailer record, then one MTF `SFMB` block stored as is. Records:
 *   - `0x21` chunk: u8 kind, u8 decompressed size in 512-byte units, u16 payload size N, u32 that
 *     mostly grows through the file (timestamp-like; sometimes 0), 16 opaque bytes (they look like
 *     stale memory), u32 probable checksum (not CRC-32, CRC-32C, Adler-32), then N bytes of
 *     [MS-XCA] LZ77+Huffman data. Each chunk decodes on its own.
 *   - `0x24` padding: u8 kind, u8 0, u16 N, 20 zero bytes, N zero bytes (up to a 512 boundary).
 *   - `0x2c` seek index, after a backup set: 24-byte header (kind, zeros), a 16-byte tag (u16 1,
 *     u16 1, u32 count, two u32 of unknown meaning), count × {u64 offset in the segment's
 *     decompressed bytes, u64 file offset of that chunk}, zeros, the tag again ending at a boundary.
 *
 * Chunks and stored blocks, decoded and in file order, form the same MTF stream as an uncompressed
 * backup (`TAPE` first). A complete file ends with a segment holding `ESET`, then an `SFMB`.
 */

export const COMPRESSED_MAGIC = 'MSSQLBAK';
const FILE_HEADER_SIZE = 0x1e0;
const CHUNK_HEADER_SIZE = 28;
const TRAILER_HEADER_SIZE = 24;
const TAG_SIZE = 16;
const UNIT = 512;
const WINDOW_SIZE = 1 << 20;
const MAX_SEEK_ENTRIES = 4096;
/** How far past its entries a seek index may run to reach its closing tag (allows 4 KiB sectors). */
const MAX_TRAILER_SLACK = 8192;
const CACHED_CHUNKS = 16;
const [CHUNK, PADDING, SEEK_INDEX] = [0x21, 0x24, 0x2c];

export interface CompressedExtent {
  readonly kind: 'xpress' | 'stored';
  /** Offset of these bytes in the decompressed stream. */
  readonly streamOffset: number;
  readonly size: number;
  /** File offset of the chunk's record header, or of the stored block. */
  readonly fileOffset: number;
  /** Compressed bytes after the 28-byte header, or `size` for a stored block. */
  readonly payloadSize: number;
}

export interface SeekPoint {
  /** Offset of a chunk from the start of its segment, in decompressed bytes. */
  readonly segmentOffset: number;
  readonly fileOffset: number;
}

export interface CompressedSegment {
  readonly streamOffset: number;
  readonly size: number;
  readonly firstExtent: number;
  /** Chunks, not counting the stored block that follows the segment. */
  readonly chunkCount: number;
  readonly trailer: 'padding' | 'seek-index';
  readonly seekPoints: readonly SeekPoint[];
}

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
 * the first chunk of the last segment to check the media ends with `ESET`.
 */
export async function openCompressedMedia(source: ByteSource): Promise<CompressedMedia> {
  if (source.size === 0) throw new BackupReadError('EmptyFile', `${source.name} is empty.`);
  const reader = new WindowReader(source);
  const header = await reader.view(0, FILE_HEADER_SIZE);
  if (ascii(header, 0, 8) !== COMPRESSED_MAGIC) {
    throw new BackupReadError('NotABackup', `${source.name} does not start with MSSQLBAK.`);
  }
  if (header.length < FILE_HEADER_SIZE) throw truncated(source, 'inside the file header', 0);
  const headerWords: [number, number] = [u32(header, 8), u32(header, 12)];
  if (headerWords[0] !== 2 || headerWords[1] !== 3) {
    const found = `${headerWords.join(', ')} after MSSQLBAK (SQL Server 2014 MS_XPRESS writes 2, 3)`;
    throw unsupported(source, `its header holds ${found}`, 8);
  }
  const index = await buildIndex(source, reader);
  const stream = new DecompressedStream(source, index);
  // The media ends with ESET (then SFMB); a file cut after a complete segment would not.
  const last = index.segments.length > 1 ? index.segments.at(-1) : undefined;
  const ending = last ? ascii(await stream.read(last.streamOffset, 4), 0, 4) : '';
  if (ending !== 'ESET') {
    const at = index.files[last?.firstExtent ?? 0] ?? 0;
    throw truncated(source, 'before its end-of-media ESET block', at);
  }
  const { size, recordCount, segments } = index;
  const extent = (i: number): CompressedExtent => index.extent(i);
  const common = { stream, size, compressedSize: source.size, headerWords, recordCount };
  return { ...common, extentCount: index.count, extent, segments };
}

/** Struct-of-arrays index: 20 bytes per extent, however large the file. */
class ExtentIndex {
  count = 0;
  size = 0;
  recordCount = 0;
  readonly segments: CompressedSegment[] = [];
  starts = new Float64Array(256);
  files = new Float64Array(256);
  /** Payload size of a chunk; -1 for a stored block. */
  payloads = new Int32Array(256);

  add(fileOffset: number, payloadSize: number, size: number): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Float64Array | Int32Array>(old: T, bigger: T): T => {
        bigger.set(old);
        return bigger;
      };
      this.starts = grow(this.starts, new Float64Array(this.count * 2));
      this.files = grow(this.files, new Float64Array(this.count * 2));
      this.payloads = grow(this.payloads, new Int32Array(this.count * 2));
    }
    this.starts[this.count] = this.size;
    this.files[this.count] = fileOffset;
    this.payloads[this.count] = payloadSize;
    this.count += 1;
    this.size += size;
    if (payloadSize >= 0) this.recordCount += 1;
  }

  extent(i: number): CompressedExtent {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`No extent ${i}`);
    const streamOffset = this.starts[i] ?? 0;
    const size = (i + 1 < this.count ? (this.starts[i + 1] ?? 0) : this.size) - streamOffset;
    const payload = this.payloads[i] ?? 0;
    const kind = payload < 0 ? 'stored' : 'xpress';
    return {
      kind,
      streamOffset,
      size,
      fileOffset: this.files[i] ?? 0,
      payloadSize: kind === 'stored' ? size : payload,
    };
  }

  /** The extent holding stream byte `offset` (binary search; 0 <= offset < size). */
  find(offset: number): number {
    let [low, high] = [0, this.count - 1];
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/** Walks the record headers from 0x1E0 to the end of the file; see the file comment for the layout. */
async function buildIndex(source: ByteSource, reader: WindowReader): Promise<ExtentIndex> {
  const index = new ExtentIndex();
  let pos = FILE_HEADER_SIZE;
  let state: 'segment-start' | 'in-segment' | 'stored-block' = 'segment-start';
  let segment = { streamOffset: 0, firstExtent: 0 };
  while (pos < source.size) {
    const head = await reader.view(pos, 52);
    const kind = head[0] ?? 0;
    if (state === 'stored-block') {
      // An MTF SFMB: its u16 at +8 (offset to the first stream; it has none) is its length, 0x200.
      const length = u16(head, 8);
      if (head.length < 52) throw truncated(source, 'inside an SFMB block', pos);
      if (
        ascii(head, 0, 4) !== 'SFMB' ||
        length < UNIT ||
        length % UNIT !== 0 ||
        !checksumOk(head)
      ) {
        throw corrupt(
          source,
          `byte ${pos} holds no valid SFMB block (${hex(head.subarray(0, 12))})`,
          pos,
        );
      }
      if (pos + length > source.size) throw truncated(source, 'inside an SFMB block', pos);
      index.add(pos, -1, length);
      [pos, state] = [pos + length, 'segment-start'];
    } else if (kind === CHUNK) {
      const [units, payload] = [head[1] ?? 0, u16(head, 2)];
      if (head.length < CHUNK_HEADER_SIZE || pos + CHUNK_HEADER_SIZE + payload > source.size) {
        throw truncated(source, 'inside a compressed record', pos);
      }
      if (units === 0 || payload < 260) {
        const what = `${units} × 512 bytes from a ${payload}-byte payload`;
        throw corrupt(source, `the compressed record at byte ${pos} announces ${what}`, pos);
      }
      if (state === 'segment-start')
        segment = { streamOffset: index.size, firstExtent: index.count };
      index.add(pos, payload, units * UNIT);
      [pos, state] = [pos + CHUNK_HEADER_SIZE + payload, 'in-segment'];
    } else if (state === 'in-segment' && (kind === PADDING || kind === SEEK_INDEX)) {
      if (head.length < TRAILER_HEADER_SIZE)
        throw truncated(source, 'inside a trailer record', pos);
      const trailer = kind === PADDING ? ('padding' as const) : ('seek-index' as const);
      const { end, seekPoints } =
        kind === PADDING
          ? { end: pos + TRAILER_HEADER_SIZE + u16(head, 2), seekPoints: [] }
          : await readSeekIndex(source, reader, pos);
      if (end > source.size) throw truncated(source, `inside a ${trailer} record`, pos);
      const chunkCount = index.count - segment.firstExtent;
      const done = {
        ...segment,
        size: index.size - segment.streamOffset,
        chunkCount,
        trailer,
        seekPoints,
      };
      index.segments.push(done);
      checkSeekPoints(source, index, done);
      [pos, state] = [end, 'stored-block'];
    } else {
      throw unexpectedRecord(source, pos, head);
    }
  }
  if (state !== 'segment-start' || index.count === 0) {
    throw truncated(source, 'before the end of its last segment (no SFMB after it)', pos);
  }
  return index;
}

/** The `0x2c` trailer: returns its entries and the offset after its closing tag. */
async function readSeekIndex(source: ByteSource, reader: WindowReader, pos: number) {
  const fixed = await reader.view(pos, TRAILER_HEADER_SIZE + TAG_SIZE);
  if (fixed.length < TRAILER_HEADER_SIZE + TAG_SIZE)
    throw truncated(source, 'inside a seek index', pos);
  const tag = fixed.slice(TRAILER_HEADER_SIZE);
  const count = u32(tag, 4);
  if (u16(tag, 0) !== 1 || u16(tag, 2) !== 1 || count > MAX_SEEK_ENTRIES) {
    const found = `${u16(tag, 0)}, ${u16(tag, 2)}, ${count} entries (known: 1, 1, ≤ ${MAX_SEEK_ENTRIES})`;
    throw new BackupReadError(
      'UnsupportedFormat',
      `${source.name}: the seek index at byte ${pos} holds ${found}.`,
      { offset: pos },
    );
  }
  const minimum = TRAILER_HEADER_SIZE + TAG_SIZE * (count + 2);
  const bytes = await reader.view(pos, minimum + MAX_TRAILER_SLACK);
  if (bytes.length < minimum) throw truncated(source, 'inside a seek index', pos);
  const seekPoints: SeekPoint[] = [];
  for (let at = TRAILER_HEADER_SIZE + TAG_SIZE; seekPoints.length < count; at += 16) {
    seekPoints.push({ segmentOffset: u64(bytes, at), fileOffset: u64(bytes, at + 8) });
  }
  for (let end = Math.ceil((pos + minimum) / UNIT) * UNIT; end - pos <= bytes.length; end += UNIT) {
    if (bytes.subarray(end - pos - TAG_SIZE, end - pos).every((b, i) => b === tag[i]))
      return { end, seekPoints };
  }
  if (pos + bytes.length >= source.size) throw truncated(source, 'inside a seek index', pos);
  throw corrupt(source, `the seek index at byte ${pos} has no closing copy of its tag`, pos);
}

/** Every seek point must name the file offset and segment offset of one of the segment's chunks. */
function checkSeekPoints(source: ByteSource, index: ExtentIndex, segment: CompressedSegment): void {
  for (const { segmentOffset, fileOffset } of segment.seekPoints) {
    const i = index.find(segment.streamOffset + segmentOffset);
    const ok =
      i >= segment.firstExtent && segmentOffset < segment.size && index.files[i] === fileOffset;
    if (!ok || index.starts[i] !== segment.streamOffset + segmentOffset) {
      const entry = `(${segmentOffset}, byte ${fileOffset})`;
      throw corrupt(
        source,
        `the seek index entry ${entry} matches no record of its segment`,
        fileOffset,
      );
    }
  }
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

/** Serves the record walk from 1 MiB windows read in order. */
class WindowReader {
  #start = 0;
  #window: Uint8Array = new Uint8Array(0);

  constructor(readonly source: ByteSource) {}

  /** Up to `length` bytes at `offset` (fewer only at the end of the source). */
  async view(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.source.size);
    if (offset < this.#start || end > this.#start + this.#window.length) {
      this.#start = offset;
      const wanted = Math.min(Math.max(WINDOW_SIZE, length), this.source.size - offset);
      this.#window = await this.source.read(offset, Math.max(0, wanted));
    }
    return this.#window.subarray(offset - this.#start, end - this.#start);
  }
}

/** An MTF descriptor block header checksum: XOR of the first 25 16-bit words equals the 26th. */
function checksumOk(block: Uint8Array): boolean {
  let xor = 0;
  for (let at = 0; at < 50; at += 2) xor ^= u16(block, at);
  return xor === u16(block, 50);
}

function unexpectedRecord(source: ByteSource, pos: number, head: Uint8Array): BackupReadError {
  const kind = head[0] ?? 0;
  const found = `kind byte 0x${kind.toString(16).padStart(2, '0')} (${hex(head.subarray(0, 8))})`;
  const known = kind === CHUNK || kind === PADDING || kind === SEEK_INDEX;
  if (pos === FILE_HEADER_SIZE || (!known && kind >> 4 === 2)) {
    return unsupported(
      source,
      `the record at byte ${pos} has ${found} (MS_XPRESS: 0x21, 0x24, 0x2c)`,
      pos,
    );
  }
  return corrupt(source, `expected a record header at byte ${pos}, found ${found}`, pos);
}

function unsupported(source: ByteSource, found: string, offset: number): BackupReadError {
  const message =
    `${source.name} is a compressed backup in a layout sqlmig does not decode: ${found}. It may ` +
    'use another algorithm (SQL Server 2022 QAT_DEFLATE, 2025 ZSTD) or a newer format.';
  return new BackupReadError('UnsupportedCompression', message, { offset });
}

function corrupt(source: ByteSource, reason: string, offset: number): BackupReadError {
  return new BackupReadError('CorruptDescriptor', `${source.name}: ${reason}.`, { offset });
}

function truncated(source: ByteSource, where: string, offset: number): BackupReadError {
  const message =
    `${source.name} ends ${where} (byte ${offset} of ${source.size}): the compressed backup is ` +
    'incomplete, cut short or still being written. Copy it again once the backup has finished.';
  return new BackupReadError('Truncated', message, { offset });
}

const ascii = (b: Uint8Array, at: number, n: number): string =>
  String.fromCharCode(...b.subarray(at, at + n));
const u16 = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, at: number): number => u16(b, at) + u16(b, at + 2) * 0x10000;
const u64 = (b: Uint8Array, at: number): number => u32(b, at) + u32(b, at + 4) * 2 ** 32;
const hex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
