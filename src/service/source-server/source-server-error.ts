/** Why the wizard's look at the source instance was refused before any SQL was sent. */
export type SourceServerErrorCode =
  /** The connection entries cannot be used (server name, port, missing user). */
  | 'InvalidConnection'
  /** The password was not given (it is never stored, so it is asked each time). */
  | 'PasswordRequired'
  /** Windows authentication: the SQL Server module speaks SQL logins only. */
  | 'UnsupportedAuthentication'
  /** A performance collection already writes into that folder. */
  | 'CollectionRunning';

export class SourceServerError extends Error {
  override readonly name = 'SourceServerError';
  constructor(
    readonly code: SourceServerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
