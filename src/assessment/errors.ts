/**
 * The assessment's errors: stable codes, the file (or, live, the server or database) concerned, the
 * cause kept.
 */
export type AssessmentErrorCode =
  | 'PathNotFound'
  | 'UnreadableFile'
  | 'MalformedDacpac'
  /** Live: the login lacks a permission the collectors need; the message names the GRANT. */
  | 'PermissionDenied'
  /** Live: a database named in `databases` is not on the instance. */
  | 'DatabaseNotFound'
  /** Live: the instance is older than SQL Server 2008, or its version could not be read. */
  | 'UnsupportedVersion';

export class AssessmentError extends Error {
  override readonly name = 'AssessmentError';
  readonly code: AssessmentErrorCode;
  readonly file: string;

  constructor(
    code: AssessmentErrorCode,
    file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.file = file;
  }
}
