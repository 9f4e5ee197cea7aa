/**
 * The engine's view of the JSON documents kept with each migration and file record. Kept in one place
 * so that what is stored, and what the API shows, have one definition.
 */
import type { DatabaseFile } from '../../backup/index.js';
import type { RestoreDetails } from '../../targets/index.js';
import type { FileRecord, MigrationRecord } from '../state/index.js';

export type MigrationMode = 'online' | 'offline';

/** The parts of a tick (see `migration-engine.ts`). */
/** `start`: the checks before a migration begins (the target reachable, its database name free). */
export type EngineStep = 'start' | 'intake' | 'upload' | 'target';

/** Why a step of the engine fails, kept until it succeeds again (`step-errors.ts`). */
export interface StepError {
  readonly step: EngineStep;
  readonly message: string;
  readonly since: string;
}

/** Whether the restore on the target has been started: persisted before and after the call. */
export type TargetPhase = 'NotStarted' | 'Starting' | 'Started';

export interface MigrationDocument {
  readonly mode: MigrationMode;
  /**
   * The configuration as the API received it (DMS property names), secrets sealed: the engine does not
   * read it; the API shows it back without the secrets.
   */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** The backup folder as the user gave it (a local path; later a share path). */
  readonly backupFolder: string;
  /** Offline: the last backup file to restore, as given; null to infer it. */
  readonly lastBackupName: string | null;
  /** Offline without a given name: the last file of the plan once the folder's files were planned. */
  readonly inferredLastBackupName: string | null;
  readonly targetDatabaseCollation: string | null;
  readonly targetPhase: TargetPhase;
  /** The full the target started from; it stays the planner's base. */
  readonly pinnedBaseGUID: string | null;
  /** Online cutover: the file the restore completes at. */
  readonly cutoverLastBackupName: string | null;
  /**
   * The target's restore status and block reason at the last poll (the sets' progress is on the file
   * records, so this changes rarely). Migrations stored by earlier versions hold the whole report: a
   * superset of this.
   */
  readonly restoreDetails: RestoreSummary | null;
  /** The cutover (`completeRestore`) call reached the target. */
  readonly cutoverSent: boolean;
  /** The step failing at every tick, and why (absent in migrations stored before it existed). */
  readonly stepError?: StepError | null;
}

/** What the migration keeps of the target's report: what is not on the file records. */
export type RestoreSummary = Pick<RestoreDetails, 'status' | 'blockReason'>;

export interface FileDocument {
  readonly size: number;
  readonly modifiedAt: string;
  /** Set once the headers were read and the file is a complete backup of this database. */
  readonly backupType: 'Full' | 'Differential' | 'Log' | null;
  readonly backupSetGUID: string | null;
  readonly firstLSN: string | null;
  readonly lastLSN: string | null;
  readonly familySequenceNumber: number | null;
  readonly familyCount: number | null;
  readonly position: number | null;
  readonly differentialBaseGUID: string | null;
  readonly recoveryForkID: string | null;
  readonly backupStartDate: string | null;
  readonly backupFinishDate: string | null;
  readonly hasBackupChecksums: boolean | null;
  /**
   * A full backup's file list (`RESTORE FILELISTONLY`), for the target's checks before it starts
   * (sizes as decimal text: JSON has no big integers); null for other backups, and for fulls read
   * by a sqlmig that did not keep it.
   */
  readonly databaseFiles: readonly StoredDatabaseFile[] | null;
  /** The name in the blob container (`<target database>/<name LRS reads>`). */
  readonly blobName: string | null;
  readonly ignoreReason: string | null;
  readonly ignoreMessage: string | null;
  /** Why the file is waiting (incomplete, behind a gap, a stripe missing); null when it is not. */
  readonly waitingReason: string | null;
  readonly dataRead: number;
  readonly dataWritten: number;
  /** KB/s, as DMS reports it. */
  readonly copyThroughput: number;
  /** Seconds, as DMS reports it. */
  readonly copyDuration: number;
  readonly uploadStartedOn: string | null;
  readonly lastError: string | null;
  readonly restoredOn: string | null;
}

export const emptyFileDocument: FileDocument = {
  size: 0,
  modifiedAt: '',
  backupType: null,
  backupSetGUID: null,
  firstLSN: null,
  lastLSN: null,
  familySequenceNumber: null,
  familyCount: null,
  position: null,
  differentialBaseGUID: null,
  recoveryForkID: null,
  backupStartDate: null,
  backupFinishDate: null,
  hasBackupChecksums: null,
  databaseFiles: null,
  blobName: null,
  ignoreReason: null,
  ignoreMessage: null,
  waitingReason: null,
  dataRead: 0,
  dataWritten: 0,
  copyThroughput: 0,
  copyDuration: 0,
  uploadStartedOn: null,
  lastError: null,
  restoredOn: null,
};

/** A `DatabaseFile` as a file document keeps it. */
export type StoredDatabaseFile = Omit<DatabaseFile, 'Size'> & { readonly Size: string };

export function storedDatabaseFile(file: DatabaseFile): StoredDatabaseFile {
  return { ...file, Size: file.Size.toString() };
}

export function databaseFileOf(stored: StoredDatabaseFile): DatabaseFile {
  return { ...stored, Size: BigInt(stored.Size) };
}

export function migrationDocument(record: MigrationRecord): MigrationDocument {
  return record.document as unknown as MigrationDocument;
}

/** Records are immutable: each one's document is completed once, however often it is read. */
const completed = new WeakMap<FileRecord, FileDocument>();

export function fileDocument(record: FileRecord): FileDocument {
  let doc = completed.get(record);
  if (!doc) {
    doc = { ...emptyFileDocument, ...(record.document as Partial<FileDocument>) };
    completed.set(record, doc);
  }
  return doc;
}

/** Whether a full backup among `files` has its blob in the store (Uploaded, Restoring, Restored). */
export function hasUploadedFull(files: readonly FileRecord[]): boolean {
  return files.some(
    (f) =>
      (f.status === 'Uploaded' || f.status === 'Restoring' || f.status === 'Restored') &&
      fileDocument(f).backupType === 'Full',
  );
}

export function asDocument(
  value: MigrationDocument | FileDocument,
): Readonly<Record<string, unknown>> {
  return value as unknown as Readonly<Record<string, unknown>>;
}
