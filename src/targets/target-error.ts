/**
 * Why a restore target refuses a call. Codes are stable: the engine and the API carry them. Where Log
 * Replay Service has a name for the same refusal (its `ManagedDatabaseRestoreDetails` error list,
 * api-version 2022-05-01-preview and 2023-08-01), the code is that name.
 */
export type RestoreTargetErrorCode =
  /** The request itself is malformed (empty database name, a file name with a folder in it, …). */
  | 'InvalidRequest'
  /** A database of that name exists on the target: sqlmig never overwrites one. */
  | 'DatabaseExists'
  /** A restore of that database is already running on the target. */
  | 'RestoreAlreadyRunning'
  /** The folder path contains "backup" (or "backups"), which Log Replay Service refuses. */
  | 'BackupWordInPath'
  /** No restore of that database is known (Log Replay Service: restore details not available). */
  | 'RestoreDetailsNotAvailableOrExpired'
  /** The database is not being restored any more (completed, failed or stopped). */
  | 'ManagedDatabaseNotInRestoringState'
  /** Cutover asked before any backup set started restoring. */
  | 'ExternalBackupRestoreHasNotBeenStarted'
  /** Cutover asked a second time. */
  | 'ExternalBackupAlreadySignaledToComplete'
  /** Cutover at a file restored earlier than the last restored one: the restore is already past it. */
  | 'RequiredBackupIsNotLastRestored'
  /** Cutover at a file the restore cannot reach (absent, skipped, unrestorable, behind a gap). */
  | 'BackupNotInRestoreChain'
  /** The blob store failed (listing the folder); trying again later may succeed. */
  | 'BlobStorageFailure'
  /** `resume` could not find, in the folder, the restore it was told had reached a file. */
  | 'ResumeStateMismatch'
  /** The target was closed. */
  | 'TargetClosed'
  /** The credential could not get a token, or Azure refused it (401): which identity, and why. */
  | 'AuthenticationFailed'
  /** Azure refused the identity an action (403): the message names the action and the role. */
  | 'AuthorizationFailed'
  /** The Managed Instance (or its resource group or subscription) was not found. */
  | 'InstanceNotFound'
  /** The Managed Instance exists but is not Ready (starting, stopped, being updated, …). */
  | 'InstanceNotReady'
  /**
   * The backup has a memory-optimized (In-Memory OLTP) filegroup and the instance is General
   * Purpose, which has no In-Memory OLTP (Log Replay Service: `XtpInitializedDuringRestore`).
   */
  | 'InMemoryOltpNotSupported'
  /**
   * SQL Server target: the backup is TDE-protected or encrypted with a certificate that is not in
   * the instance's master database (the message names its thumbprint).
   */
  | 'CertificateMissing'
  /** Azure answered a request with an error not named above (its code and message are quoted). */
  | 'AzureRequestFailed'
  /** A long-running Azure operation ended Failed or Canceled, or did not end in time. */
  | 'AzureOperationFailed';

export class RestoreTargetError extends Error {
  override readonly name = 'RestoreTargetError';
  readonly code: RestoreTargetErrorCode;

  constructor(code: RestoreTargetErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export function isRestoreTargetError(error: unknown): error is RestoreTargetError {
  return error instanceof RestoreTargetError;
}
