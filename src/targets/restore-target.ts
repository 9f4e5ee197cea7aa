/**
 * A restore target: where the migration engine restores a database from the backups uploaded to a
 * blob folder. Modelled on Azure SQL Managed Instance's Log Replay Service (start, restore details,
 * complete, stop), which the rehearsal target imitates and the SQL Server target maps onto T-SQL.
 *
 * File names: every file name that crosses this port (`lastBackupName`, `lastRestoredFileName`, the
 * names in `RestoreDetails`) is the blob name, `<folder>/<file>`, as the engine stores it. Log Replay
 * Service itself names files within the folder (`storageContainerUri` already ends with it), so the
 * Managed Instance target strips and adds the folder; the rehearsal target accepts either form.
 */
import type { DatabaseFile } from '../backup/index.js';

export type TargetKind = 'Rehearsal' | 'SqlMi' | 'SqlVm';

export interface StartRestore {
  /** The database to create on the target. */
  readonly databaseName: string;
  /** The blob folder holding this database's backups (one flat folder, `<folder>/<file>`). */
  readonly folder: string;
  readonly collation?: string;
  /**
   * Offline (autocomplete) mode: restore up to this backup file, then bring the database online.
   * Absent: continuous (online) mode, until `complete` is called.
   */
  readonly lastBackupName?: string;
  /**
   * Optional: the file list (`RESTORE FILELISTONLY`) of the full backup the restore starts from. A
   * target that cannot host some files checks it before starting: the Managed Instance target
   * refuses a memory-optimized filegroup (a `Type` `S` file) on a General Purpose instance, which
   * has no In-Memory OLTP. Absent: not checked (the restore itself then fails on such a backup).
   */
  readonly databaseFiles?: readonly DatabaseFile[];
}

/** Log Replay Service's restore status values (`restoreDetails.status`). */
export type RestoreStatus =
  'Queued' | 'Restoring' | 'Completing' | 'Completed' | 'Failed' | 'Stopped';

export interface RestoredBackupSet {
  readonly status: 'Queued' | 'Restoring' | 'Restored' | 'Skipped' | 'Failed';
  readonly backupSetGUID: string;
  readonly firstStripeName: string;
  readonly numberOfStripes: number;
  readonly backupSizeMB: number;
  readonly firstLSN: string;
  readonly lastLSN: string;
  readonly restoreStartedOn: string | null;
  readonly restoreFinishedOn: string | null;
}

/** What `GET …/restoreDetails/Default` reports, in Log Replay Service's names. */
export interface RestoreDetails {
  readonly status: RestoreStatus;
  /** Why the restore cannot go on (a gap, a wrong differential base, …); null when nothing blocks it. */
  readonly blockReason: string | null;
  readonly currentRestoringFileName: string | null;
  readonly lastRestoredFileName: string | null;
  readonly lastUploadedFileName: string | null;
  readonly numberOfFilesDetected: number;
  readonly numberOfFilesQueued: number;
  readonly numberOfFilesSkipped: number;
  readonly numberOfFilesRestoring: number;
  readonly numberOfFilesRestored: number;
  readonly numberOfFilesUnrestorable: number;
  readonly percentCompleted: number;
  readonly fullBackupSets: readonly RestoredBackupSet[];
  readonly diffBackupSets: readonly RestoredBackupSet[];
  readonly logBackupSets: readonly RestoredBackupSet[];
  /** File names the target cannot restore, with the reason when known. */
  readonly unrestorableFiles: readonly { readonly name: string; readonly reason: string | null }[];
}

/** One check a start would make, made alone (`sqlmig target check`): what it found, what to do. */
export interface TargetCheck {
  /** What was checked: `connection`, `instance`, `databaseName`, `request`, `permissions`, … */
  readonly check: string;
  readonly status: 'Succeeded' | 'Failed';
  readonly message: string;
}

export interface RestoreTarget {
  readonly kind: TargetKind;
  /** Shown wherever the user sees the target (the rehearsal target says it restores nothing). */
  readonly description: string;
  /** Whether a database of that name exists on the target (sqlmig never overwrites one). */
  databaseExists(databaseName: string): Promise<boolean>;
  /** Starts restoring; rejects if the database exists or a restore of it is already running. */
  start(request: StartRestore): Promise<void>;
  /**
   * Takes up a restore this target was running before the service restarted (no-op when it still
   * runs), knowing the last file the engine saw restored. Targets that keep their own state (Log
   * Replay Service, SQL Server) just check it is there; the rehearsal target rebuilds its own.
   */
  resume(request: StartRestore, lastRestoredFileName: string | null): Promise<void>;
  details(databaseName: string): Promise<RestoreDetails>;
  /**
   * The checks `start` makes before it starts anything, made alone: nothing is created or changed.
   * Each check says what it found; a failed one, what to do. Targets without it are checked by
   * `databaseExists` alone.
   */
  check?(request: StartRestore): Promise<TargetCheck[]>;
  /** Online cutover: restore up to `lastBackupName`, then bring the database online. */
  complete(databaseName: string, lastBackupName: string): Promise<void>;
  /** Cancels a restore and drops the database it was creating; no error when there is none. */
  stop(databaseName: string): Promise<void>;
  /**
   * The engine tells the target that a blob (`<folder>/<file>`) was committed to the store. A target
   * that watches storage itself (Log Replay Service) ignores it; the rehearsal scans that folder at
   * once instead of waiting for its next poll.
   */
  blobCommitted?(blobName: string): void;
  /**
   * Subscribes to restore progress: `listener(databaseName)` is called (asynchronously, never inside
   * the caller's call) whenever the restore details of that database may have changed (a set started
   * or finished, the restore completed, failed or got blocked/unblocked). Returns the unsubscribe
   * function. Targets without push (real LRS is polled) omit it.
   */
  onProgress?(listener: (databaseName: string) => void): () => void;
}
