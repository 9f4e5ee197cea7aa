import type { BackupErrorCode, BackupSetHeader, Lsn } from '../backup/index.js';

import type { Ignored } from './reasons.js';

/** The header fields the planner uses: a subset of what the backup reader returns. */
export type PlannerHeader = Pick<
  BackupSetHeader,
  | 'DatabaseName'
  | 'BackupType'
  | 'Position'
  | 'FirstLSN'
  | 'LastLSN'
  | 'CheckpointLSN'
  | 'DatabaseBackupLSN'
  | 'DifferentialBaseGUID'
  | 'BackupSetGUID'
  | 'RecoveryForkID'
  | 'HasBackupChecksums'
>;

/** One file as the backup reader saw it: its sets and media family, or why it could not be read. */
export type PlannerFile =
  | {
      readonly path: string;
      readonly media: {
        readonly label: {
          readonly FamilyCount: number | null;
          readonly FamilySequenceNumber: number | null;
        };
        readonly sets: readonly { readonly header: PlannerHeader; readonly complete: boolean }[];
      };
    }
  | {
      readonly path: string;
      readonly error: { readonly code: BackupErrorCode; readonly message: string };
    };

export type StepType = 'Full' | 'Differential' | 'Log';

/** One restore in the plan: a backup set and the files (stripes) that hold it. */
export interface RestoreStep {
  readonly backupSetGUID: string;
  readonly backupType: StepType;
  readonly firstLSN: Lsn;
  readonly lastLSN: Lsn;
  /** The set's media families in order; `position` is the set's place in an appended file. */
  readonly files: readonly { readonly file: string; readonly position: number }[];
}

/**
 * `Ready`: a full backup is restorable (the plan has at least one step). `NoFullBackup`: no complete
 * full backup of the database was found; nothing can be restored yet.
 */
export type DatabaseStatus = 'Ready' | 'NoFullBackup';

/** What the plan needs next to go further. */
export type WaitingFor =
  | { readonly backupType: 'Full'; readonly message: string }
  | {
      readonly backupType: 'Log';
      /** A log whose FirstLSN ≤ this LSN < its LastLSN extends the chain. */
      readonly containingLSN: Lsn;
      /** When later logs are already there: the start of the first of them (the gap's end). */
      readonly gapEndsAt: Lsn | null;
      readonly message: string;
    };

export interface DatabasePlan {
  readonly databaseName: string;
  readonly status: DatabaseStatus;
  readonly restorePlan: readonly RestoreStep[];
  /** Where the database stands once every step is restored; null without a full. */
  readonly lastRestorableLSN: Lsn | null;
  readonly waitingFor: WaitingFor;
  readonly ignored: readonly Ignored[];
}

export interface PlannerOptions {
  /** Log Replay Service cannot restore appended media; SQL Server can (`RESTORE … WITH FILE = n`). */
  readonly allowAppendedSets?: boolean;
}
