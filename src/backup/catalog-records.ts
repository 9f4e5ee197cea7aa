/**
 * The records of an `MQCI` stream: SQL Server's own description of the backup set, written once in
 * the `MSCI` block near the start and again, with the finish date and size filled in, in the `MSLS`
 * block at the end. Offsets are from the first byte of each record; see
 * `docs/backup-format.md` for where each one comes from and how sure we are of it.
 */
import { ascii, guid, isZero, mtfDate, u16, u32, u64, u8, utf16le } from './binary.js';
import { BackupReadError } from './errors.js';
import { decodeLsn, type Lsn } from './lsn.js';
import type { BackupType, DatabaseFile } from './types.js';

/** The fields one copy of the catalog yields. */
export interface CatalogFields {
  readonly hasBackupChecksums: 0 | 1;
  readonly softwareVersionMajor: number;
  readonly softwareVersionMinor: number;
  readonly softwareVersionBuild: number;
  readonly firstLsn: Lsn;
  readonly lastLsn: Lsn;
  readonly checkpointLsn: Lsn;
  readonly databaseBackupLsn: Lsn;
  readonly databaseCreationDate: string | null;
  readonly backupStartDate: string | null;
  readonly backupFinishDate: string | null;
  readonly backupType: BackupType | null;
  readonly compatibilityLevel: number;
  readonly databaseVersion: number;
  readonly backupSize: bigint;
  readonly databaseName: string;
  readonly serverName: string;
  readonly unicodeLocaleId: number;
  readonly unicodeComparisonStyle: number;
  readonly recoveryForkId: string | null;
  readonly sortOrder: number;
  readonly familyGuid: string | null;
  readonly differentialBaseLsn: Lsn | null;
  readonly differentialBaseGuid: string | null;
}

export interface Catalog {
  readonly fields: CatalogFields;
  readonly files: readonly DatabaseFile[];
}

/** SCIN is the largest fixed layout we read: up to the differential base GUID at 0x110 + 16. */
const scinMinBytes = 0x120;
const sfinMinBytes = 0x38;
const sfgiMinBytes = 0x14;

const typeLetters: Readonly<Record<string, BackupType>> = { D: 1, L: 2, I: 5 };

export function parseCatalog(
  stream: Uint8Array,
  streamOffset: number,
  sourceName: string,
): Catalog {
  const corrupt = (what: string, at: number): BackupReadError =>
    new BackupReadError(
      'CorruptDescriptor',
      `The backup set's catalog in ${sourceName} is damaged (${what} at byte ${streamOffset + at}).`,
      { offset: streamOffset + at },
    );

  let fields: CatalogFields | null = null;
  const fileGroups = new Map<number, string>();
  const rawFiles: { record: Uint8Array; at: number }[] = [];

  let position = 0;
  while (position + 8 <= stream.length) {
    const tag = ascii(stream, position, 4);
    const length = u32(stream, position + 4);
    if (length < 8 || position + length > stream.length)
      throw corrupt(`a ${tag} record of impossible length ${length}`, position);
    const record = stream.subarray(position, position + length);
    try {
      if (tag === 'SCIN') {
        if (length < scinMinBytes) throw corrupt('a short SCIN record', position);
        fields = parseScin(record);
      } else if (tag === 'SFGI') {
        if (length < sfgiMinBytes) throw corrupt('a short SFGI record', position);
        fileGroups.set(u32(record, 0x0c), namedString(record, 0x10));
      } else if (tag === 'SFIN') {
        if (length < sfinMinBytes) throw corrupt('a short SFIN record', position);
        rawFiles.push({ record, at: position });
      }
    } catch (error) {
      if (error instanceof BackupReadError) throw error;
      throw corrupt(`a ${tag} record whose fields point outside it`, position);
    }
    position += length;
  }
  if (!fields) throw corrupt('no SCIN record', 0);

  const files = rawFiles.map(({ record, at }): DatabaseFile => {
    try {
      const fileGroupId = u32(record, 0x24);
      const typeCode = u32(record, 0x1c);
      const type = typeLetter(typeCode);
      return {
        FileId: u32(record, 0x14),
        Type: type,
        FileGroupId: fileGroupId,
        FileGroupName: typeCode === 2 ? null : (fileGroups.get(fileGroupId) ?? null),
        Size: u64(record, 0x28),
        LogicalName: namedString(record, 0x30),
        PhysicalName: namedString(record, 0x34),
        UniqueId:
          record.length >= 0xba + 16 && !isZero(record, 0xba, 16) ? guid(record, 0xba) : null,
        // Kept, not dropped: a code the reader cannot name is a container or a full-text catalog.
        ...(type === null ? { UnknownTypeCode: typeCode } : {}),
      };
    } catch {
      throw corrupt('an SFIN record whose names point outside it', at);
    }
  });
  return { fields, files };
}

/**
 * The FILELISTONLY letter of an `SFIN` type code: 1 and 2 are established by the corpus. FILESTREAM and
 * memory-optimized containers (`S`) and full-text catalogs (`F`) must use other codes, but no corpus
 * backup has one and no public source names them, so they stay unnamed (null) rather than guessed.
 */
function typeLetter(code: number): DatabaseFile['Type'] {
  return code === 1 ? 'D' : code === 2 ? 'L' : null;
}

/** A UTF-16LE string stored as {u16 byte length, u16 offset from the record start}. */
function namedString(record: Uint8Array, at: number): string {
  return utf16le(record, u16(record, at + 2), u16(record, at));
}

function optionalGuid(record: Uint8Array, at: number): string | null {
  return isZero(record, at, 16) ? null : guid(record, at);
}

function parseScin(record: Uint8Array): CatalogFields {
  const backupType = typeLetters[ascii(record, 0x57, 1)] ?? null;
  const isDifferential = backupType === 5;
  return {
    hasBackupChecksums: (u32(record, 0x08) & 0x10) !== 0 ? 1 : 0,
    softwareVersionBuild: u16(record, 0x18),
    softwareVersionMinor: u8(record, 0x1a),
    softwareVersionMajor: u8(record, 0x1b),
    firstLsn: decodeLsn(record, 0x20),
    lastLsn: decodeLsn(record, 0x2a),
    checkpointLsn: decodeLsn(record, 0x34),
    databaseBackupLsn: decodeLsn(record, 0x3e),
    databaseCreationDate: mtfDate(record, 0x48),
    backupStartDate: mtfDate(record, 0x4d),
    backupFinishDate: mtfDate(record, 0x52),
    backupType,
    compatibilityLevel: u8(record, 0x5b),
    databaseVersion: u16(record, 0x5e),
    backupSize: u64(record, 0x60),
    databaseName: namedString(record, 0x68),
    serverName: namedString(record, 0x6c),
    unicodeLocaleId: u32(record, 0x74),
    unicodeComparisonStyle: u32(record, 0x78),
    recoveryForkId: optionalGuid(record, 0x9c),
    sortOrder: u8(record, 0xdc),
    familyGuid: optionalGuid(record, 0xe0),
    differentialBaseLsn: isDifferential ? decodeLsn(record, 0x104) : null,
    differentialBaseGuid: isDifferential ? optionalGuid(record, 0x110) : null,
  };
}
