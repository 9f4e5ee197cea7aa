import { ascii, u16, u32, u64 } from './binary.js';
import type { ByteSource } from './byte-source.js';
import { BackupReadError } from './errors.js';
import { mtfChecksum } from './mtf-blocks.js';
import type { WindowedReader } from './windowed-reader.js';

/**
 * Record index of SQL Server's compressed backup container (`BACKUP ... WITH COMPRESSION`,
 * MS_XPRESS). No public specification exists; this layout was read from a SQL Server 2014 file.
 * Little-endian:
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
export const FILE_HEADER_SIZE = 0x1e0;
export const CHUNK_HEADER_SIZE = 28;
/** An MTF descriptor block's common header, checksum included. */
export const MTF_HEADER_SIZE = 52;
const TRAILER_HEADER_SIZE = 24;
const TAG_SIZE = 16;
const UNIT = 512;
const MAX_SEEK_ENTRIES = 4096;
/** How far past its entries a seek index may run to reach its closing tag (allows 4 KiB sectors). */
const MAX_TRAILER_SLACK = 8192;
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

/** Struct-of-arrays index: 20 bytes per extent, however large the file. */
export class ExtentIndex {
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

/**
 * Walks the record headers from 0x1E0 to the end of the file; see the file comment for the layout.
 * Every field is read only after a length check: a short read is `Truncated`, never a RangeError.
 */
export async function buildIndex(source: ByteSource, reader: WindowedReader): Promise<ExtentIndex> {
  const index = new ExtentIndex();
  let pos = FILE_HEADER_SIZE;
  let state: 'segment-start' | 'in-segment' | 'stored-block' = 'segment-start';
  let segment = { streamOffset: 0, firstExtent: 0 };
  while (pos < source.size) {
    const head = await reader.read(pos, MTF_HEADER_SIZE);
    const kind = head[0] ?? 0;
    if (state === 'stored-block') {
      if (head.length < MTF_HEADER_SIZE) throw truncated(source, 'inside an SFMB block', pos);
      // An MTF SFMB: its u16 at +8 (offset to the first stream; it has none) is its length, 0x200.
      const length = u16(head, 8);
      const valid = ascii(head, 0, 4) === 'SFMB' && length >= UNIT && length % UNIT === 0;
      if (!valid || mtfChecksum(head, 25) !== u16(head, 50)) {
        const found = `byte ${pos} holds no valid SFMB block (${hex(head.subarray(0, 12))})`;
        throw corrupt(source, found, pos);
      }
      if (pos + length > source.size) throw truncated(source, 'inside an SFMB block', pos);
      index.add(pos, -1, length);
      [pos, state] = [pos + length, 'segment-start'];
    } else if (kind === CHUNK) {
      if (head.length < CHUNK_HEADER_SIZE || pos + CHUNK_HEADER_SIZE + u16(head, 2) > source.size) {
        throw truncated(source, 'inside a compressed record', pos);
      }
      const [units, payload] = [head[1] ?? 0, u16(head, 2)];
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
      const size = index.size - segment.streamOffset;
      const chunkCount = index.count - segment.firstExtent;
      const done = { ...segment, size, chunkCount, trailer, seekPoints };
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
async function readSeekIndex(source: ByteSource, reader: WindowedReader, pos: number) {
  const fixed = await reader.read(pos, TRAILER_HEADER_SIZE + TAG_SIZE);
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
  const bytes = await reader.read(pos, minimum + MAX_TRAILER_SLACK);
  if (bytes.length < minimum) throw truncated(source, 'inside a seek index', pos);
  const seekPoints: SeekPoint[] = [];
  for (let at = TRAILER_HEADER_SIZE + TAG_SIZE; seekPoints.length < count; at += 16) {
    const [segmentOffset, fileOffset] = [Number(u64(bytes, at)), Number(u64(bytes, at + 8))];
    seekPoints.push({ segmentOffset, fileOffset });
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
      const reason = `the seek index entry ${entry} matches no record of its segment`;
      throw corrupt(source, reason, fileOffset);
    }
  }
}

function unexpectedRecord(source: ByteSource, pos: number, head: Uint8Array): BackupReadError {
  const kind = head[0] ?? 0;
  const found = `kind byte 0x${kind.toString(16).padStart(2, '0')} (${hex(head.subarray(0, 8))})`;
  const known = kind === CHUNK || kind === PADDING || kind === SEEK_INDEX;
  if (pos === FILE_HEADER_SIZE || (!known && kind >> 4 === 2)) {
    const reason = `the record at byte ${pos} has ${found} (MS_XPRESS: 0x21, 0x24, 0x2c)`;
    return unsupported(source, reason, pos);
  }
  return corrupt(source, `expected a record header at byte ${pos}, found ${found}`, pos);
}

export function unsupported(
  source: ByteSource,
  found: string,
  offset: number,
  cause?: unknown,
): BackupReadError {
  const message =
    `${source.name} is a compressed backup in a layout sqlmig does not decode: ${found}. It may ` +
    'use another algorithm (SQL Server 2022 QAT_DEFLATE, 2025 ZSTD) or a newer format.';
  return new BackupReadError('UnsupportedCompression', message, { offset, cause });
}

export function corrupt(source: ByteSource, reason: string, offset: number): BackupReadError {
  return new BackupReadError('CorruptDescriptor', `${source.name}: ${reason}.`, { offset });
}

export function truncated(source: ByteSource, where: string, offset: number): BackupReadError {
  const message =
    `${source.name} ends ${where} (byte ${offset} of ${source.size}): the compressed backup is ` +
    'incomplete, cut short or still being written. Copy it again once the backup has finished.';
  return new BackupReadError('Truncated', message, { offset });
}

export const hex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
