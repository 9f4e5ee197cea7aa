/**
 * Reads SQL Server backup media: what `RESTORE LABELONLY`, `RESTORE HEADERONLY` and `RESTORE
 * FILELISTONLY` report, from the descriptor blocks alone. Data streams are stepped over by their
 * length, so an uncompressed set costs a few dozen KiB of reads whatever its size.
 */
import { ascii, guid, isZero, u16 } from './binary.js';
import type { ByteSource } from './byte-source.js';
import { parseCatalog, type Catalog } from './catalog-records.js';
import { openCompressedMedia } from './compressed-media.js';
import { BackupReadError } from './errors.js';
import { readBlock, type DescriptorBlock, type StreamHeader } from './mtf-blocks.js';
import { parseSset, tapeString, toBackupSet, type SetInProgress } from './set-assembly.js';
import type { BackupMedia, BackupSet, MediaLabel } from './types.js';
import { WindowedReader } from './windowed-reader.js';

/** A catalog larger than this is not one SQL Server wrote (32,767 files of ~1.3 KiB each fit). */
const maxCatalogBytes = 64 * 1024 * 1024;

export interface ReadBackupOptions {
  /** Size of the aligned windows descriptor reads are served from. Default 4 KiB. */
  readonly windowBytes?: number;
}

/** Reads the media label, every backup set and its file list. Rejects with a `BackupReadError`. */
export async function readBackupMedia(
  source: ByteSource,
  options: ReadBackupOptions = {},
): Promise<BackupMedia> {
  if (source.size === 0) {
    throw new BackupReadError(
      'EmptyFile',
      `${source.name} is empty (0 bytes): it is not a backup, or it has not been written yet.`,
    );
  }
  const magic = ascii(await source.read(0, Math.min(8, source.size)), 0, Math.min(8, source.size));
  if (magic === 'MSSQLBAK') {
    // Native compression wraps the same MTF stream, TAPE block included, in compressed records.
    const compressed = await openCompressedMedia(source);
    const media = await readMtf(
      new WindowedReader(compressed.stream, { windowBytes: 64 * 1024 }),
      true,
    );
    return { ...media, fileSize: source.size };
  }
  if (magic.startsWith('TAPE')) {
    const media = await readMtf(
      new WindowedReader(source, { windowBytes: options.windowBytes ?? 4096 }),
      false,
    );
    return { ...media, fileSize: source.size };
  }
  throw new BackupReadError(
    'NotABackup',
    `${source.name} is not a SQL Server backup: it starts with neither "TAPE" (Microsoft Tape Format) nor "MSSQLBAK" (native compression).`,
    { offset: 0 },
  );
}

async function readMtf(
  reader: WindowedReader,
  compressed: boolean,
): Promise<Omit<BackupMedia, 'fileSize'>> {
  const tape = await readBlock(reader, 0);
  if (tape.kind === 'end') {
    throw new BackupReadError(
      'Truncated',
      `${reader.name} ends inside its media header: the file was cut short or is still being written.`,
    );
  }
  if (tape.block.type !== 'TAPE') {
    throw new BackupReadError(
      'UnsupportedFormat',
      `${reader.name} does not start with an MTF media header (found a ${tape.block.type} block): sqlmig does not know this layout.`,
      { offset: 0 },
    );
  }
  const label = await readLabel(reader, tape.block, tape.streams, compressed);
  const sets = await readSets(reader, tape.next, compressed ? 1 : 0);
  return { label, sets };
}

async function readLabel(
  reader: WindowedReader,
  tape: DescriptorBlock,
  streams: readonly StreamHeader[],
  compressed: boolean,
): Promise<MediaLabel> {
  const raid = streams.find((stream) => stream.id === 'RAID');
  let mediaSetId: string | null = null;
  let familyCount: number | null = null;
  let familySequence: number | null = null;
  if (raid && raid.length >= 26) {
    const bytes = await reader.read(raid.dataOffset, 26);
    if (bytes.length === 26) {
      mediaSetId = isZero(bytes, 0, 16) ? null : guid(bytes, 0);
      familyCount = u16(bytes, 20);
      familySequence = u16(bytes, 24);
    }
  }
  const fixed = tape.fixed;
  return {
    MediaSetId: mediaSetId,
    FamilyCount: familyCount,
    FamilySequenceNumber: familySequence,
    MediaSequenceNumber: fixed.length >= 62 ? u16(fixed, 60) : null,
    MediaPasswordSet: fixed.length >= 64 ? u16(fixed, 62) !== 0 : null,
    BlockSize: fixed.length >= 86 ? u16(fixed, 84) : null,
    IsCompressed: compressed,
  };
}

