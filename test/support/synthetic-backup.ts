/**
 * TEST SUPPORT — a writer of synthetic SQL Server backup media, for tests and benchmarks. It lays out
 * MTF blocks the way SQL Server does in the corpus (TAPE+RAID, SFMB, SSET, VOLB, MSCI+MQCI,
 * MSDA+MQDA, MSTL, MSLS+MQCI, SFMB, ESET, SFMB), with header values the caller chooses and data pages
 * filled with a pattern. It is a stand-in for SQL Server's BACKUP, not a source of truth: the reader
 * is held to the real corpus first; this writer only adds what the corpus lacks (appended sets,
 * huge files, chosen damage).
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface SyntheticFile {
  readonly fileId: number;
  /**
   * `D` (SFIN type code 1) or `L` (2), the codes the corpus shows; or a raw code, for a file whose code
   * is not published (FILESTREAM / memory-optimized containers, full-text catalogs). What SQL Server
   * really writes for those is not known: a raw code here tests that the reader keeps what it cannot
   * name, not that SQL Server uses that code.
   */
  readonly type: 'D' | 'L' | number;
  readonly fileGroupId: number;
  /** The filegroup's name in its SFGI record; default `PRIMARY` for filegroup 1, else `FG<id>`. */
  readonly fileGroupName?: string;
  readonly logicalName: string;
  readonly physicalName: string;
  readonly sizeBytes: bigint;
}

export interface SyntheticSet {
  readonly databaseName: string;
  readonly serverName: string;
  readonly userName: string;
  readonly backupName?: string;
  readonly type: 'D' | 'I' | 'L';
  readonly backupSetGuid: string;
  readonly firstLsn: bigint;
  readonly lastLsn: bigint;
  readonly checkpointLsn: bigint;
  readonly databaseBackupLsn: bigint;
  readonly differentialBase?: { readonly lsn: bigint; readonly guid: string };
  readonly startDate: string;
  readonly finishDate: string;
  readonly checksums?: boolean;
  /** Bytes of database pages in the MQDA stream (fulls and differentials); a multiple of 8192. */
  readonly dataBytes?: number;
  readonly files?: readonly SyntheticFile[];
  /** Set a non-zero encryption algorithm on the data stream, as an encrypted backup might. */
  readonly encryptedData?: boolean;
  /** Stop after the data: no MSLS tail copy, no ESET (a backup still being written). */
  readonly unfinished?: boolean;
}

export interface SyntheticMedia {
  /** 512 (TAPE of 1 KiB) or 4096 (TAPE of 4 KiB), as on 4K-sector disks. */
  readonly sectorBytes?: 512 | 4096;
  readonly mediaSetId: string;
  readonly familyCount?: number;
  readonly familySequenceNumber?: number;
  readonly mediaPassword?: boolean;
  readonly sets: readonly SyntheticSet[];
}

export const defaultFiles: readonly SyntheticFile[] = [
  {
    fileId: 1,
    type: 'D',
    fileGroupId: 1,
    logicalName: 'synthetic',
    physicalName: 'D:\\Data\\synthetic.mdf',
    sizeBytes: 8_388_608n,
  },
  {
    fileId: 2,
    type: 'L',
    fileGroupId: 0,
    logicalName: 'synthetic_log',
    physicalName: 'L:\\Log\\synthetic_log.ldf',
    sizeBytes: 1_048_576n,
  },
];

/**
 * A file of SFIN type code 3, which no published source names: the reader leaves its Type null and
 * keeps the code. In a filegroup named like a memory-optimized one.
 */
export const unnamedContainerFile: SyntheticFile = {
  fileId: 65537,
  type: 3,
  fileGroupId: 2,
  fileGroupName: 'Sales_mod',
  logicalName: 'Sales_mod1',
  physicalName: 'D:\\Data\\Sales_mod1',
  sizeBytes: 0n,
};

/** A full backup set of Sales (SQL01\\PROD), with checksums: the tests' usual base of a chain. */
export const salesFull: SyntheticSet = {
  databaseName: 'Sales',
  serverName: 'SQL01\\PROD',
  userName: 'CONTOSO\\dba',
  type: 'D',
  backupSetGuid: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  firstLsn: 41_000_000_012_300_001n,
  lastLsn: 41_000_000_014_500_001n,
  checkpointLsn: 41_000_000_012_300_001n,
  databaseBackupLsn: 0n,
  startDate: '2026-03-01T22:00:05',
  finishDate: '2026-03-01T22:04:41',
  checksums: true,
};

