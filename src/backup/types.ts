import type { Lsn } from './lsn.js';

/**
 * What `RESTORE LABELONLY` reports about the media a file belongs to. A striped backup writes one
 * media family per file; all families of a media set share `MediaSetId`.
 */
export interface MediaLabel {
  /** `null` when the media has no `TAPE` block (native-compressed files start with `MSSQLBAK`). */
  readonly MediaSetId: string | null;
  readonly FamilyCount: number | null;
  readonly FamilySequenceNumber: number | null;
  readonly MediaSequenceNumber: number | null;
  /** `BACKUP … WITH MEDIAPASSWORD` was used: SQL Server asks for it before restoring. */
  readonly MediaPasswordSet: boolean | null;
  /** MTF format logical block size in bytes: 1024 on 512-byte sectors, 4096 on 4 KiB sectors. */
  readonly BlockSize: number | null;
  /** `MSSQLBAK` native compression (MS_XPRESS). */
  readonly IsCompressed: boolean;
}

/** One row of `RESTORE FILELISTONLY`. */
export interface DatabaseFile {
  readonly FileId: number;
  /**
   * `D` data, `L` log; `S` FILESTREAM / memory-optimized container, `F` full-text catalog when
   * recognised; else null. The backup reader names only `D` and `L` (see `UnknownTypeCode`).
   */
  readonly Type: 'D' | 'L' | 'S' | 'F' | null;
  /**
   * Not a `RESTORE FILELISTONLY` column: the backup catalog's own type code for the file, present only
   * when the reader could not name it (`Type` null), so that such a file is not mistaken for nothing
   * to see. SQL Server lists every file as `D`, `L`, `S` or `F`, and the corpus establishes 1 = `D`,
   * 2 = `L`; any other code is therefore a FILESTREAM or memory-optimized container (`S`) or a
   * full-text catalog (`F`), whose codes are not published. `fileKind` classifies it.
   */
  readonly UnknownTypeCode?: number;
  readonly FileGroupName: string | null;
  readonly FileGroupId: number;
  readonly LogicalName: string;
  readonly PhysicalName: string;
  /** Size of the database file in bytes. */
  readonly Size: bigint;
  readonly UniqueId: string | null;
}

export type BackupType = 1 | 2 | 4 | 5 | 6 | 7 | 8;

export const backupTypeDescriptions: Readonly<Record<BackupType, string>> = {
  1: 'Database',
  2: 'Transaction Log',
  4: 'File',
  5: 'Database Differential',
  6: 'File Differential',
  7: 'Partial',
  8: 'Partial Differential',
};

/**
 * One backup set, named as SQL Server names the `RESTORE HEADERONLY` columns. A field the reader cannot
 * determine from the bytes is `null`: unknown is an answer, a guess is a bug.
 */
export interface BackupSetHeader {
  readonly BackupName: string | null;
  readonly BackupDescription: string | null;
  readonly BackupType: BackupType | null;
  readonly ExpirationDate: string | null;
  readonly Compressed: 0 | 1;
  readonly Position: number;
  readonly DeviceType: number | null;
  readonly UserName: string | null;
  readonly ServerName: string | null;
  readonly DatabaseName: string | null;
  readonly DatabaseVersion: number | null;
  readonly DatabaseCreationDate: string | null;
  /** Bytes of the whole set over all its media families; known from the tail copy of the header. */
  readonly BackupSize: bigint | null;
  readonly FirstLSN: Lsn | null;
  readonly LastLSN: Lsn | null;
  readonly CheckpointLSN: Lsn | null;
  readonly DatabaseBackupLSN: Lsn | null;
  readonly BackupStartDate: string | null;
  /** Written only in the tail copy of the header: null until the set is complete. */
  readonly BackupFinishDate: string | null;
  readonly SortOrder: number | null;
  readonly CodePage: number | null;
  readonly UnicodeLocaleId: number | null;
  readonly UnicodeComparisonStyle: number | null;
  readonly CompatibilityLevel: number | null;
  readonly SoftwareVendorId: number | null;
  readonly SoftwareVersionMajor: number | null;
  readonly SoftwareVersionMinor: number | null;
  readonly SoftwareVersionBuild: number | null;
  readonly MachineName: string | null;
  readonly Flags: number | null;
  readonly BindingID: string | null;
  readonly RecoveryForkID: string | null;
  readonly Collation: string | null;
  readonly FamilyGUID: string | null;
  readonly HasBulkLoggedData: boolean | null;
  readonly IsSnapshot: boolean | null;
  readonly IsReadOnly: boolean | null;
  readonly IsSingleUser: boolean | null;
  readonly HasBackupChecksums: 0 | 1 | null;
  readonly IsDamaged: boolean | null;
  readonly BeginsLogChain: boolean | null;
  readonly HasIncompleteMetaData: boolean | null;
  readonly IsForceOffline: boolean | null;
  readonly IsCopyOnly: boolean | null;
  readonly FirstRecoveryForkID: string | null;
  readonly ForkPointLSN: Lsn | null;
  readonly RecoveryModel: string | null;
  readonly DifferentialBaseLSN: Lsn | null;
  readonly DifferentialBaseGUID: string | null;
  readonly BackupTypeDescription: string | null;
  readonly BackupSetGUID: string | null;
  readonly CompressedBackupSize: bigint | null;
  readonly Containment: number | null;
  readonly KeyAlgorithm: string | null;
  readonly EncryptorThumbprint: string | null;
  readonly EncryptorType: string | null;
}

/** A backup set as read from one file (one media family of it, when striped). */
export interface BackupSet {
  readonly header: BackupSetHeader;
  /** The `RESTORE FILELISTONLY` rows of the set. */
  readonly files: readonly DatabaseFile[];
  /**
   * Whether the set ends properly in this file (its trailing header copy and end-of-set block were
   * read). A set still being written, or a truncated file, is not complete.
   */
  readonly complete: boolean;
  /** Where the set starts and ends in the file (or in the decompressed stream of a compressed file). */
  readonly extent: { readonly start: number; readonly end: number };
}

/** Everything the reader learned from one file. */
export interface BackupMedia {
  readonly label: MediaLabel;
  /** In `Position` order; appended sets included. */
  readonly sets: readonly BackupSet[];
  /** Size of the file in bytes. */
  readonly fileSize: number;
}
