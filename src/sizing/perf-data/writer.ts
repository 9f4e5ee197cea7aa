/**
 * Writing the perf-data files: a whole file with a given layout (a file read and written again is the
 * same byte for byte), or records appended to a file, which is created with its header when absent —
 * what a collector does every 10 minutes.
 */
import { appendFile, open, writeFile } from 'node:fs/promises';

import { SizingError } from '../errors.js';
import { perfFileLayouts } from './layouts.js';
import { defaultPerfFileLayout } from './records.js';
import type { PerfFile, PerfFileKind, PerfFileLayout, PerfRecordOf } from './records.js';

/** The lines of `records`, each ended by `lineEnding` (no header). */
export function formatPerfLines<K extends PerfFileKind>(
  kind: K,
  records: readonly PerfRecordOf[K][],
  lineEnding: '\n' | '\r\n' = '\n',
): string {
  const encode = perfFileLayouts[kind].encode;
  let text = '';
  for (const record of records) text += encode(record) + lineEnding;
  return text;
}

/** A whole file's text: header and records in `layout`. */
export function formatPerfFile<K extends PerfFileKind>(
  kind: K,
  records: readonly PerfRecordOf[K][],
  layout: PerfFileLayout = defaultPerfFileLayout,
): string {
  const header = perfFileLayouts[kind].columns.join(',');
  const text = `${layout.bom ? '\ufeff' : ''}${header}${layout.lineEnding}${formatPerfLines(kind, records, layout.lineEnding)}`;
  return layout.finalNewline ? text : text.slice(0, -layout.lineEnding.length);
}

/** Writes (replacing) a whole file as `formatPerfFile` lays it out. */
export async function writePerfFile<K extends PerfFileKind>(
  file: string,
  contents: PerfFile<K>,
): Promise<void> {
  try {
    await writeFile(file, formatPerfFile(contents.kind, contents.records, contents.layout));
  } catch (error) {
    throw unwritable(file, error);
  }
}

/**
 * Appends `records` to `file`, in the file's own line endings. A file that does not exist (or is
 * empty) is created with the header. A file whose header is not this kind's, or whose last line has
 * no line end (cut off), is refused and left as it is.
 */
export async function appendPerfRecords<K extends PerfFileKind>(
  kind: K,
  file: string,
  records: readonly PerfRecordOf[K][],
): Promise<void> {
  const existing = await existingLayout(kind, file);
  try {
    if (existing === undefined) await writeFile(file, formatPerfFile(kind, records));
    else await appendFile(file, formatPerfLines(kind, records, existing.lineEnding));
  } catch (error) {
    throw unwritable(file, error);
  }
}

/** The layout of an existing file, checked for appending; undefined when it is absent or empty. */
async function existingLayout(
  kind: PerfFileKind,
  file: string,
): Promise<Pick<PerfFileLayout, 'lineEnding'> | undefined> {
  const spec = perfFileLayouts[kind];
  const header = spec.columns.join(',');
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unwritable(file, error);
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    const head = Buffer.alloc(Math.min(size, header.length + 8));
    await handle.read(head, 0, head.length, 0);
    let text = head.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const crlf = text.startsWith(`${header}\r\n`);
    if (!crlf && !text.startsWith(`${header}\n`) && text !== header)
      throw new SizingError(
        'ForeignFile',
        `${file} does not start with the header "${header}"; sqlmig appends ${spec.fileSuffix} records only to such a file. Move it away or choose another folder.`,
        { file, line: 1 },
      );
    const tail = Buffer.alloc(1);
    await handle.read(tail, 0, 1, size - 1);
    if (tail[0] !== 0x0a)
      throw new SizingError(
        'TruncatedFile',
        `${file} ends in the middle of a line (no line end): it was cut off, perhaps while a collector was writing. Remove the incomplete last line before collecting into it again.`,
        { file },
      );
    return { lineEnding: crlf ? '\r\n' : '\n' };
  } finally {
    await handle.close();
  }
}

function unwritable(file: string, error: unknown): SizingError {
  return new SizingError(
    'UnreadableFile',
    `${file} could not be written: ${(error as Error).message}`,
    { file, cause: error },
  );
}
