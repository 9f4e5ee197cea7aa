/**
 * Reading the perf-data files: streamed in batches of records (a week of data for a large instance is
 * gigabytes), or whole. The header must be the file's columns exactly; a line that does not fit, or a
 * file cut off in the middle of a line, fails with the file and line number.
 */
import { createReadStream } from 'node:fs';

import { SizingError } from '../errors.js';
import { AggregatedLineReader } from './aggregated-fast-path.js';
import { endsInsideQuotes, splitQuotedLine } from './csv-fields.js';
import { perfFileLayouts } from './layouts.js';
import { LineFields } from './line-fields.js';
import type { PerfFile, PerfFileKind, PerfFileLayout, PerfRecordOf } from './records.js';

export interface StreamPerfFileOptions {
  /** Records handed over at a time (default 4096). */
  readonly batchSize?: number;
}

const kindNames: Record<PerfFileKind, string> = {
  instance: 'instance-level',
  database: 'database-level',
  aggregated: 'aggregated-counter',
};

/**
 * Reads `file` as a perf-data file of `kind`, handing its records to `onBatch` a batch at a time, in
 * file order. Resolves to the file's layout once the whole file is read.
 */
export async function streamPerfFile<K extends PerfFileKind>(
  kind: K,
  file: string,
  onBatch: (records: PerfRecordOf[K][]) => void,
  options: StreamPerfFileOptions = {},
): Promise<PerfFileLayout> {
  const spec = perfFileLayouts[kind];
  const columns = spec.columns;
  const header = columns.join(',');
  const batchSize = options.batchSize ?? 4096;

  let lineNumber = 0;
  let bom = false as boolean;
  let crlf = false as boolean;
  let seenHeader = false as boolean; // set inside takeLine
  let pending = '' as string; // a quoted field that goes on over line breaks
  let pendingStart = 0;
  let batch: PerfRecordOf[K][] = [];

  const fail = (code: 'MalformedLine' | 'TruncatedFile', line: number, message: string): never => {
    throw new SizingError(code, `${file} line ${line}: ${message}`, { file, line });
  };

  const decodeLine = (line: string, at: number, last: boolean): PerfRecordOf[K] => {
    let values: string[];
    let texts: string[] | undefined;
    if (line.includes('"')) {
      const split = splitQuotedLine(line);
      if (split === undefined)
        return fail(
          'MalformedLine',
          at,
          'a quoted field is not closed before the end of the file.',
        );
      values = split.map((f) => f.value);
      texts = split.map((f) => f.text);
    } else values = line.split(',');
    if (values.length !== columns.length) {
      if (last && values.length < columns.length)
        fail(
          'TruncatedFile',
          at,
          `the file ends in the middle of this line (${values.length} of ${columns.length} fields, no line end): it was cut off, perhaps while a collector was writing. Remove the incomplete last line, or collect again.`,
        );
      fail(
        'MalformedLine',
        at,
        `${values.length} fields where the ${kindNames[kind]} file has ${columns.length} (${header}).`,
      );
    }
    return spec.decode(new LineFields(values, texts, columns, file, at));
  };

  const takeLine = (raw: string, last: boolean): void => {
    lineNumber++;
    let line = raw;
    if (!seenHeader) {
      if (line.charCodeAt(0) === 0xfeff) {
        bom = true;
        line = line.slice(1);
      }
      crlf = line.endsWith('\r');
      if (crlf) line = line.slice(0, -1);
      if (line !== header) {
        const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
        throw new SizingError(
          'ForeignFile',
          `${file} is not a perf-data ${kindNames[kind]} file (…_${spec.fileSuffix}): its first line is "${shown}" where the header "${header}" was expected.`,
          { file, line: 1 },
        );
      }
      seenHeader = true;
      return;
    }
    if (!last || raw.endsWith('\r')) {
      if (crlf !== line.endsWith('\r'))
        fail(
          'MalformedLine',
          lineNumber,
          `the line ends in ${crlf ? 'LF' : 'CR LF'} where the header ends in ${crlf ? 'CR LF' : 'LF'}; mixed line endings are not a file the reference tools write.`,
        );
      if (crlf) line = line.slice(0, -1);
    }
    if (pending !== '' || line.includes('"')) {
      const joined = pending === '' ? line : `${pending}${crlf ? '\r\n' : '\n'}${line}`;
      if (pending === '') pendingStart = lineNumber;
      if (!last && endsInsideQuotes(joined)) {
        pending = joined;
        return;
      }
      pending = '';
      batch.push(decodeLine(joined, pendingStart, last));
    } else {
      if (line === '') fail('MalformedLine', lineNumber, 'the line is empty.');
      batch.push(decodeLine(line, lineNumber, last));
    }
    if (batch.length >= batchSize) {
      onBatch(batch);
      batch = [];
    }
  };

  const fast = kind === 'aggregated' ? new AggregatedLineReader() : undefined;
  // Lines are found in the bytes (a line end is one byte in UTF-8, never inside a character), so a
  // line is decoded only when it goes the general way.
  let carry: Buffer | undefined;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      const bytes = chunk as Buffer;
      let start = 0;
      if (carry !== undefined) {
        const end = bytes.indexOf(10);
        if (end < 0) {
          carry = Buffer.concat([carry, bytes]);
          continue;
        }
        takeLine(Buffer.concat([carry, bytes.subarray(0, end)]).toString('utf8'), false);
        carry = undefined;
        start = end + 1;
      }
      for (let end = bytes.indexOf(10, start); end >= 0; end = bytes.indexOf(10, start)) {
        // The usual aggregated line is read in place; anything else goes through takeLine.
        let record: PerfRecordOf['aggregated'] | undefined;
        if (fast !== undefined && seenHeader && pending === '') {
          const lineEnd = !crlf ? end : end > start && bytes[end - 1] === 13 ? end - 1 : -1;
          if (lineEnd > start) record = fast.read(bytes, start, lineEnd);
        }
        if (record === undefined) takeLine(bytes.toString('utf8', start, end), false);
        else {
          lineNumber++;
          batch.push(record as PerfRecordOf[K]);
          if (batch.length >= batchSize) {
            onBatch(batch);
            batch = [];
          }
        }
        start = end + 1;
      }
      if (start < bytes.length) carry = bytes.subarray(start);
    }
  } catch (error) {
    throw unreadableFile(file, error);
  }
  const rest = carry?.toString('utf8') ?? '';
  const finalNewline = rest === '';
  if (!finalNewline) takeLine(rest, true);
  if (!seenHeader)
    throw new SizingError(
      'TruncatedFile',
      `${file} is empty where a perf-data ${kindNames[kind]} file starts with the header "${header}".`,
      { file, line: 1 },
    );
  if (pending !== '')
    fail('TruncatedFile', pendingStart, 'a quoted field is not closed before the end of the file.');
  if (batch.length > 0) onBatch(batch);
  return { bom, lineEnding: crlf ? '\r\n' : '\n', finalNewline };
}

/** Reads a whole perf-data file into memory (small files; stream big ones with `streamPerfFile`). */
export async function readPerfFile<K extends PerfFileKind>(
  kind: K,
  file: string,
): Promise<PerfFile<K>> {
  const records: PerfRecordOf[K][] = [];
  const layout = await streamPerfFile(kind, file, (batch) => {
    for (const record of batch) records.push(record);
  });
  return { kind, layout, records };
}

/** A failure to read a perf-data file as the `SizingError` that says so (one passes through). */
export function unreadableFile(file: string, error: unknown): SizingError {
  if (error instanceof SizingError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new SizingError(
    'UnreadableFile',
    code === 'ENOENT'
      ? `${file} does not exist.`
      : `${file} could not be read: ${(error as Error).message}`,
    { file, cause: error },
  );
}