/** `salesFull` whose catalog lists data, log and `unnamedContainerFile`. */
export function fullWithUnnamedContainer(): Uint8Array {
  return syntheticBackupBytes({
    mediaSetId: 'c0ffee00-1234-4321-abcd-0123456789ab',
    sets: [{ ...salesFull, files: [...defaultFiles, unnamedContainerFile] }],
  });
}

/** Writes the media to `path`, streaming data pages so that files of many GiB need little memory. */
export async function writeSyntheticBackup(path: string, media: SyntheticMedia): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (const chunk of syntheticChunks(media)) {
      if (typeof chunk === 'number') {
        await writePages(handle, chunk);
      } else {
        await handle.write(chunk);
      }
    }
  } finally {
    await handle.close();
  }
}

/** The whole media in memory (small sets only). */
export function syntheticBackupBytes(media: SyntheticMedia): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const chunk of syntheticChunks(media))
    parts.push(typeof chunk === 'number' ? pagePattern(chunk) : chunk);
  return Buffer.concat(parts);
}

async function writePages(handle: FileHandle, bytes: number): Promise<void> {
  const chunk = pagePattern(Math.min(bytes, 8 * 1024 * 1024));
  for (let left = bytes; left > 0; left -= chunk.length) {
    await handle.write(chunk, 0, Math.min(left, chunk.length));
  }
}

function pagePattern(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + (i >>> 13)) & 0xff;
  return out;
}

/** Byte arrays to write as they are, and numbers: that many bytes of data pages. */
function* syntheticChunks(media: SyntheticMedia): Generator<Uint8Array | number> {
  const sector = media.sectorBytes ?? 512;
  let offset = 0;
  const emit = (bytes: Uint8Array): Uint8Array => {
    offset += bytes.length;
    return bytes;
  };

  const tape = fixedPart('TAPE', 140);
  tape.setU32(52, 0x40374 + 1);
  tape.setU16(60, 1);
  tape.setU16(62, media.mediaPassword ? 5 : 0);
  tape.setU16(84, sector === 512 ? 1024 : 4096);
  const raid = new Uint8Array(32);
  writeGuid(raid, 0, media.mediaSetId);
  new DataView(raid.buffer).setUint16(20, media.familyCount ?? 1, true);
  new DataView(raid.buffer).setUint16(24, media.familySequenceNumber ?? 1, true);
  yield emit(block(tape.bytes(), [stream('RAID', raid)], sector === 512 ? 1024 : 4096));

  for (const set of media.sets) {
    yield emit(filemark(sector));
    yield emit(block(ssetPart(set, media.sets.indexOf(set) + 1), [], sector));
    yield emit(block(volbPart(set.serverName.split('\\')[0] ?? 'HOST'), [], sector));
    yield emit(block(fixedPart('MSCI', 56).bytes(), [stream('MQCI', catalog(set, false))], sector));
    const dataBytes = set.type === 'L' ? 0 : (set.dataBytes ?? 8192 * 16);
    if (set.type !== 'L') {
      const header = streamHeader('MQDA', 2 + dataBytes, set.encryptedData ? 1 : 0);
      const msda = fixedPart('MSDA', 60).bytes();
      const before = new Uint8Array(msda.length + header.length + 2);
      before.set(msda, 0);
      before.set(header, msda.length);
      yield emit(before);
      offset += dataBytes;
      yield dataBytes;
      const aligned = (4 - (offset % 4)) % 4;
      yield emit(new Uint8Array(aligned));
      yield emit(spad(offset, sector));
    }
    yield emit(
      block(fixedPart('MSTL', 60).bytes(), [stream('MQTL', new Uint8Array(2 + 512))], sector),
    );
    if (set.unfinished) return;
    yield emit(block(fixedPart('MSLS', 56).bytes(), [stream('MQCI', catalog(set, true))], sector));
    yield emit(filemark(sector));
    yield emit(block(fixedPart('ESET', 88).bytes(), [], sector));
  }
  yield emit(filemark(sector));
}

interface FixedPart {
  setU16(at: number, value: number): void;
  setU32(at: number, value: number): void;
  bytes(): Uint8Array;
}

