/**
 * Why the state store (or the secret box beside it) refused or failed. Codes are stable: the API and
 * the CLI map them to responses and exit codes. Messages state the fact, the reason and the fix, for
 * the operator running sqlmig. Version conflicts are `StateConflictError` (state-store.ts) instead,
 * because callers retry those rather than report them.
 */
export type StateErrorCode =
  /** The state database holds schema steps this sqlmig does not know: a newer sqlmig wrote it. */
  | 'SchemaTooNew'
  /** `SQLMIG_DATABASE_URL` is empty, unparseable or not a PostgreSQL URL. */
  | 'InvalidDatabaseUrl'
  /** The state database cannot be opened or reached (file permissions, network, credentials). */
  | 'Unavailable'
  /** SQLite: another process held the write lock for longer than the busy timeout. */
  | 'Busy'
  /** Another migration of the same service already targets that database name. */
  | 'DuplicateTargetDatabase'
  /** A node names a service, or a file or event a migration, that does not exist. */
  | 'MissingParent'
  /** A `StateTransaction` was used after its transaction committed or rolled back. */
  | 'TransactionEnded'
  /** PostgreSQL: a statement failed inside the transaction, which was rolled back as a whole. */
  | 'TransactionAborted'
  /** `transaction()` was called inside a transaction of the same store. */
  | 'NestedTransaction'
  /** The store was closed. */
  | 'StoreClosed'
  /** A caller passed a value the store cannot accept (negative version, …): a programming error. */
  | 'InvalidArgument'
  /** A stored row does not have the shape this sqlmig wrote. */
  | 'CorruptState'
  /** The secret key (file or `SQLMIG_SECRET_KEY`) is missing, malformed or exposed. */
  | 'InvalidSecretKey'
  /** A sealed secret failed authentication: another key, or the value was altered. */
  | 'SecretKeyMismatch'
  /** A value that should be a sealed secret does not have the `v1:<iv>:<tag>:<data>` shape. */
  | 'InvalidSealedSecret';

export class StateError extends Error {
  override readonly name = 'StateError';
  readonly code: StateErrorCode;

  constructor(code: StateErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export function isStateError(error: unknown, code?: StateErrorCode): error is StateError {
  return error instanceof StateError && (code === undefined || error.code === code);
}

/** The message of an unknown thrown value, for wrapping it in a message of our own. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
