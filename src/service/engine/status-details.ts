/**
 * `migrationStatusDetails` in Azure DMS's shape, computed from the migration's records (and the live
 * upload progress of this process): what the dashboard and `sqlmig migration show` display.
 */
import type { FileRecord, MigrationRecord } from '../state/index.js';

import { fileDocument, hasUploadedFull, migrationDocument } from './documents.js';
import { lastRestoredFile } from './last-restored.js';
import type { MigrationRun } from './migration-run.js';

export interface BackupFileInfo {
  readonly fileName: string;
  readonly status: FileRecord['status'];
  readonly totalSize: number;
  readonly dataRead: number;
  readonly dataWritten: number;
  /** KB/s. */
  readonly copyThroughput: number;
  /** Seconds. */
  readonly copyDuration: number;
  readonly familySequenceNumber: number | null;
  readonly ignoreReason: string | null;
  readonly message: string | null;
}

export interface BackupSetInfo {
  readonly backupSetId: string;
  readonly firstLSN: string | null;
  readonly lastLSN: string | null;
  readonly backupType: 'Full' | 'Differential' | 'Log' | null;
  readonly listOfBackupFiles: readonly BackupFileInfo[];
  readonly backupStartDate: string | null;
  readonly backupFinishDate: string | null;
  readonly isBackupRestored: boolean;
  readonly hasBackupChecksums: boolean | null;
  readonly familyCount: number | null;
  readonly ignoreReasons: readonly string[];
}

export type MigrationState =
  | MigrationRecord['migrationStatus']
  | 'UploadingFullBackup'
  | 'UploadingLogBackup'
  | 'Restoring'
  | 'ReadyForCutover';

export interface MigrationStatusDetails {
  readonly migrationState: MigrationState;
  readonly fullBackupSetInfo: BackupSetInfo | null;
  readonly lastRestoredBackupSetInfo: BackupSetInfo | null;
  readonly activeBackupSets: readonly BackupSetInfo[];
  /** Files in the folder that are not usable backups, with the reason. */
  readonly invalidFiles: readonly {
    readonly fileName: string;
    readonly reason: string;
    readonly message: string | null;
  }[];
  readonly blobContainerName: string;
  readonly isFullBackupRestored: boolean;
  readonly restoreBlockingReason: string | null;
  readonly completeRestoreErrorMessage: string | null;
  readonly fileUploadBlockingErrors: readonly string[];
  readonly currentRestoringFilename: string | null;
  readonly lastRestoredFilename: string | null;
  readonly pendingLogBackupsCount: number;
}

const invalidReasons = new Set(['NotABackupFile', 'CorruptBackupFile', 'UnreadableBackupFile']);

