/**
 * The readable form of `sqlmig backup headers`: one row per backup set, then the files that could not
 * be read with their reason, then a one-line summary.
 */
import { formatLsn, type BackupSet, type FileResult } from '../backup/index.js';

const columns = [
  'File',
  'Pos',
  'Database',
  'Type',
  'FirstLSN',
  'LastLSN',
  'Started',
  'Size',
  'Checksums',
  'Compressed',
  'Complete',
] as const;

export function renderHeaderTable(results: readonly FileResult[]): string {
  const rows: string[][] = [];
  const failures: string[] = [];
  let sets = 0;
  for (const result of results) {
    if ('error' in result) {
      failures.push(`${result.file}: ${result.error.code}: ${result.error.message}`);
      continue;
    }
    for (const set of result.media.sets) {
      sets += 1;
      rows.push(row(result.file, set));
    }
  }
  const lines: string[] = [];
  if (rows.length > 0) lines.push(...table([...columns], rows));
  if (failures.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(
      `Could not read ${failures.length} file${failures.length === 1 ? '' : 's'}:`,
      ...failures.map((f) => `  ${f}`),
    );
  }
  const readable = results.length - failures.length;
  lines.push(
    '',
    `${sets} backup set${sets === 1 ? '' : 's'} in ${readable} file${readable === 1 ? '' : 's'}; ${failures.length} unreadable.`,
  );
  return `${lines.join('\n')}\n`;
}

function row(file: string, set: BackupSet): string[] {
  const h = set.header;
  const orUnknown = (value: string | number | null): string =>
    value === null ? '?' : String(value);
  return [
    file,
    String(h.Position),
    orUnknown(h.DatabaseName),
    orUnknown(h.BackupTypeDescription),
    h.FirstLSN === null ? '?' : formatLsn(h.FirstLSN),
    h.LastLSN === null ? '?' : formatLsn(h.LastLSN),
    orUnknown(h.BackupStartDate),
    humanBytes(set.extent.end - set.extent.start),
    h.HasBackupChecksums === null ? '?' : h.HasBackupChecksums ? 'yes' : 'no',
    h.Compressed ? 'yes' : 'no',
    set.complete ? 'yes' : 'NO',
  ];
}

function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const format = (cells: string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)];
}
