/**
 * What the Managed Instance target checks before it asks Log Replay Service to start, each refusal
 * saying what was found and what to do: the instance exists and is Ready (`ManagedInstances_Get`);
 * the database name is free (sqlmig never overwrites); the folder obeys Log Replay Service's rules
 * (one flat folder, no "backup" in the path, names within it as `uploadName` gives them:
 * learn.microsoft.com/azure/azure-sql/managed-instance/log-replay-service-migrate, "Limitations");
 * and a memory-optimized filegroup is not sent to a General Purpose instance, which has no In-Memory
 * OLTP (resource limits, "Service-tier characteristics"; Log Replay Service would fail the restore
 * with `XtpInitializedDuringRestore`).
 */
import type { DatabaseFile } from '../../backup/index.js';
import type { StartRestore } from '../restore-target.js';
import { RestoreTargetError } from '../target-error.js';

import { prefix } from './arm-errors.js';
import type { ManagedInstanceResource } from './arm-requests.js';

/** The request trimmed, its folder without outer slashes; throws what Log Replay Service refuses. */
export function checkedRequest(request: StartRestore): StartRestore {
  const databaseName = request.databaseName.trim();
  const folder = request.folder.replace(/^\/+|\/+$/g, '');
  if (databaseName === '' || databaseName.length > 128 || /[\r\n]/.test(databaseName)) {
    throw new RestoreTargetError(
      'InvalidRequest',
      `${prefix} "${request.databaseName}" is not a database name (1 to 128 characters on one line).`,
    );
  }
  if (folder === '' || folder.includes('/')) {
    throw new RestoreTargetError(
      'InvalidRequest',
      `${prefix} the folder "${request.folder}" must be one folder directly in the container: Log Replay Service reads one flat folder per database, not nested folders nor the container's root.`,
    );
  }
  if (/backup/i.test(folder)) {
    throw new RestoreTargetError(
      'BackupWordInPath',
      `${prefix} the folder "${folder}" contains "backup". Log Replay Service refuses a container or folder path containing "backup" or "backups"; use a folder named for the database.`,
    );
  }
  const last = request.lastBackupName;
  if (last !== undefined) {
    const within = last.startsWith(`${folder}/`) ? last.slice(folder.length + 1) : last;
    if (within === '' || within.includes('/') || !/\.(bak|log|diff)$/i.test(within)) {
      throw new RestoreTargetError(
        'InvalidRequest',
        `${prefix} lastBackupName "${last}" must name a .bak, .log or .diff file directly in folder ${folder} (the names the upload gives).`,
      );
    }
    // ManagedDatabases_CreateOrUpdate: LastBackupNameHasNewline, LastBackupNameHasNonAsciiCharacter.
    if (/[^\x20-\x7e]/.test(within)) {
      throw new RestoreTargetError(
        'InvalidRequest',
        `${prefix} lastBackupName "${last}" has characters Log Replay Service refuses (only printable ASCII); rename the file.`,
      );
    }
  }
  return { ...request, databaseName, folder };
}

/** The instance exists and is Ready; returns its location and tier. */
export function readyInstance(
  instance: ManagedInstanceResource | null,
  name: string,
): { location: string; tier: string | null } {
  if (!instance) {
    throw new RestoreTargetError(
      'InstanceNotFound',
      `${prefix} managed instance ${name} was not found in the subscription and resource group given. Check their names (az sql mi show -g <group> -n ${name}).`,
    );
  }
  const state = instance.properties?.state ?? 'unknown';
  if (state !== 'Ready') {
    throw new RestoreTargetError(
      'InstanceNotReady',
      `${prefix} managed instance ${name} is ${state}, not Ready; Log Replay Service starts only on a Ready instance. Start it or wait for its operation to end, then try again.`,
    );
  }
  if (!instance.location) {
    throw new RestoreTargetError(
      'AzureRequestFailed',
      `${prefix} Azure described managed instance ${name} without a location; the database cannot be created.`,
    );
  }
  return { location: instance.location, tier: instance.sku?.tier ?? null };
}

/** Refuses a memory-optimized filegroup on General Purpose (by design: it has no In-Memory OLTP). */
export function checkInMemoryOltp(
  files: readonly DatabaseFile[] | undefined,
  tier: string | null,
  databaseName: string,
  instanceName: string,
): void {
  if (!files || tier !== 'GeneralPurpose') return;
  // FILELISTONLY's Type S is a FILESTREAM or memory-optimized container: Managed Instance has no
  // FILESTREAM on any tier, so either way General Purpose cannot restore it.
  const containers = files.filter((f) => f.Type === 'S');
  if (containers.length === 0) return;
  const groups = [
    ...new Set(containers.map((f) => f.FileGroupName ?? `filegroup ${f.FileGroupId}`)),
  ];
  throw new RestoreTargetError(
    'InMemoryOltpNotSupported',
    `${prefix} the backup of ${databaseName} has a memory-optimized filegroup (${groups.join(', ')}: ${containers.map((f) => f.LogicalName).join(', ')}), and managed instance ${instanceName} is General Purpose. This is by design: General Purpose has no In-Memory OLTP, and Log Replay Service fails such a restore (XtpInitializedDuringRestore). Restore to a Business Critical instance, or remove the memory-optimized objects and filegroup from the source database and take a new full backup.`,
  );
}