export function statusDetails(
  migration: MigrationRecord,
  files: readonly FileRecord[],
  run?: MigrationRun,
): MigrationStatusDetails {
  const doc = migrationDocument(migration);
  const sets = new Map<string, FileRecord[]>();
  const invalidFiles: { fileName: string; reason: string; message: string | null }[] = [];
  for (const record of files) {
    const file = fileDocument(record);
    if (
      record.status === 'Ignored' &&
      file.ignoreReason &&
      (invalidReasons.has(file.ignoreReason) || !file.backupSetGUID)
    ) {
      invalidFiles.push({
        fileName: record.fileName,
        reason: file.ignoreReason,
        message: file.ignoreMessage,
      });
    } else if (file.backupSetGUID) {
      const list = sets.get(file.backupSetGUID) ?? [];
      list.push(record);
      sets.set(file.backupSetGUID, list);
    }
  }
  const infos = [...sets.entries()].map(([guid, records]) => setInfo(guid, records, run));
  infos.sort((a, b) => (BigInt(a.firstLSN ?? '0') < BigInt(b.firstLSN ?? '0') ? -1 : 1));
  const restored = infos.filter((s) => s.isBackupRestored);
  const lastRestoredRecord = lastRestoredFile(files);
  const full =
    infos.filter((s) => s.backupType === 'Full' && s.ignoreReasons.length === 0).at(-1) ?? null;
  const pendingLogs = files.filter((f) => {
    const file = fileDocument(f);
    return (
      file.backupType === 'Log' &&
      f.status !== 'Restored' &&
      f.status !== 'Ignored' &&
      f.status !== 'Canceled'
    );
  });
  const isFullBackupRestored = infos.some((s) => s.backupType === 'Full' && s.isBackupRestored);
  const stepError = doc.stepError ?? null;
  const restoreBlockingReason =
    doc.restoreDetails?.blockReason ??
    (stepError?.step === 'target' || stepError?.step === 'start' ? stepError.message : null);
  const uploading = files.some(
    (f) =>
      f.status === 'Uploading' || (f.status === 'Arrived' && fileDocument(f).backupType !== null),
  );
  const fullUploaded = hasUploadedFull(files);
  const state: MigrationState =
    migration.migrationStatus !== 'InProgress'
      ? migration.migrationStatus
      : !fullUploaded
        ? 'UploadingFullBackup'
        : doc.mode === 'online' &&
            isFullBackupRestored &&
            pendingLogs.length === 0 &&
            !restoreBlockingReason
          ? 'ReadyForCutover'
          : uploading
            ? 'UploadingLogBackup'
            : 'Restoring';
  return {
    migrationState: state,
    fullBackupSetInfo: full,
    lastRestoredBackupSetInfo: restored.at(-1) ?? null,
    activeBackupSets: infos,
    invalidFiles,
    blobContainerName: migration.targetDbName,
    isFullBackupRestored,
    restoreBlockingReason,
    completeRestoreErrorMessage:
      migration.migrationStatus === 'Failed'
        ? (migration.migrationFailureError?.message ?? null)
        : null,
    fileUploadBlockingErrors: [
      ...(stepError && stepError.step !== 'target' && stepError.step !== 'start'
        ? [stepError.message]
        : []),
      ...files.map((f) => fileDocument(f).lastError).filter((e): e is string => e !== null),
    ],
    currentRestoringFilename: files.find((f) => f.status === 'Restoring')?.fileName ?? null,
    lastRestoredFilename: lastRestoredRecord?.fileName ?? null,
    pendingLogBackupsCount: pendingLogs.length,
  };
}

function setInfo(
  guid: string,
  records: readonly FileRecord[],
  run: MigrationRun | undefined,
): BackupSetInfo {
  const docs = records.map((r) => fileDocument(r));
  const first = docs[0];
  const ignoreReasons = [
    ...new Set(docs.map((d) => d.ignoreReason).filter((r): r is string => r !== null)),
  ];
  return {
    backupSetId: guid,
    firstLSN: first?.firstLSN ?? null,
    lastLSN: first?.lastLSN ?? null,
    backupType: first?.backupType ?? null,
    listOfBackupFiles: records.map((record) => {
      const doc = fileDocument(record);
      const live = run?.progress.get(record.fileName);
      return {
        fileName: record.fileName,
        status: record.status,
        totalSize: doc.size,
        dataRead: live?.dataRead ?? doc.dataRead,
        dataWritten: live?.dataWritten ?? doc.dataWritten,
        copyThroughput: doc.copyThroughput,
        copyDuration: doc.copyDuration,
        familySequenceNumber: doc.familySequenceNumber,
        ignoreReason: doc.ignoreReason,
        message: doc.ignoreMessage ?? doc.waitingReason ?? doc.lastError,
      };
    }),
    backupStartDate: first?.backupStartDate ?? null,
    backupFinishDate: first?.backupFinishDate ?? null,
    isBackupRestored: records.length > 0 && records.every((r) => r.status === 'Restored'),
    hasBackupChecksums: first?.hasBackupChecksums ?? null,
    familyCount: first?.familyCount ?? null,
    ignoreReasons,
  };
}
