/**
 * The reasons a blob store refuses or fails a call. Codes are stable: the engine and the integration
 * runtime decide on them (retry, resume, report), and every blob store implementation (local folder,
 * Azure Blob) uses the same ones. Messages state the fact, the cause and what to do.
 */
export type BlobStoreErrorCode =
  /** The blob name (or list prefix) breaks the naming rules (see `validateBlobName`). */
  | 'InvalidBlobName'
  /** A block id is empty, too long or not valid Unicode. */
  | 'InvalidBlockId'
  /** Another argument is malformed: a content MD5 that is not base64 MD5, metadata Azure refuses. */
  | 'InvalidArgument'
  /** The blob does not exist (or is not committed yet). */
  | 'BlobNotFound'
  /** A commit names a block id that is not staged for that blob. */
  | 'BlockNotFound'
  /**
   * Bytes do not have the MD5 they should, and nothing was changed: a commit's content is not the
   * MD5 the caller gave (the local folder store checks this; Azure does not, see `commitBlocks`),
   * or a staged block reached Azure damaged (its MD5 is sent with it and checked by the service).
   */
  | 'ContentMismatch'
  /** The name cannot be used beside an existing blob (a local folder cannot hold `a` and `a/b`). */
  | 'NameConflict'
  /**
   * The storage refused the credential (wrong or regenerated account key, expired or forged SAS,
   * a firewall rule), or the credential does not allow the call (a SAS without write permission).
   * Retrying does not help: the configuration must change.
   */
  | 'AuthenticationFailed'
  /** The container the store is configured with does not exist (Azure). */
  | 'ContainerNotFound'
  /** The storage is full or over quota; nothing already stored was lost. */
  | 'StorageFull'
  /** The storage itself failed (I/O error, permission, network); `cause` holds the original error. */
  | 'StorageFailed';

export class BlobStoreError extends Error {
  override readonly name = 'BlobStoreError';
  readonly code: BlobStoreErrorCode;
  /** The blob the error is about, when there is one. */
  readonly blobName: string | null;

  constructor(
    code: BlobStoreErrorCode,
    message: string,
    options: { blobName?: string | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.blobName = options.blobName ?? null;
  }
}

export function isBlobStoreError(error: unknown): error is BlobStoreError {
  return error instanceof BlobStoreError;
}
