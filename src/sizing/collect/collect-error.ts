/**
 * Why performance collection could not start or had to end: stable codes, the source concerned (never
 * a password), the cause kept. A `SqlError` from the connection is kept as the cause.
 */
export type CollectErrorCode =
  /** The login lacks a permission the DMVs need (VIEW SERVER STATE, VIEW ANY DEFINITION). */
  | 'PermissionDenied'
  /** The source is older than SQL Server 2008, or said a version sqlmig cannot read. */
  | 'UnsupportedVersion'
  /** A DMV query failed, or answered rows without a column it needs. */
  | 'SourceFailed'
  /** An option is out of range (intervals, iterations). */
  | 'InvalidOption'
  /** The collector was asked something its state does not allow (run twice). */
  | 'InvalidState';

export class CollectError extends Error {
  override readonly name = 'CollectError';
  readonly code: CollectErrorCode;

  constructor(code: CollectErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
