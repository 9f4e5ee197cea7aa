/**
 * The rehearsal target's checks of requests, and the coded errors it refuses them with. Every message
 * says it comes from the rehearsal, states what was found, and what to do.
 */
import type { StartRestore } from '../restore-target.js';
import { RestoreTargetError } from '../target-error.js';

import { restoreDetails } from './details-report.js';
import { containsBackupWord } from './lrs-rules.js';
import type { RehearsalJob } from './rehearsal-job.js';

export const prefix = 'Rehearsal target (nothing is restored):';

/** Validates a start or resume request; returns it trimmed, the folder without outer slashes. */
export function checkedRequest(request: StartRestore): StartRestore {
  const databaseName = request.databaseName.trim();
  const folder = request.folder.replace(/^\/+|\/+$/g, '');
  if (databaseName === '' || databaseName.length > 128) {
    throw new RestoreTargetError(
      'InvalidRequest',
      `${prefix} "${request.databaseName}" is not a database name (1 to 128 characters).`,
    );
  }
  if (request.lastBackupName?.trim() === '') {
    throw new RestoreTargetError(
      'InvalidRequest',
      `${prefix} lastBackupName is empty; name the last backup file, or leave it out for continuous mode.`,
    );
  }
  if (containsBackupWord(folder)) {
    throw new RestoreTargetError(
      'BackupWordInPath',
      `${prefix} the folder path "${folder}" contains "backup". Log Replay Service refuses a container or folder path containing "backup" or "backups" (reserved words); use a folder named for the database.`,
    );
  }
  return { ...request, databaseName, folder };
}

/** `start` for a database the target already has: running, or left by an earlier rehearsal. */
export function existingDatabase(
  databaseName: string,
  existing: RehearsalJob | 'Completed',
): RestoreTargetError {
  const status = existing === 'Completed' ? existing : existing.status;
  const running = status === 'Restoring' || status === 'Completing';
  return running
    ? new RestoreTargetError(
        'RestoreAlreadyRunning',
        `${prefix} a restore of database ${databaseName} is already running.`,
      )
    : new RestoreTargetError(
        'DatabaseExists',
        `${prefix} database ${databaseName} exists (a rehearsal ${status === 'Completed' ? 'restored' : 'left'} it); sqlmig never overwrites a database. Stop it to drop it, or choose another name.`,
      );
}

/** Online cutover: marks the job completing at `lastBackupName`, or throws why it cannot. */
export function cutOver(
  job: RehearsalJob | undefined,
  databaseName: string,
  lastBackupName: string,
): void {
  if (!job || job.status === 'Completed' || job.status === 'Failed') {
    throw new RestoreTargetError(
      'ManagedDatabaseNotInRestoringState',
      `${prefix} database ${databaseName} is not being restored (${job ? job.status.toLowerCase() : 'no restore of it'}); there is nothing to complete.`,
    );
  }
  if (job.status === 'Completing') {
    throw new RestoreTargetError(
      'ExternalBackupAlreadySignaledToComplete',
      `${prefix} the restore of ${databaseName} is already completing at ${job.stopAt ?? ''}.`,
    );
  }
  const refusal = job.complete(lastBackupName);
  if (refusal === 'NotStarted') {
    throw new RestoreTargetError(
      'ExternalBackupRestoreHasNotBeenStarted',
      `${prefix} nothing of ${databaseName} has started restoring yet; cut over once its full backup is restored.`,
    );
  }
  if (refusal === 'NotLastRestored') {
    const last = restoreDetails(job).lastRestoredFileName ?? '';
    throw new RestoreTargetError(
      'RequiredBackupIsNotLastRestored',
      `${prefix} ${lastBackupName} was restored earlier, but the restore has gone on to ${last}: cut over at the last file restored (or a later one).`,
    );
  }
  if (refusal === 'NotInChain') {
    throw new RestoreTargetError(
      'BackupNotInRestoreChain',
      `${prefix} ${lastBackupName} is not in the restore chain of ${databaseName}: ${whyNot(job, lastBackupName)} Cut over at a file that is restored or queued.`,
    );
  }
}

/** Why a file is not in the chain, in the words `restoreDetails` uses for it. */
function whyNot(job: RehearsalJob, given: string): string {
  const details = restoreDetails(job);
  const within = job.catalog.nameWithin(given);
  const name = job.catalog.blobName(within);
  const unrestorable = details.unrestorableFiles.find((u) => u.name === name);
  if (unrestorable) return `it cannot be restored (${unrestorable.reason ?? 'unrestorable'}).`;
  const sets = [...details.fullBackupSets, ...details.diffBackupSets, ...details.logBackupSets];
  const set = sets.find((s) => s.firstStripeName === name);
  if (set?.status === 'Skipped') return 'it is skipped: the restore has nothing to apply from it.';
  if (set?.status === 'Queued')
    return 'it waits behind a gap or a missing stripe (see blockReason).';
  if (!job.catalog.get(within)) return 'it is not in the folder.';
  return 'the restore does not reach it.';
}
