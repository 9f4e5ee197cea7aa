/**
 * What the migration service keeps: its resources, as stored. Names follow Azure DMS's resource model
 * (`sqlMigrationServices`, `databaseMigrations`) where the same concept exists. Secrets are never
 * stored in clear: fields typed `SealedSecret` hold ciphertext from `SecretBox`.
 */

/** Ciphertext of a secret (AES-256-GCM, see secret-box.ts): `v1:<iv>:<tag>:<data>`, base64 parts. */
export type SealedSecret = string & { readonly __sealed: unique symbol };

export interface ServiceRecord {
  readonly name: string;
  readonly createdAt: string;
  readonly authKey1: SealedSecret;
  readonly authKey2: SealedSecret;
  /** Bumped by every write; a write naming an older version is refused (optimistic concurrency). */
  readonly version: number;
}

export interface NodeRecord {
  readonly serviceName: string;
  readonly nodeName: string;
  readonly registeredAt: string;
  readonly lastSeenAt: string;
  /** The monitoring data the node last reported (DMS `listMonitoringData` node fields). */
  readonly monitoring: Readonly<Record<string, number | string | null>>;
  /**
   * SHA-256 (hex) of the credential the node was given when it registered with an auth key; the
   * credential itself is never stored. `null` for the embedded service's in-process node.
   */
  readonly credentialHash: string | null;
  readonly version: number;
}

export type MigrationStatus =
  | 'Creating'
  | 'InProgress'
  | 'ReadyForCutover'
  | 'UploadingFullBackup'
  | 'UploadingLogBackup'
  | 'Restoring'
  | 'Completing'
  | 'Canceling'
  | 'Canceled'
  | 'Retriable'
  | 'Failed'
  | 'Succeeded';

export interface MigrationRecord {
  /** sqlmig's id of the migration (also the `migrationOperationId` of its current operation). */
  readonly id: string;
  readonly serviceName: string;
  /** DMS names a database migration by its target database. */
  readonly targetDbName: string;
  readonly kind: 'SqlMi' | 'SqlVm' | 'Rehearsal';
  /** The target (instance resource id, server, or `rehearsal`). */
  readonly scope: string;
  readonly sourceDatabaseName: string;
  readonly migrationOperationId: string;
  readonly migrationStatus: MigrationStatus;
  readonly createdAt: string;
  readonly startedOn: string | null;
  readonly endedOn: string | null;
  readonly migrationFailureError: { readonly code: string; readonly message: string } | null;
  /** The rest of the resource (configuration, engine state) as JSON; secrets inside are sealed. */
  readonly document: Readonly<Record<string, unknown>>;
  readonly version: number;
}

export type FileStatus =
  'Arrived' | 'Uploading' | 'Uploaded' | 'Restoring' | 'Restored' | 'Canceled' | 'Ignored';

export interface FileRecord {
  readonly migrationId: string;
  /** The file's name in the backup folder (relative path with `/`). */
  readonly fileName: string;
  readonly status: FileStatus;
  /** Everything else about the file (sizes, LSNs, reasons, progress) as JSON. */
  readonly document: Readonly<Record<string, unknown>>;
  readonly version: number;
}

export interface EventRecord {
  readonly migrationId: string;
  /** 1, 2, 3, … per migration, in the order the events happened. */
  readonly sequence: number;
  readonly at: string;
  readonly kind: string;
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type MigrationSessionStatus = 'Open' | 'Started';

/**
 * A migration wizard's session, kept by the service so that "Save and close" can resume it later,
 * from any browser. It holds what the user entered, step by step, and never a password or key: the
 * API drops write-only fields before they reach the store, and the wizard asks for them again.
 */
export interface MigrationSessionRecord {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** `Open` while being filled in; `Started` once its migrations were created. */
  readonly status: MigrationSessionStatus;
  /** The step the user was on when it was last saved. */
  readonly step: string;
  /** The entries of each step, as JSON (no secrets). */
  readonly document: Readonly<Record<string, unknown>>;
  readonly version: number;
}
