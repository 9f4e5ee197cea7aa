/**
 * The reasons an SMB share cannot be read. Codes are stable: the engine, the API and the "test
 * connection" check decide on them (retry later, or ask the user to change the configuration).
 * Messages state the fact, the cause and what to do; they never hold the password.
 */
export type SmbShareErrorCode =
  /** The location or an option is malformed (not `\\host\share\path`, a bad port, a bad name). */
  | 'InvalidLocation'
  /** Samba's `smbclient`, which the SMB share source drives, is not installed. */
  | 'SmbClientMissing'
  /** The server refused the user name or password (NT_STATUS_LOGON_FAILURE and its kin). */
  | 'LogonFailure'
  /** Logged on, but the user may not read the share, folder or file (NT_STATUS_ACCESS_DENIED). */
  | 'AccessDenied'
  /** The server has no share of that name (NT_STATUS_BAD_NETWORK_NAME). */
  | 'ShareNotFound'
  /** No SMB server answered at that host and port (refused, unreachable, unknown host). */
  | 'HostUnreachable'
  /** The folder inside the share, or the file asked for, does not exist. */
  | 'PathNotFound'
  /**
   * The file changed while it was read (its size or modification time moved, or fewer or more
   * bytes came than it held): it is read again once it stops changing.
   */
  | 'FileChanged'
  /**
   * Bytes did not hash the same on two paths that must agree: two reads of the same unchanged file,
   * or the spooled copy and what was uploaded from it. Nothing damaged is kept.
   */
  | 'ContentMismatch'
  /** `smbclient` did not finish (or sent nothing) within the time allowed, and was stopped. */
  | 'TimedOut'
  /** The source was closed: its spooled copies are gone. */
  | 'Closed'
  /** `smbclient` failed in another way; the message quotes what it said. */
  | 'SmbClientFailed';

export class SmbShareError extends Error {
  override readonly name = 'SmbShareError';
  readonly code: SmbShareErrorCode;
  /** The NT status `smbclient` reported (`NT_STATUS_LOGON_FAILURE`, …), when there is one. */
  readonly ntStatus: string | null;

  constructor(
    code: SmbShareErrorCode,
    message: string,
    options: { ntStatus?: string | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.ntStatus = options.ntStatus ?? null;
  }
}

export function isSmbShareError(error: unknown): error is SmbShareError {
  return error instanceof SmbShareError;
}
