/**
 * The SQL Server target's options, compiled once: defaults applied, values checked, frozen. The
 * instance reads the backups either from the storage account (`Url`: `RESTORE … FROM URL` with a
 * credential holding a read-only SAS) or, when it cannot reach the account, from files sqlmig
 * downloads to a folder the instance can read (`Disk`: `RESTORE … FROM DISK`).
 */
import type { SqlConnection } from '../../sql/index.js';
import type { BlobStore } from '../../storage/index.js';
import { RestoreTargetError } from '../target-error.js';

export type SqlServerBackupSource =
  | {
      readonly kind: 'Url';
      /** `https://<account>.blob.core.windows.net/<container>` holding the uploaded folders. */
      readonly containerUrl: string;
      /** Signs the credential's SAS (Read + List); never sent to SQL Server itself. */
      readonly accountKey: string;
      readonly accountName?: string;
      /** Default 33 days (a migration may run a month); 1–365. */
      readonly sasValidityDays?: number;
    }
  | {
      readonly kind: 'Disk';
      /** Where this process writes the downloaded backups (`<folder>/<database>/<file>`). */
      readonly downloadFolder: string;
      /** The same folder as the instance sees it (a share or another mount). Default: downloadFolder. */
      readonly instanceFolder?: string;
    };

export interface SqlServerTargetOptions {
  /** Opens a connection to the instance: `openSqlConnection` from `sql/` (or a test's stand-in). */
  readonly connect: () => Promise<SqlConnection>;
  /** Shown to users, e.g. `SQL Server sqlvm1:1433`. */
  readonly instanceDescription: string;
  /** The store the engine uploads into: the target lists the folder and reads headers through it. */
  readonly store: BlobStore;
  readonly source: SqlServerBackupSource;
  /** How often `details` lists the folder again (a committed blob notice lists at once). Default 10 s. */
  readonly pollIntervalMs?: number;
  /**
   * Restore in the background when `details` is polled or a blob is committed. Default true; tests
   * turn it off and call `advance` themselves, so that the statements sent are deterministic.
   */
  readonly autoAdvance?: boolean;
  readonly clock?: { now(): Date };
}

export interface CompiledSqlServerOptions {
  readonly connect: () => Promise<SqlConnection>;
  readonly instanceDescription: string;
  readonly store: BlobStore;
  readonly source: SqlServerBackupSource;
  readonly containerUrl: string | null;
  readonly sasValidityDays: number;
  readonly pollIntervalMs: number;
  readonly autoAdvance: boolean;
  readonly clock: { now(): Date };
}

export function compileSqlServerOptions(options: SqlServerTargetOptions): CompiledSqlServerOptions {
  const source = options.source;
  let containerUrl: string | null = null;
  if (source.kind === 'Url') {
    let url: URL;
    try {
      url = new URL(source.containerUrl);
    } catch {
      return invalid(`source.containerUrl "${source.containerUrl}" is not a URL`);
    }
    if (url.protocol !== 'https:')
      invalid('source.containerUrl must be https: SQL Server restores from URL over HTTPS only');
    if (url.search !== '')
      invalid('source.containerUrl must not carry a SAS: sqlmig makes its own');
    containerUrl = source.containerUrl.replace(/\/+$/, '');
    // The SAS credential is named after the container URL, and a credential's name is a sysname.
    if (containerUrl.length > 128)
      invalid(
        `source.containerUrl "${containerUrl}" is ${containerUrl.length} characters: SQL Server names the SAS credential for a restore from URL after the container URL, and a credential name is at most 128 characters; use a shorter account or container name`,
      );
  } else if (source.downloadFolder.trim() === '') {
    invalid('source.downloadFolder is empty');
  }
  const compiled: CompiledSqlServerOptions = {
    connect: options.connect,
    instanceDescription: options.instanceDescription,
    store: options.store,
    source,
    containerUrl,
    sasValidityDays: (source.kind === 'Url' ? source.sasValidityDays : undefined) ?? 33,
    pollIntervalMs: options.pollIntervalMs ?? 10_000,
    autoAdvance: options.autoAdvance ?? true,
    clock: options.clock ?? { now: () => new Date() },
  };
  if (!(compiled.sasValidityDays >= 1 && compiled.sasValidityDays <= 365))
    invalid(`sasValidityDays must be 1 to 365, not ${compiled.sasValidityDays}`);
  if (!(compiled.pollIntervalMs >= 0)) invalid('pollIntervalMs must be 0 or more');
  return Object.freeze(compiled);
}

function invalid(message: string): never {
  throw new RestoreTargetError('InvalidRequest', `SQL Server target: ${message}.`);
}
