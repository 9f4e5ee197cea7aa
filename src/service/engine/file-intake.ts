/**
 * Files arriving in a migration's backup folder: listed, their headers read, classified (a complete
 * backup of this database, or ignored with a reason, or waiting), and fed to the restore planner.
 */
import { parseLsn } from '../../backup/index.js';
import type { FileResult } from '../../backup/index.js';
import type { IgnoreReason, PlannerFile } from '../../planning/index.js';

import { storedDatabaseFile, type FileDocument } from './documents.js';

/** Planner reasons after which a file will never be restored: it is shown as Ignored. */
export const finalReasons: ReadonlySet<IgnoreReason> = new Set<IgnoreReason>([
  'NotABackupFile',
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
  'OtherRecoveryFork',
  'DuplicateBackupSet',
  'MultipleBackupSetsInFile',
  'UnsupportedBackupType',
]);

export type Classification =
  | { readonly kind: 'backup'; readonly patch: Partial<FileDocument> }
  | { readonly kind: 'ignored'; readonly reason: IgnoreReason; readonly message: string }
  | { readonly kind: 'waiting'; readonly reason: IgnoreReason; readonly message: string };

const stepTypes = { 1: 'Full', 5: 'Differential', 2: 'Log' } as const;

/** What one file's headers say about it, for a migration of `databaseName`. */
export function classify(
  result: FileResult,
  databaseName: string,
  allowAppendedSets: boolean,
): Classification {
  if ('error' in result) {
    const { code, message } = result.error;
    // An empty file is most often a copy that has just begun: it is read again when it changes.
    if (code === 'Truncated' || code === 'EmptyFile')
      return { kind: 'waiting', reason: 'IncompleteBackupFile', message };
    const reason: IgnoreReason =
      code === 'NotABackup'
        ? 'NotABackupFile'
        : code === 'CorruptDescriptor'
          ? 'CorruptBackupFile'
          : 'UnreadableBackupFile';
    return { kind: 'ignored', reason, message };
  }
  const { sets, label } = result.media;
  const other = sets.find((set) => set.header.DatabaseName !== databaseName);
  if (other) {
    return {
      kind: 'ignored',
      reason: 'BackupOfAnotherDatabase',
      message: `A backup of database ${other.header.DatabaseName ?? '(unknown)'}, not ${databaseName}: it does not belong in this migration's folder.`,
    };
  }
  if (sets.some((set) => !set.complete)) {
    return {
      kind: 'waiting',
      reason: 'IncompleteBackupFile',
      message:
        'The file is still being written or was cut short; it is read again when it changes.',
    };
  }
  if (sets.length > 1 && !allowAppendedSets) {
    return {
      kind: 'ignored',
      reason: 'MultipleBackupSetsInFile',
      message: `The file holds ${sets.length} backup sets (appended media); Log Replay Service restores only files holding one.`,
    };
  }
  const header = sets[0]?.header;
  const type =
    header?.BackupType === 1 || header?.BackupType === 2 || header?.BackupType === 5
      ? stepTypes[header.BackupType]
      : null;
  if (
    !header ||
    !type ||
    header.BackupSetGUID === null ||
    header.FirstLSN === null ||
    header.LastLSN === null
  ) {
    return {
      kind: 'ignored',
      reason: 'UnsupportedBackupType',
      message: 'Not a full, differential or log backup that sqlmig can place in a restore chain.',
    };
  }
  return {
    kind: 'backup',
    patch: {
      backupType: type,
      backupSetGUID: header.BackupSetGUID,
      firstLSN: header.FirstLSN.toString(),
      lastLSN: header.LastLSN.toString(),
      familySequenceNumber: label.FamilySequenceNumber ?? 1,
      familyCount: label.FamilyCount ?? 1,
      position: header.Position,
      differentialBaseGUID: header.DifferentialBaseGUID,
      recoveryForkID: header.RecoveryForkID,
      backupStartDate: header.BackupStartDate,
      backupFinishDate: header.BackupFinishDate,
      hasBackupChecksums:
        header.HasBackupChecksums === null ? null : header.HasBackupChecksums === 1,
      databaseFiles: type === 'Full' ? (sets[0]?.files ?? []).map(storedDatabaseFile) : null,
      waitingReason: null,
    },
  };
}

const typeCodes = { Full: 1, Differential: 5, Log: 2 } as const;

/** The planner's view of a classified file, rebuilt from what the store keeps. */
export function plannerFile(
  name: string,
  doc: FileDocument,
  databaseName: string,
): PlannerFile | null {
  if (!doc.backupType || !doc.backupSetGUID || doc.firstLSN === null || doc.lastLSN === null)
    return null;
  return {
    path: name,
    media: {
      label: { FamilyCount: doc.familyCount, FamilySequenceNumber: doc.familySequenceNumber },
      sets: [
        {
          complete: true,
          header: {
            DatabaseName: databaseName,
            BackupType: typeCodes[doc.backupType],
            Position: doc.position ?? 1,
            FirstLSN: parseLsn(doc.firstLSN),
            LastLSN: parseLsn(doc.lastLSN),
            CheckpointLSN: null,
            DatabaseBackupLSN: null,
            DifferentialBaseGUID: doc.differentialBaseGUID,
            BackupSetGUID: doc.backupSetGUID,
            RecoveryForkID: doc.recoveryForkID,
            HasBackupChecksums:
              doc.hasBackupChecksums === null ? null : doc.hasBackupChecksums ? 1 : 0,
          },
        },
      ],
    },
  };
}
