/**
 * Log Replay Service's `restoreDetails` (`ManagedDatabaseRestoreDetailsResult`, api-version
 * 2023-08-01) as the port's `RestoreDetails`. Two published shapes are read: the spec as first
 * published lists `unrestorableFiles` as strings, the later one as `{name}` objects
 * (`ManagedDatabaseRestoreDetailsUnrestorableFileProperties`), and the file counts and backup sets
 * are absent from the first. Absent numbers read as 0 and absent lists as empty.
 *
 * Log Replay Service names files within the folder (`storageContainerUri` ends with it); the port
 * names blobs `<folder>/<file>`, so the folder is added to every name here. Its backup sets carry no
 * GUID or LSNs: those fields are empty strings.
 */
import type { RestoreDetails, RestoredBackupSet, RestoreStatus } from '../restore-target.js';

type Json = Record<string, unknown>;

const statuses: Readonly<Record<string, RestoreStatus>> = {
  Queued: 'Queued',
  Restoring: 'Restoring',
  Completing: 'Completing',
  Completed: 'Completed',
  Failed: 'Failed',
  Stopped: 'Stopped',
  // Other words the service is documented to use for the same states.
  InProgress: 'Restoring',
  Blocked: 'Restoring',
  Succeeded: 'Completed',
  Canceled: 'Stopped',
  Cancelled: 'Stopped',
};

const setStatuses: readonly RestoredBackupSet['status'][] = [
  'Queued',
  'Restoring',
  'Restored',
  'Skipped',
  'Failed',
];

/** Maps the response body of `GET …/restoreDetails/Default`; `folder` is the database's folder. */
export function mapRestoreDetails(body: unknown, folder: string): RestoreDetails {
  const properties = object(object(body).properties);
  const named = (value: unknown): string | null => {
    const name = text(value);
    return name === null || name === '' ? null : withFolder(folder, name);
  };
  const status = text(properties.status);
  return {
    // An unknown word: still restoring as far as the engine can tell (blockReason says more).
    status: (status !== null ? statuses[status] : undefined) ?? 'Restoring',
    blockReason: nonEmpty(text(properties.blockReason)),
    currentRestoringFileName: named(properties.currentRestoringFileName),
    lastRestoredFileName: named(properties.lastRestoredFileName),
    lastUploadedFileName: named(properties.lastUploadedFileName),
    numberOfFilesDetected: count(properties.numberOfFilesDetected),
    numberOfFilesQueued: count(properties.numberOfFilesQueued),
    numberOfFilesSkipped: count(properties.numberOfFilesSkipped),
    numberOfFilesRestoring: count(properties.numberOfFilesRestoring),
    numberOfFilesRestored: count(properties.numberOfFilesRestored),
    numberOfFilesUnrestorable: count(properties.numberOfFilesUnrestorable),
    percentCompleted: count(properties.percentCompleted),
    fullBackupSets: sets(properties.fullBackupSets, folder),
    diffBackupSets: sets(properties.diffBackupSets, folder),
    logBackupSets: sets(properties.logBackupSets, folder),
    unrestorableFiles: list(properties.unrestorableFiles)
      .map((entry) => (typeof entry === 'string' ? entry : text(object(entry).name)))
      .filter((name): name is string => name !== null && name !== '')
      .map((name) => ({ name: withFolder(folder, name), reason: null })),
  };
}

/** `<folder>/<file>` for a name within the folder (a name already with a folder is kept). */
export function withFolder(folder: string, name: string): string {
  return folder === '' || name.startsWith(`${folder}/`) ? name : `${folder}/${name}`;
}

/** The name within the folder, as Log Replay Service takes it (`lastBackupName`). */
export function withinFolder(folder: string, name: string): string {
  return folder !== '' && name.startsWith(`${folder}/`) ? name.slice(folder.length + 1) : name;
}

function sets(value: unknown, folder: string): RestoredBackupSet[] {
  return list(value).map((entry) => {
    const set = object(entry);
    const status = text(set.status);
    const first = text(set.firstStripeName);
    return {
      status: setStatuses.find((s) => s === status) ?? 'Queued',
      backupSetGUID: '',
      firstStripeName: first === null ? '' : withFolder(folder, first),
      numberOfStripes: count(set.numberOfStripes),
      backupSizeMB: count(set.backupSizeMB),
      firstLSN: '',
      lastLSN: '',
      restoreStartedOn: text(set.restoreStartedTimestampUtc),
      restoreFinishedOn: text(set.restoreFinishedTimestampUtc),
    };
  });
}

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function nonEmpty(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
