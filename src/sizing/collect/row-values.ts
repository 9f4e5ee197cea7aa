/**
 * Values out of DMV rows, checked: tedious gives `bigint` columns as decimal text and `int` ones as
 * numbers, so a number is accepted in either form. A missing or malformed value is a `SourceFailed`
 * error naming the query and the column, never a silent zero.
 */
import type { SqlRow } from '../../sql/index.js';
import { CollectError } from './collect-error.js';

export function numberIn(row: SqlRow, column: string, query: string): number {
  const value = row[column];
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'bigint'
        ? Number(value)
        : typeof value === 'string' && /^-?\d+(?:\.\d+)?$/.test(value.trim())
          ? Number(value)
          : typeof value === 'boolean'
            ? Number(value)
            : NaN;
  if (!Number.isFinite(number))
    throw new CollectError(
      'SourceFailed',
      `The ${query} query answered ${describe(value)} for ${column}, where a number was expected.`,
    );
  return number;
}

/** A number, or null when the column is NULL (a ring buffer with no record yet). */
export function optionalNumberIn(row: SqlRow, column: string, query: string): number | null {
  return row[column] === null || row[column] === undefined ? null : numberIn(row, column, query);
}

export function textIn(row: SqlRow, column: string, query: string): string {
  const value = row[column];
  if (typeof value !== 'string')
    throw new CollectError(
      'SourceFailed',
      `The ${query} query answered ${describe(value)} for ${column}, where text was expected.`,
    );
  return value;
}

/** Text, or the fallback when the column is NULL (`SERVERPROPERTY('InstanceName')` of a default instance). */
export function optionalTextIn(row: SqlRow, column: string, query: string): string | null {
  return row[column] === null || row[column] === undefined ? null : textIn(row, column, query);
}

/** The one row a query answers; a query that answers none is a `SourceFailed` error. */
export function onlyRow(rows: readonly SqlRow[], query: string): SqlRow {
  const row = rows[0];
  if (!row) throw new CollectError('SourceFailed', `The ${query} query answered no row.`);
  return row;
}

function describe(value: unknown): string {
  if (value === undefined) return 'no such column';
  if (value === null) return 'NULL';
  if (value instanceof Date) return `a date (${value.toISOString()})`;
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return `a value of type ${typeof value}`;
}