async function readSets(
  reader: WindowedReader,
  startOffset: number,
  compressed: 0 | 1,
): Promise<BackupSet[]> {
  const finished: SetInProgress[] = [];
  let current: SetInProgress | null = null;
  let offset = startOffset;
  let lastType = '';
  for (;;) {
    const step = await readBlock(reader, offset);
    if (step.kind === 'end') {
      if (current) {
        current.end = step.offset;
        finished.push(current);
      } else if (!(step.cause === 'end-of-file' && lastType === 'SFMB')) {
        // SQL Server ends the media with a filemark after the last set: without it, the file is
        // still being written or was cut short, however complete the last set looked.
        const last = finished.at(-1);
        if (last) last.complete = false;
      }
      break;
    }
    lastType = step.block.type;
    const { block, streams } = step;
    rejectTransformedStreams(reader.name, block, streams);
    switch (block.type) {
      case 'SSET':
        if (current) finished.push(current);
        current = {
          start: block.offset,
          sset: parseSset(block),
          machineName: null,
          head: null,
          tail: null,
          complete: false,
          end: step.next,
        };
        break;
      case 'VOLB':
        if (current) current.machineName = tapeString(block, 64);
        break;
      case 'MSCI':
        if (current) current.head = await readCatalog(reader, streams);
        break;
      case 'MSLS':
        if (current) current.tail = await readCatalog(reader, streams);
        break;
      case 'ESET':
        if (current) {
          current.complete = current.tail !== null;
          current.end = step.next;
          finished.push(current);
          current = null;
        }
        break;
      default:
        break;
    }
    if (current) current.end = step.next;
    offset = step.next;
  }

  if (!finished.some((set) => set.head || set.tail)) {
    throw new BackupReadError(
      'Truncated',
      `${reader.name} ends at byte ${reader.size} before any backup set's header was written: the file was cut short or is still being written.`,
      { offset: reader.size },
    );
  }
  return finished
    .sort((a, b) => a.sset.position - b.sset.position)
    .map((set) => toBackupSet(set, compressed));
}

function rejectTransformedStreams(
  name: string,
  block: DescriptorBlock,
  streams: readonly StreamHeader[],
): void {
  for (const stream of streams) {
    if (stream.encryptionAlgorithm !== 0) {
      throw new BackupReadError(
        'Encrypted',
        `${name} is encrypted (the ${stream.id} stream in the ${block.type} block at byte ${block.offset} names encryption algorithm ${stream.encryptionAlgorithm}). sqlmig cannot read encrypted backups; restore them with the certificate or key on a SQL Server, or take an unencrypted backup.`,
        { offset: block.offset },
      );
    }
    if (stream.compressionAlgorithm !== 0) {
      throw new BackupReadError(
        'UnsupportedCompression',
        `${name} has a ${stream.id} stream compressed with MTF algorithm ${stream.compressionAlgorithm} (in the ${block.type} block at byte ${block.offset}), which sqlmig does not read.`,
        { offset: block.offset },
      );
    }
  }
}

async function readCatalog(
  reader: WindowedReader,
  streams: readonly StreamHeader[],
): Promise<Catalog | null> {
  const mqci = streams.find((stream) => stream.id === 'MQCI');
  if (!mqci) return null;
  if (mqci.length > maxCatalogBytes) {
    throw new BackupReadError(
      'CorruptDescriptor',
      `The backup set's catalog in ${reader.name} claims ${mqci.length} bytes, more than SQL Server ever writes: the file is damaged.`,
      { offset: mqci.dataOffset },
    );
  }
  const bytes = await reader.read(mqci.dataOffset, mqci.length);
  if (bytes.length < mqci.length) return null;
  return parseCatalog(bytes, mqci.dataOffset, reader.name);
}
