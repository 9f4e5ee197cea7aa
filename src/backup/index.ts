/**
 * Reading SQL Server backup media without SQL Server. The public face of `backup/`: nothing outside
 * this folder imports its other files.
 */
export { openFileSource, memorySource, countingSource, readWholeIfSmall } from './byte-source.js';
export type { ByteSource, CountingByteSource } from './byte-source.js';
export { BackupReadError, isBackupReadError } from './errors.js';
export type { BackupErrorCode } from './errors.js';
export { readBackupMedia } from './media-reader.js';
export type { ReadBackupOptions } from './media-reader.js';
export { headerRows } from './headers-json.js';
export type { HeaderJson, HeaderErrorJson, FileJson } from './headers-json.js';
export { compareLsn, formatLsn, parseLsn } from './lsn.js';
export type { Lsn } from './lsn.js';
export { backupTypeDescriptions } from './types.js';
export { fileKind, fileTypeText } from './file-kind.js';
export type { FileKind } from './file-kind.js';
export type {
  BackupMedia,
  BackupSet,
  BackupSetHeader,
  BackupType,
  DatabaseFile,
  MediaLabel,
} from './types.js';
export { listBackupFiles, readBackupFile, readBackupFiles } from './scan-files.js';
export { fileResultFromWire, fileResultToWire } from './file-result-wire.js';
export type { FileResult, ScanOptions } from './scan-files.js';
