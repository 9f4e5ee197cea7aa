/**
 * A backup set as its blocks go by: the \`SSET\` block's fields, the machine name from \`VOLB\`, the two
 * catalog copies (\`MSCI\` at the start, \`MSLS\` at the end), and the \`RESTORE HEADERONLY\` row they make.
 */
import { guid, isZero, mtfDate, u16, utf16le } from './binary.js';
import type { Catalog } from './catalog-records.js';
import { BackupReadError } from './errors.js';
import type { DescriptorBlock } from './mtf-blocks.js';
import { backupTypeDescriptions, type BackupSet, type BackupSetHeader } from './types.js';

/** What one set accumulates while its blocks go by. */
export interface SetInProgress {
  readonly start: number;
  readonly sset: SsetFields;
  machineName: string | null;
  head: Catalog | null;
  tail: Catalog | null;
  complete: boolean;
  end: number;
}

export interface SsetFields {
  readonly position: number;
  readonly backupName: string | null;
  readonly backupDescription: string | null;
  readonly userName: string | null;
  readonly softwareVendorId: number;
  readonly mediaWriteDate: string | null;
  readonly backupSetGuid: string | null;
  readonly passwordProtected: boolean;
}

/** An MTF tape address: {u16 size, u16 offset} of a string inside the block; size 0 means absent. */
export function tapeString(block: DescriptorBlock, at: number): string | null {
  const fixed = block.fixed;
  if (fixed.length < at + 4) return null;
  const size = u16(fixed, at);
  const offset = u16(fixed, at + 2);
  if (size === 0) return null;
  if (offset + size > fixed.length) {
    throw new BackupReadError(
      'CorruptDescriptor',
      `A string in the ${block.type} block at byte ${block.offset} points outside the block: the file is damaged.`,
      { offset: block.offset },
    );
  }
  return utf16le(fixed, offset, size);
}

export function parseSset(block: DescriptorBlock): SsetFields {
  const fixed = block.fixed;
  if (fixed.length < 116) {
    throw new BackupReadError(
      'CorruptDescriptor',
      `The backup set block at byte ${block.offset} is too short (${fixed.length} bytes): the file is damaged.`,
      { offset: block.offset },
    );
  }
  return {
    position: u16(fixed, 62),
    backupName: tapeString(block, 64),
    backupDescription: tapeString(block, 68),
    userName: tapeString(block, 76),
    passwordProtected: u16(fixed, 56) !== 0,
    softwareVendorId: u16(fixed, 60),
    mediaWriteDate: mtfDate(fixed, 88),
    backupSetGuid: isZero(fixed, 100, 16) ? null : guid(fixed, 100),
  };
}

export function toBackupSet(set: SetInProgress, compressed: 0 | 1): BackupSet {
  const head = set.head?.fields ?? null;
  const tail = set.tail?.fields ?? null;
  const both = tail ?? head;
  const type = both?.backupType ?? null;
  const header: BackupSetHeader = {
    BackupName: set.sset.backupName,
    BackupDescription: set.sset.backupDescription,
    BackupType: type,
    ExpirationDate: null,
    Compressed: compressed,
    Position: set.sset.position,
    DeviceType: null,
    UserName: set.sset.userName,
    ServerName: both?.serverName ?? null,
    DatabaseName: both?.databaseName ?? null,
    DatabaseVersion: both?.databaseVersion ?? null,
    DatabaseCreationDate: both?.databaseCreationDate ?? null,
    // Only the tail copy carries the final size and the finish time.
    BackupSize: tail?.backupSize ?? null,
    FirstLSN: both?.firstLsn ?? null,
    LastLSN: both?.lastLsn ?? null,
    CheckpointLSN: both?.checkpointLsn ?? null,
    DatabaseBackupLSN: both?.databaseBackupLsn ?? null,
    BackupStartDate: both?.backupStartDate ?? set.sset.mediaWriteDate,
    BackupFinishDate: tail?.backupFinishDate ?? null,
    SortOrder: both?.sortOrder ?? null,
    CodePage: null,
    UnicodeLocaleId: both?.unicodeLocaleId ?? null,
    UnicodeComparisonStyle: both?.unicodeComparisonStyle ?? null,
    CompatibilityLevel: both?.compatibilityLevel ?? null,
    SoftwareVendorId: set.sset.softwareVendorId,
    SoftwareVersionMajor: both?.softwareVersionMajor ?? null,
    SoftwareVersionMinor: both?.softwareVersionMinor ?? null,
    SoftwareVersionBuild: both?.softwareVersionBuild ?? null,
    MachineName: set.machineName,
    Flags: null,
    BindingID: null,
    RecoveryForkID: both?.recoveryForkId ?? null,
    Collation: null,
    FamilyGUID: both?.familyGuid ?? null,
    HasBulkLoggedData: null,
    IsSnapshot: null,
    IsReadOnly: null,
    IsSingleUser: null,
    HasBackupChecksums: both?.hasBackupChecksums ?? null,
    IsDamaged: null,
    BeginsLogChain: null,
    HasIncompleteMetaData: null,
    IsForceOffline: null,
    IsCopyOnly: null,
    FirstRecoveryForkID: null,
    ForkPointLSN: null,
    RecoveryModel: null,
    DifferentialBaseLSN: both?.differentialBaseLsn ?? null,
    DifferentialBaseGUID: both?.differentialBaseGuid ?? null,
    BackupTypeDescription: type === null ? null : backupTypeDescriptions[type],
    BackupSetGUID: set.sset.backupSetGuid,
    CompressedBackupSize: null,
    Containment: null,
    KeyAlgorithm: null,
    EncryptorThumbprint: null,
    EncryptorType: null,
  };
  return {
    header,
    files: (set.tail ?? set.head)?.files ?? [],
    complete: set.complete,
    extent: { start: set.start, end: set.end },
  };
}
