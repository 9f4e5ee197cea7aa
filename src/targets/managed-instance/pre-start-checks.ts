/**
 * What the Managed Instance target checks before it asks Log Replay Service to start, each refusal
 * saying what was found and what to do: the instance exists and is Ready (`ManagedInstances_Get`);
 * the database name is free (sqlmig never overwrites); the folder obeys Log Replay Service's rules
 * (one flat folder, no "backup" in the path, names within it as `uploadName` gives them:
 * learn.microsoft.com/azure/azure-sql/managed-instance/log-replay-service-migrate, "Limitations");
 * and a FILESTREAM or memory-optimized container is not sent to a General Purpose instance, which has
 * no In-Memory OLTP (resource limits, "Service-tier characteristics"; Log Replay Service would fail the
 * restore with `XtpInitializedDuringRestore`) — nor can any tier restore FILESTREAM.
 */
import { fileKind, fileTypeText, type DatabaseFile } from '../../backup/index.js';
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

/**
 * Refuses a FILESTREAM or memory-optimized container on General Purpose (by design: it has no In-Memory
 * OLTP, and Managed Instance has no FILESTREAM on any tier). A container is a file of type `S`, or one
 * whose type the backup reader could not name (`UnknownTypeCode`): the catalog's codes for `S` are not
 * published, and SQL Server lists no other kind of file but data, log and (SQL Server 2005 only)
 * full-text catalogs, so an unnamed file is read as a container rather than let through as nothing.
 * A named full-text catalog (`F`) is not a container and is not refused here. Returns what it found,
 * for `target check`; on another tier, that a FILESTREAM container would still fail.
 */
export function checkInMemoryOltp(
  files: readonly DatabaseFile[] | undefined,
  tier: string | null,
  databaseName: string,
  instanceName: string,
): string {
  const containers = (files ?? []).filter((f) => {
    const kind = fileKind(f);
    return kind === 'container' || kind === 'unknown';
  });
  if (containers.length === 0) return 'The backup has no FILESTREAM or memory-optimized container.';
  const found = describeContainers(containers);
  const unnamed = containers
    .filter((f) => f.Type === null)
    .map((f) => fileTypeText(f))
    .filter((text, index, all) => all.indexOf(text) === index);
  const reading =
    unnamed.length === 0
      ? ''
      : ` sqlmig's backup reader cannot name ${unnamed.join(', ')} (the codes are not published) and reads ${unnamed.length === 1 ? 'it' : 'them'} as a FILESTREAM or memory-optimized container, the only kind of file besides data and log in a backup from SQL Server 2008 or later.`;
  if (tier !== 'GeneralPurpose') {
    return `The backup has a FILESTREAM or memory-optimized container (${found}), and managed instance ${instanceName} is ${tierName(tier)}.${reading} A memory-optimized filegroup restores on Business Critical, which has In-Memory OLTP; Managed Instance has no FILESTREAM on any tier, so if it is a FILESTREAM filegroup the restore will fail: remove the FILESTREAM data and filegroup from the source database and take a new full backup.`;
  }
  throw new RestoreTargetError(
    'InMemoryOltpNotSupported',
    `${prefix} the backup of ${databaseName} has a FILESTREAM or memory-optimized container (${found}), and managed instance ${instanceName} is General Purpose.${reading} This is by design: General Purpose has no In-Memory OLTP (memory-optimized filegroups need Business Critical), and Managed Instance has no FILESTREAM on any tier, so General Purpose can restore neither; Log Replay Service would fail the restore (XtpInitializedDuringRestore). For a memory-optimized filegroup, restore to a Business Critical instance, or remove the memory-optimized objects and filegroup from the source database and take a new full backup; for FILESTREAM, remove the FILESTREAM data and filegroup from the source database and take a new full backup.`,
  );
}

/** "filegroup Sales_mod: Sales_mod1 (type code 3)", by filegroup. */
function describeContainers(files: readonly DatabaseFile[]): string {
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const group = f.FileGroupName ?? `id ${f.FileGroupId}`;
    const named = `${f.LogicalName} (${fileTypeText(f)})`;
    groups.set(group, [...(groups.get(group) ?? []), named]);
  }
  return [...groups].map(([group, names]) => `filegroup ${group}: ${names.join(', ')}`).join('; ');
}

function tierName(tier: string | null): string {
  if (tier === null) return 'of a tier Azure did not say';
  return tier === 'BusinessCritical' ? 'Business Critical' : tier;
}
