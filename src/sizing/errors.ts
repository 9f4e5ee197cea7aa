/**
 * The sizing module's errors: stable codes, the file and line concerned, the cause kept.
 */
export type SizingErrorCode =
  /** The file is not one of the three perf-data files (its header is not the expected one). */
  | 'ForeignFile'
  /** The file stops in the middle of a line or is empty. */
  | 'TruncatedFile'
  /** A line does not have the file's columns. */
  | 'MalformedLine'
  /** A field that must hold a number or True/False holds something else. */
  | 'MalformedValue'
  /** The file or folder could not be read or written. */
  | 'UnreadableFile'
  /** The folder holds no perf-data files, or none in the chosen window. */
  | 'NoData'
  /** A price file is not in the Azure Retail Prices format. */
  | 'MalformedPrices'
  /** An option is out of range. */
  | 'InvalidOption';

export class SizingError extends Error {
  override readonly name = 'SizingError';
  readonly code: SizingErrorCode;
  /** The file concerned, when there is one. */
  readonly file: string | undefined;
  /** The 1-based line concerned, when there is one. */
  readonly line: number | undefined;

  constructor(
    code: SizingErrorCode,
    message: string,
    where: { file?: string; line?: number; cause?: unknown } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.code = code;
    this.file = where.file;
    this.line = where.line;
  }
}
