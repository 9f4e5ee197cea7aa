/**
 * The rules of Azure SQL Managed Instance's Log Replay Service that the rehearsal target applies, and
 * the words it reports them in. Sources (checked 2026):
 *
 * - Limitations, learn.microsoft.com/azure/azure-sql/managed-instance/log-replay-service-migrate
 *   (MicrosoftDocs/sql-docs `azure-sql/managed-instance/log-replay-service-migrate.md`): only `.bak`,
 *   `.log` and `.diff` files; one flat folder per database; "the backup URI path, container name, or
 *   folder names can't contain `backup` or `Backup`"; autocomplete fails when files beyond the last
 *   backup named are found; stopping deletes the database.
 * - Error names: `ManagedDatabaseRestoreDetails_Get` in azure-rest-api-specs
 *   (Microsoft.Sql 2022-05-01-preview and 2023-08-01 `ManagedDatabaseRestoreDetails.json`).
 * - Its example response (`examples/ManagedDatabaseRestoreDetails.json`) lists a non-backup file
 *   (`ImageFile.JPG`) under `unrestorableFiles`; its file counts add up to `numberOfFilesDetected`;
 *   its `percentCompleted` (53) is `currentRestoredSizeMB` / `currentRestorePlanSizeMB` (25 / 47).
 */
import type { IgnoreReason } from '../../planning/index.js';

/** The extensions Log Replay Service reads (case-insensitive). */
const restorableExtensions = ['.bak', '.log', '.diff'];

export function hasRestorableExtension(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return restorableExtensions.some((extension) => lower.endsWith(extension));
}

/** Log Replay Service refuses a path containing "backup" (so "backups" too), in any case. */
export function containsBackupWord(folder: string): boolean {
  return /backup/i.test(folder);
}

/** How a file counts in `restoreDetails` (`numberOfFiles…`). */
export type FileCategory = 'Queued' | 'Skipped' | 'Restoring' | 'Restored' | 'Unrestorable';

/** Where each planner reason puts a file: skipped (nothing to apply), waiting, or unrestorable. */
export const categoryOfReason: Readonly<Record<IgnoreReason, FileCategory>> = {
  NotABackupFile: 'Unrestorable',
  IncompleteBackupFile: 'Unrestorable',
  CorruptBackupFile: 'Unrestorable',
  UnreadableBackupFile: 'Unrestorable',
  BackupOfAnotherDatabase: 'Unrestorable',
  FullBackupOlderThanBase: 'Skipped',
  FullBackupAfterRestoreStarted: 'Skipped',
  BrokenRestorePlanWrongDiffBaseGUID: 'Unrestorable',
  DifferentialSuperseded: 'Skipped',
  LogBackupCoveredByBase: 'Skipped',
  LogBackupCoveredByChain: 'Skipped',
  EmptyLogBackup: 'Skipped',
  BrokenRestorePlanGapInLogBackups: 'Queued',
  OtherRecoveryFork: 'Unrestorable',
  MissingStripeInBackupSet: 'Queued',
  DuplicateBackupSet: 'Skipped',
  MultipleBackupSetsInFile: 'Unrestorable',
  UnsupportedBackupType: 'Unrestorable',
  WaitingForFullBackup: 'Queued',
};

/**
 * Codes of the rehearsal's own reports. Log Replay Service's names where it has one; the others are
 * sqlmig's (layout codes of `planning/`, or named here).
 */
export type RehearsalCode =
  | IgnoreReason
  | 'UnsupportedFileExtension'
  | 'NestedFolders'
  | 'BrokenRestorePlanNoFullBackup'
  | 'BackupsFromMultipleDatabasesDetectedInTheContainerFromTheStart'
  | 'BackupsFromMultipleDatabasesDetectedInTheContainerWhileRestoreInProgress'
  | 'BlobStorageFailure'
  | 'LastBackupNotFound'
  | 'BackupsBeyondLastBackupName';

export interface Report {
  readonly code: RehearsalCode;
  readonly message: string;
}

/**
 * A reason as users see it: the code first (the engine and scripts may match on it), then that this
 * is a rehearsal, then the explanation.
 */
export function reportText(report: Report): string {
  return `${report.code} (rehearsal, nothing is restored): ${report.message}`;
}

export function multipleDatabasesReport(
  databases: readonly string[],
  pinned: string | null,
): Report {
  const list = databases.join(', ');
  return pinned === null
    ? {
        code: 'BackupsFromMultipleDatabasesDetectedInTheContainerFromTheStart',
        message: `The folder holds backups of ${databases.length} databases (${list}). Log Replay Service restores one database per folder and does not start until the folder holds backups of one database only: move the others out.`,
      }
    : {
        code: 'BackupsFromMultipleDatabasesDetectedInTheContainerWhileRestoreInProgress',
        message: `The folder now also holds backups of ${list}, besides ${pinned} being restored. Log Replay Service stops restoring until the folder holds backups of one database only: move the other files out.`,
      };
}
