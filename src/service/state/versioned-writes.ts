import { StateError } from './errors.js';
import type { RecordTable } from './record-tables.js';
import { integerOf, type SqlSession } from './sql-session.js';
import { StateConflictError } from './state-store.js';

/** The row a child row belongs to: a node's service, a file's or an event's migration. */
export interface Parent {
  readonly table: 'services' | 'migrations';
  readonly column: string;
  readonly value: string;
}

/**
 * Optimistic write of a versioned record: an insert (at version 1) when `expected` is 0, which
 * does nothing when the key exists; else an update of the row only while it is at version
 * `expected`. When no row was written, the version found decides the `StateConflictError`.
 * Resolves to the record as stored, with its new version.
 */
export async function putVersioned<R extends { version: number }>(
  sql: SqlSession,
  table: RecordTable<R>,
  record: Omit<R, 'version'>,
  expected: number,
  parent?: Parent,
): Promise<R> {
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new StateError(
      'InvalidArgument',
      `expectedVersion must be 0 (insert) or the version last read; got ${String(expected)}.`,
    );
  }
  const what = `${table.entity} ${table.describeKey(record)}`;
  // An insert checks its parent first; an update needs no check (its row exists only while its
  // parent does: the foreign keys cascade), and looks for the parent only when it finds no row.
  if (parent !== undefined && expected === 0) await requireParent(sql, parent, what);
  const columns = [...table.columns, 'document'];
  const marks = columns.map((c) => (c === 'document' ? sql.dialect.jsonParam : '?'));
  const keyWhere = table.keyColumns.map((c) => `${c} = ?`).join(' AND ');
  const key = table.key(record);
  let rows;
  try {
    rows =
      expected === 0
        ? await sql.all(
            `INSERT INTO ${table.table} (${[...table.keyColumns, ...columns].join(', ')}, version)
             VALUES (${[...key.map(() => '?'), ...marks].join(', ')}, 1)
             ON CONFLICT DO NOTHING RETURNING *`,
            [...key, ...table.values(record)],
          )
        : await sql.all(
            `UPDATE ${table.table}
             SET ${columns.map((c, i) => `${c} = ${marks[i] ?? '?'}`).join(', ')}, version = version + 1
             WHERE ${keyWhere} AND version = ? RETURNING *`,
            [...table.values(record), ...key, expected],
          );
  } catch (error) {
    // The parent was deleted between the check and the write.
    if (parent !== undefined && sql.dialect.violation(error) === 'foreign-key') {
      throw missingParent(what, parent, error);
    }
    throw error;
  }
  const row = rows[0];
  if (row !== undefined) return table.fromRow(row);
  const current = (await sql.all(`SELECT version FROM ${table.table} WHERE ${keyWhere}`, key))[0];
  if (current === undefined && parent !== undefined) await requireParent(sql, parent, what);
  const actual = current === undefined ? null : integerOf(current, table.table, 'version');
  throw new StateConflictError(table.entity, table.describeKey(record), expected, actual);
}

/**
 * Checked before a child row is written, so a missing parent is reported without a failed
 * statement (which would abort a PostgreSQL transaction); the foreign key still guards races.
 * With `lock`, the parent row stays locked until the transaction ends.
 */
export async function requireParent(
  sql: SqlSession,
  parent: Parent,
  what: string,
  lock = false,
): Promise<void> {
  const forUpdate = lock ? sql.dialect.forUpdate : '';
  const query = `SELECT ${parent.column} FROM ${parent.table} WHERE ${parent.column} = ?${forUpdate}`;
  if ((await sql.all(query, [parent.value])).length === 0) throw missingParent(what, parent);
}

function missingParent(what: string, parent: Parent, cause?: unknown): StateError {
  const owner = parent.table === 'services' ? 'service' : 'migration';
  return new StateError(
    'MissingParent',
    `cannot store ${what}: ${owner} ${parent.value} does not exist (it was never created, or it has been deleted).`,
    { cause },
  );
}