function fixedPart(type: string, size: number): FixedPart {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = type.charCodeAt(i);
  view.setUint16(8, size, true);
  bytes[48] = 2;
  return {
    setU16: (at, value) => {
      view.setUint16(at, value, true);
    },
    setU32: (at, value) => {
      view.setUint32(at, value, true);
    },
    bytes: () => {
      view.setUint16(50, xorWords(bytes, 25), true);
      return bytes;
    },
  };
}

function xorWords(bytes: Uint8Array, words: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let sum = 0;
  for (let i = 0; i < words; i++) sum ^= view.getUint16(i * 2, true);
  return sum;
}

function streamHeader(id: string, length: number, encryption = 0): Uint8Array {
  const header = new Uint8Array(22);
  const view = new DataView(header.buffer);
  for (let i = 0; i < 4; i++) header[i] = id.charCodeAt(i);
  view.setBigUint64(8, BigInt(length), true);
  view.setUint16(16, encryption, true);
  view.setUint16(20, xorWords(header, 10), true);
  return header;
}

function stream(id: string, data: Uint8Array): Uint8Array {
  const padded = new Uint8Array(Math.ceil((22 + data.length) / 4) * 4);
  padded.set(streamHeader(id, data.length), 0);
  padded.set(data, 22);
  return padded;
}

/** SPAD from `offset` to the next sector boundary (leaving room for its own header). */
function spad(offset: number, sector: number): Uint8Array {
  let end = Math.ceil((offset + 22) / sector) * sector;
  if (end - offset < 22) end += sector;
  const out = new Uint8Array(end - offset);
  out.set(streamHeader('SPAD', end - offset - 22), 0);
  return out;
}

function block(fixed: Uint8Array, streams: readonly Uint8Array[], sector: number): Uint8Array {
  const body = Buffer.concat([fixed, ...streams]);
  const pad = spad(body.length, sector);
  return Buffer.concat([body, pad]);
}

function filemark(sector: number): Uint8Array {
  const part = fixedPart('SFMB', sector);
  return part.bytes();
}

