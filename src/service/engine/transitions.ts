/**
 * The migration state machine, with the reference's status names.
 *
 * ```
 * Creating ──► InProgress ──(online: cutover)──► Completing ──► Succeeded
 *    │            │  └──(offline: last backup restored by the target)──────► Succeeded
 *    │            ├──(target fails / file error that cannot be retried)──► Failed
 *    │            └──(cancel, or the 30-day limit)──► Canceling ──► Canceled
 *    └──(target database exists, bad configuration)──► Failed
 * ```
 *
 * `migrationStatusDetails.migrationState` says more while `InProgress`: UploadingFullBackup,
 * UploadingLogBackup, Restoring, ReadyForCutover.
 */
import type { FileStatus, MigrationStatus } from '../state/index.js';

const allowed: Readonly<Record<MigrationStatus, readonly MigrationStatus[]>> = {
  Creating: ['InProgress', 'Failed', 'Canceling'],
  InProgress: ['Completing', 'Succeeded', 'Failed', 'Canceling'],
  ReadyForCutover: ['InProgress', 'Completing', 'Failed', 'Canceling'],
  UploadingFullBackup: ['InProgress', 'Failed', 'Canceling'],
  UploadingLogBackup: ['InProgress', 'Failed', 'Canceling'],
  Restoring: ['InProgress', 'Failed', 'Canceling'],
  Completing: ['Succeeded', 'Failed', 'Canceling'],
  Canceling: ['Canceled'],
  Retriable: ['InProgress', 'Failed', 'Canceling'],
  Canceled: [],
  Failed: [],
  Succeeded: [],
};

export const terminalStatuses: readonly MigrationStatus[] = ['Canceled', 'Failed', 'Succeeded'];

export function isTerminal(status: MigrationStatus): boolean {
  return terminalStatuses.includes(status);
}

export function canMove(from: MigrationStatus, to: MigrationStatus): boolean {
  return allowed[from].includes(to);
}

/** File statuses only move forward (a restored file is never shown as restoring again). */
const fileOrder: Readonly<Record<FileStatus, number>> = {
  Arrived: 0,
  Uploading: 1,
  Uploaded: 2,
  Restoring: 3,
  Restored: 4,
  Canceled: 5,
  Ignored: 5,
};

export function fileMayMove(from: FileStatus, to: FileStatus): boolean {
  if (from === to) return false;
  if (from === 'Restored' || from === 'Canceled') return false;
  if (from === 'Ignored') return to === 'Canceled';
  // A failed upload goes back to Arrived to be tried again.
  if (from === 'Uploading' && to === 'Arrived') return true;
  return fileOrder[to] > fileOrder[from] || to === 'Ignored' || to === 'Canceled';
}
