/**
 * Why a backup file or set is left out of a restore plan. Codes are stable (the API, the dashboard and
 * the engine's per-file "Ignored" status carry them); where Log Replay Service has a name for the same
 * condition, sqlmig uses it.
 */
export type IgnoreReason =
  /** The file is not SQL Server backup media (or is empty). */
  | 'NotABackupFile'
  /** The file ends before its backup set does: still being written, or cut short. */
  | 'IncompleteBackupFile'
  /** The file is damaged (a descriptor fails its checksum, compressed data does not decode). */
  | 'CorruptBackupFile'
  /** Encrypted, compressed with an algorithm sqlmig does not read, or unreadable (I/O). */
  | 'UnreadableBackupFile'
  /** A backup of another database than the one planned (`--database`). */
  | 'BackupOfAnotherDatabase'
  /** A full backup older than the full chosen as the base (the latest complete one). */
  | 'FullBackupOlderThanBase'
  /** A full taken after the one a running restore started from (the base is pinned). */
  | 'FullBackupAfterRestoreStarted'
  /** A differential whose base is not the chosen full. */
  | 'BrokenRestorePlanWrongDiffBaseGUID'
  /** A differential of the chosen full, superseded by a later one. */
  | 'DifferentialSuperseded'
  /** A log backup that ends at or before the point the base (full or differential) restores to. */
  | 'LogBackupCoveredByBase'
  /** A log backup whose whole range the chain has already applied. */
  | 'LogBackupCoveredByChain'
  /** A log backup with FirstLSN = LastLSN: it holds nothing to apply. */
  | 'EmptyLogBackup'
  /** A log backup after a gap: the logs covering the missing LSN range are not there. */
  | 'BrokenRestorePlanGapInLogBackups'
  /** A backup on another recovery fork than the base. */
  | 'OtherRecoveryFork'
  /** A striped backup set with fewer files than its family count. */
  | 'MissingStripeInBackupSet'
  /** The same media family of the same backup set, found in another file too. */
  | 'DuplicateBackupSet'
  /** A file holding more than one backup set (appended media), which Log Replay Service cannot restore. */
  | 'MultipleBackupSetsInFile'
  /** A file, partial or file-differential backup, or a type sqlmig could not read. */
  | 'UnsupportedBackupType'
  /** A differential or log backup with no complete full backup of the database to start from. */
  | 'WaitingForFullBackup';

export const ignoreReasons: readonly IgnoreReason[] = [
  'NotABackupFile',
  'IncompleteBackupFile',
  'CorruptBackupFile',
  'UnreadableBackupFile',
  'BackupOfAnotherDatabase',
  'FullBackupOlderThanBase',
  'FullBackupAfterRestoreStarted',
  'BrokenRestorePlanWrongDiffBaseGUID',
  'DifferentialSuperseded',
  'LogBackupCoveredByBase',
  'LogBackupCoveredByChain',
  'EmptyLogBackup',
  'BrokenRestorePlanGapInLogBackups',
  'OtherRecoveryFork',
  'MissingStripeInBackupSet',
  'DuplicateBackupSet',
  'MultipleBackupSetsInFile',
  'UnsupportedBackupType',
  'WaitingForFullBackup',
];

export interface Ignored {
  readonly file: string;
  readonly reason: IgnoreReason;
  readonly message: string;
  /** The backup set, when the file could be read. */
  readonly backupSetGUID: string | null;
}