function utf16(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

/** A fixed part with UTF-16 strings appended and referenced by tape addresses. */
function withStrings(
  part: Uint8Array,
  strings: readonly { at: number; text: string | undefined }[],
): Uint8Array {
  const tail: Uint8Array[] = [];
  let next = part.length;
  const view = new DataView(part.buffer);
  for (const { at, text } of strings) {
    if (text === undefined) continue;
    const bytes = utf16(text);
    view.setUint16(at, bytes.length, true);
    view.setUint16(at + 2, next, true);
    tail.push(bytes);
    next += bytes.length;
  }
  const out = Buffer.concat([part, ...tail]);
  const outView = new DataView(out.buffer, out.byteOffset);
  outView.setUint16(8, out.length, true);
  outView.setUint16(50, 0, true);
  outView.setUint16(50, xorWords(out, 25), true);
  return out;
}

function ssetPart(set: SyntheticSet, position: number): Uint8Array {
  const part = fixedPart('SSET', 116);
  part.setU32(52, set.type === 'I' ? 8 : 4);
  part.setU16(60, 4608);
  part.setU16(62, position);
  const bytes = part.bytes();
  writeDate(bytes, 88, set.startDate);
  writeGuid(bytes, 100, set.backupSetGuid);
  return withStrings(bytes, [
    { at: 64, text: set.backupName },
    { at: 76, text: set.userName },
  ]);
}

function volbPart(machine: string): Uint8Array {
  return withStrings(fixedPart('VOLB', 72).bytes(), [{ at: 64, text: machine }]);
}

function catalog(set: SyntheticSet, tail: boolean): Uint8Array {
  const scin = new Uint8Array(0x1b8);
  const names = Buffer.concat([utf16(set.databaseName), utf16(set.serverName)]);
  const record = Buffer.concat([scin, names]);
  const r = new DataView(record.buffer, record.byteOffset);
  record.write('SCIN', 0, 'latin1');
  r.setUint32(4, record.length, true);
  r.setUint32(8, 0x200 | (set.checksums ? 0x10 : 0) | (set.type === 'I' ? 0x800 : 0), true);
  r.setUint16(0x18, 4100, true);
  record[0x1a] = 0;
  record[0x1b] = 12;
  writeLsn(record, 0x20, set.firstLsn);
  writeLsn(record, 0x2a, set.lastLsn);
  writeLsn(record, 0x34, set.checkpointLsn);
  writeLsn(record, 0x3e, set.databaseBackupLsn);
  writeDate(record, 0x48, '2020-01-01T00:00:00');
  writeDate(record, 0x4d, set.startDate);
  if (tail) writeDate(record, 0x52, set.finishDate);
  record[0x57] = set.type.charCodeAt(0);
  record[0x5b] = 120;
  r.setUint16(0x5e, 782, true);
  r.setBigUint64(0x60, BigInt(set.dataBytes ?? 0), true);
  r.setUint16(0x68, set.databaseName.length * 2, true);
  r.setUint16(0x6a, scin.length, true);
  r.setUint16(0x6c, set.serverName.length * 2, true);
  r.setUint16(0x6e, scin.length + set.databaseName.length * 2, true);
  r.setUint32(0x74, 1033, true);
  r.setUint32(0x78, 196609, true);
  writeGuid(record, 0x9c, '11111111-2222-3333-4444-555555555555');
  writeGuid(record, 0xe0, '11111111-2222-3333-4444-555555555555');
  if (set.differentialBase) {
    writeLsn(record, 0x104, set.differentialBase.lsn);
    writeGuid(record, 0x110, set.differentialBase.guid);
  }
  const files = set.files ?? defaultFiles;
  const groups = [...new Set(files.filter((f) => f.type !== 'L').map((f) => f.fileGroupId))].map(
    (id) => {
      const named = files.find((f) => f.fileGroupId === id && f.fileGroupName !== undefined);
      const name = utf16(named?.fileGroupName ?? (id === 1 ? 'PRIMARY' : `FG${id}`));
      const g = Buffer.alloc(0x20 + name.length);
      g.write('SFGI', 0, 'latin1');
      g.writeUInt32LE(g.length, 4);
      g.writeUInt32LE(id, 0x0c);
      g.writeUInt16LE(name.length, 0x10);
      g.writeUInt16LE(0x20, 0x12);
      name.copy(g, 0x20);
      return g;
    },
  );
  const fileRecords = files.map((file) => {
    const logical = utf16(file.logicalName);
    const physical = utf16(file.physicalName);
    const f = Buffer.alloc(0xd0 + logical.length + physical.length);
    f.write('SFIN', 0, 'latin1');
    f.writeUInt32LE(f.length, 4);
    f.writeUInt32LE(file.fileId, 0x14);
    f.writeUInt32LE(file.type === 'D' ? 1 : file.type === 'L' ? 2 : file.type, 0x1c);
    f.writeUInt32LE(file.fileGroupId, 0x24);
    f.writeBigUInt64LE(file.sizeBytes, 0x28);
    f.writeUInt16LE(logical.length, 0x30);
    f.writeUInt16LE(0xd0, 0x32);
    f.writeUInt16LE(physical.length, 0x34);
    f.writeUInt16LE(0xd0 + logical.length, 0x36);
    logical.copy(f, 0xd0);
    physical.copy(f, 0xd0 + logical.length);
    return f;
  });
  return Buffer.concat([record, ...groups, ...fileRecords]);
}

function writeLsn(bytes: Uint8Array, at: number, lsn: bigint): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  view.setUint32(at, Number(lsn / 1_000_000_000_000_000n), true);
  view.setUint32(at + 4, Number((lsn / 100_000n) % 10_000_000_000n), true);
  view.setUint16(at + 8, Number(lsn % 100_000n), true);
}

function writeDate(bytes: Uint8Array, at: number, iso: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(iso);
  if (!m) throw new Error(`bad date ${iso}`);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  let packed = BigInt(year);
  for (const [value, bits] of [
    [month, 4],
    [day, 5],
    [hour, 5],
    [minute, 6],
    [second, 6],
  ] as const) {
    packed = (packed << BigInt(bits)) | BigInt(value);
  }
  for (let i = 4; i >= 0; i--) {
    bytes[at + i] = Number(packed & 0xffn);
    packed >>= 8n;
  }
}

function writeGuid(bytes: Uint8Array, at: number, text: string): void {
  const hex = text.replace(/-/g, '');
  const raw = Buffer.from(hex, 'hex');
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  order.forEach((from, to) => {
    bytes[at + to] = raw[from] ?? 0;
  });
}
