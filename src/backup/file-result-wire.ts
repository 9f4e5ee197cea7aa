/**
 * A file's reading result (`FileResult`) as JSON text and back, for the integration runtime that reads
 * headers on one machine and the service that plans restores on another. JSON has no big integers, so
 * every `bigint` (sizes, LSNs) travels as `{"$bigint": "<decimal>"}`; a read error travels as its code,
 * message and offset. Decoding checks the shape it needs and says what is wrong with anything else:
 * the text comes over the network.
 */
import { BackupReadError, type BackupErrorCode } from './errors.js';
import type { FileResult } from './scan-files.js';

const errorCodes: ReadonlySet<string> = new Set<BackupErrorCode>([
  'NotABackup',
  'EmptyFile',
  'Truncated',
  'CorruptDescriptor',
  'Encrypted',
  'UnsupportedCompression',
  'UnsupportedFormat',
  'ReadFailed',
]);

export function fileResultToWire(result: FileResult): string {
  if ('error' in result) {
    const { code, message, offset } = result.error;
    return JSON.stringify({ file: result.file, error: { code, message, offset } });
  }
  return JSON.stringify(result, (_key, value: unknown) =>
    typeof value === 'bigint' ? { $bigint: value.toString() } : value,
  );
}

export function fileResultFromWire(text: string): FileResult {
  let value: unknown;
  try {
    value = JSON.parse(text, (_key, item: unknown) => {
      if (isRecord(item) && typeof item['$bigint'] === 'string' && Object.keys(item).length === 1) {
        if (!/^-?\d+$/.test(item['$bigint']))
          throw new Error(`${item['$bigint']} is not an integer`);
        return BigInt(item['$bigint']);
      }
      return item;
    }) as unknown;
  } catch (error) {
    throw invalid(`it is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(value) || typeof value['file'] !== 'string') throw invalid('it names no file');
  const file = value['file'];
  const error = value['error'];
  if (error !== undefined) {
    if (!isRecord(error) || typeof error['code'] !== 'string' || !errorCodes.has(error['code']))
      throw invalid(`its error for ${file} has no known code`);
    const offset = typeof error['offset'] === 'number' ? error['offset'] : null;
    const message = typeof error['message'] === 'string' ? error['message'] : 'no message given';
    return {
      file,
      error: new BackupReadError(error['code'] as BackupErrorCode, message, { offset }),
    };
  }
  const media = value['media'];
  if (!isRecord(media) || !isRecord(media['label']) || !Array.isArray(media['sets']))
    throw invalid(`its result for ${file} has neither media (label and sets) nor an error`);
  if (typeof value['bytesRead'] !== 'number')
    throw invalid(`its result for ${file} has no bytesRead`);
  return value as unknown as FileResult;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(why: string): Error {
  return new TypeError(
    `A backup file's headers as sent by the integration runtime are not usable: ${why}.`,
  );
}
