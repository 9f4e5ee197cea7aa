/**
 * The reasons a backup file cannot be read. Codes are stable: the CLI prints them, the API returns
 * them, and the restore planner turns them into ignore reasons. Messages state the fact, the cause and
 * what to do, for a DBA rather than for a programmer.
 */
export type BackupErrorCode =
  /** The bytes are not SQL Server backup media at all (no `TAPE` or `MSSQLBAK` at offset 0). */
  | 'NotABackup'
  /** The file is empty. */
  | 'EmptyFile'
  /** The file ends inside a structure that must be complete (header, descriptor block, record). */
  | 'Truncated'
  /** A descriptor block, stream header or record fails its checksum or holds impossible values. */
  | 'CorruptDescriptor'
  /** The backup set is encrypted (`WITH ENCRYPTION`): its metadata cannot be read without the key. */
  | 'Encrypted'
  /** Compressed with an algorithm sqlmig does not decode (SQL Server 2022 QAT, 2025 ZSTD, unknown). */
  | 'UnsupportedCompression'
  /** Recognisably SQL Server media, but in a layout this reader does not know. */
  | 'UnsupportedFormat'
  /** The byte source itself failed (I/O error, permission, network). */
  | 'ReadFailed';

export class BackupReadError extends Error {
  override readonly name = 'BackupReadError';
  readonly code: BackupErrorCode;
  /** Byte offset in the file (or in the decompressed stream, when stated) the error refers to. */
  readonly offset: number | null;

  constructor(
    code: BackupErrorCode,
    message: string,
    options: { offset?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.offset = options.offset ?? null;
  }
}

export function isBackupReadError(error: unknown): error is BackupReadError {
  return error instanceof BackupReadError;
}
