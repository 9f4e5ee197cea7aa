/**
 * The contract between the migration service and its integration runtime nodes: what each kind of job
 * asks (its input) and answers (its result), as JSON. Both sides check what they receive with the
 * functions here, so a node of another version, or a damaged message, is refused with the field named
 * rather than half understood.
 *
 *   list     the files of a backup location          → { files: [{ name, size, modifiedAt }] }
 *   headers  one file's backup headers                → { wire }  (backup/file-result-wire.ts)
 *   upload   one file into the upload storage as a blob → { dataRead, dataWritten, durationMs, contentMd5 }
 *   testConnection  each hop from the node: the backup location, the upload storage → { nodeName, checks }
 */

/** Where a job's backups are: a folder on the node's machine, or an SMB share with its login. */
export interface BackupLocation {
  /** A local or mounted folder, or `\\host\share\path`. */
  readonly path: string;
  readonly username?: string;
  /** Sent only to the node that leases the job; never stored or printed by the node. */
  readonly password?: string;
}

/** The storage the node uploads into (the same one the service's restore target reads). */
export type UploadStorage =
  /** A folder both the service and the node reach (the embedded service's blob folder). */
  | { readonly kind: 'localFolder'; readonly path: string }
  /** An Azure Blob container, through a SAS limited to what uploads need. */
  | {
      readonly kind: 'azureBlob';
      readonly accountUrl: string;
      readonly containerName: string;
      readonly sasToken: string;
    };

export interface ListInput {
  readonly location: BackupLocation;
  /** Only these names are sized and returned (the files the engine still asks about), when given. */
  readonly names?: readonly string[];
}
export interface ListResult {
  readonly files: readonly {
    readonly name: string;
    readonly size: number;
    readonly modifiedAt: string;
  }[];
}

export interface HeadersInput {
  readonly location: BackupLocation;
  readonly name: string;
}
export interface HeadersResult {
  readonly wire: string;
}

export interface UploadInput {
  readonly location: BackupLocation;
  readonly name: string;
  readonly storage: UploadStorage;
  readonly blobName: string;
  readonly firstAttempt: boolean;
}
export interface UploadResult {
  readonly dataRead: number;
  readonly dataWritten: number;
  readonly durationMs: number;
  readonly contentMd5: string;
}

/** What a node reports while it uploads (also its lease renewal). */
export interface UploadProgressReport {
  readonly dataRead: number;
  readonly dataWritten: number;
}

export interface TestConnectionInput {
  readonly location: BackupLocation;
  readonly storage: UploadStorage;
}

