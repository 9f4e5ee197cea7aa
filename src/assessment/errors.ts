/**
 * The assessment's errors: stable codes, the file concerned, the cause kept.
 */
export type AssessmentErrorCode = 'PathNotFound' | 'UnreadableFile' | 'MalformedDacpac';

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