/** One hop checked from the node: what was tried, whether it worked, and what to do if not. */
export interface ConnectionCheck {
  readonly hop: 'backupLocation' | 'uploadStorage' | 'sourceSqlServer';
  readonly status: 'Succeeded' | 'Failed' | 'Skipped';
  readonly message: string;
  readonly durationMs: number;
}
export interface TestConnectionResult {
  readonly nodeName: string;
  readonly checks: readonly ConnectionCheck[];
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export function checkListInput(value: unknown): ListInput {
  const input = record(value, 'list job');
  const names = input['names'];
  if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string')))
    throw new ProtocolError('The list job\'s "names" is not a list of names.');
  return {
    location: checkLocation(input['location']),
    ...(names ? { names } : {}),
  };
}

export function checkHeadersInput(value: unknown): HeadersInput {
  const input = record(value, 'headers job');
  return { location: checkLocation(input['location']), name: text(input, 'name', 'headers job') };
}

export function checkUploadInput(value: unknown): UploadInput {
  const input = record(value, 'upload job');
  const checked = checkStorage(input['storage']);
  if (typeof input['firstAttempt'] !== 'boolean')
    throw new ProtocolError('The upload job has no "firstAttempt".');
  return {
    location: checkLocation(input['location']),
    name: text(input, 'name', 'upload job'),
    storage: checked,
    blobName: text(input, 'blobName', 'upload job'),
    firstAttempt: input['firstAttempt'],
  };
}

export function checkTestConnectionInput(value: unknown): TestConnectionInput {
  const input = record(value, 'test connection job');
  return {
    location: checkLocation(input['location']),
    storage: checkStorage(input['storage']),
  };
}

export function checkTestConnectionResult(value: unknown): TestConnectionResult {
  const result = record(value, 'test connection result');
  const checks = result['checks'];
  if (!Array.isArray(checks))
    throw new ProtocolError('The test connection result has no "checks".');
  const hops = new Set(['backupLocation', 'uploadStorage', 'sourceSqlServer']);
  const statuses = new Set(['Succeeded', 'Failed', 'Skipped']);
  return {
    nodeName: text(result, 'nodeName', 'test connection result'),
    checks: checks.map((c: unknown) => {
      const check = record(c, 'connection check');
      const hop = text(check, 'hop', 'connection check');
      const status = text(check, 'status', 'connection check');
      if (!hops.has(hop) || !statuses.has(status))
        throw new ProtocolError(`The connection check ${hop}/${status} is not one sqlmig knows.`);
      return {
        hop: hop as ConnectionCheck['hop'],
        status: status as ConnectionCheck['status'],
        message: text(check, 'message', 'connection check'),
        durationMs: count(check, 'durationMs', 'connection check'),
      };
    }),
  };
}

export function checkListResult(value: unknown): ListResult {
  const files = record(value, 'list result')['files'];
  if (!Array.isArray(files)) throw new ProtocolError('The list result has no "files".');
  return {
    files: files.map((f: unknown) => {
      const file = record(f, 'listed file');
      return {
        name: text(file, 'name', 'listed file'),
        size: count(file, 'size', 'listed file'),
        modifiedAt: text(file, 'modifiedAt', 'listed file'),
      };
    }),
  };
}

export function checkHeadersResult(value: unknown): HeadersResult {
  return { wire: text(record(value, 'headers result'), 'wire', 'headers result') };
}

export function checkUploadResult(value: unknown): UploadResult {
  const result = record(value, 'upload result');
  return {
    dataRead: count(result, 'dataRead', 'upload result'),
    dataWritten: count(result, 'dataWritten', 'upload result'),
    durationMs: count(result, 'durationMs', 'upload result'),
    contentMd5: text(result, 'contentMd5', 'upload result'),
  };
}

export function checkProgress(value: unknown): UploadProgressReport {
  const report = record(value, 'progress report');
  return {
    dataRead: count(report, 'dataRead', 'progress report'),
    dataWritten: count(report, 'dataWritten', 'progress report'),
  };
}

function checkStorage(value: unknown): UploadStorage {
  const storage = record(value, 'upload storage');
  if (storage['kind'] === 'localFolder')
    return { kind: 'localFolder', path: text(storage, 'path', 'upload storage') };
  if (storage['kind'] === 'azureBlob')
    return {
      kind: 'azureBlob',
      accountUrl: text(storage, 'accountUrl', 'upload storage'),
      containerName: text(storage, 'containerName', 'upload storage'),
      sasToken: text(storage, 'sasToken', 'upload storage'),
    };
  throw new ProtocolError(`The upload storage kind ${String(storage['kind'])} is unknown.`);
}

function checkLocation(value: unknown): BackupLocation {
  const location = record(value, 'backup location');
  const username = location['username'];
  const password = location['password'];
  if (username !== undefined && typeof username !== 'string')
    throw new ProtocolError('The backup location\'s "username" is not text.');
  if (password !== undefined && typeof password !== 'string')
    throw new ProtocolError('The backup location\'s "password" is not text.');
  return {
    path: text(location, 'path', 'backup location'),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtocolError(`The ${what} is not a JSON object.`);
  return value as Record<string, unknown>;
}

function text(value: Record<string, unknown>, key: string, what: string): string {
  const found = value[key];
  if (typeof found !== 'string' || found === '')
    throw new ProtocolError(`The ${what} has no "${key}" (text).`);
  return found;
}

function count(value: Record<string, unknown>, key: string, what: string): number {
  const found = value[key];
  if (typeof found !== 'number' || !Number.isFinite(found) || found < 0)
    throw new ProtocolError(`The ${what} has no "${key}" (a number, 0 or more).`);
  return found;
}
