import { StateError } from './errors.js';

/**
 * The little SQL that both state databases share, so the records are read and written by one piece
 * of code (sql-transaction.ts) and the dialects differ only here: placeholders are written `?` (the
 * PostgreSQL session numbers them), JSON parameters use `dialect.jsonParam`, and constraint
 * violations are recognised by `dialect.violation`.
 */
export type SqlValue = string | number | null;
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** The placeholder of a JSON parameter (its value is the JSON text). */
  readonly jsonParam: string;
  /** The JSON column type in DDL. */
  readonly jsonType: string;
  /** Appended to `CREATE TABLE (…)`. */
  readonly tableOptions: string;
  /** Appended to a `SELECT` that must lock its rows against other lockers until the transaction ends. */
  readonly forUpdate: string;
  /** Which constraint a database error violated, if it is a constraint violation. */
  violation(error: unknown): 'unique' | 'foreign-key' | null;
}

/** One transaction's connection. Statements run in call order. */
export interface SqlSession {
  readonly dialect: SqlDialect;
  /** Rows of a `SELECT` or of a statement with `RETURNING`. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  jsonParam: '?',
  jsonType: 'TEXT',
  tableOptions: ' STRICT',
  forUpdate: '', // a BEGIN IMMEDIATE transaction already holds the database's write lock
  violation(error) {
    const code = errorCode(error);
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return 'unique';
    }
    return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ? 'foreign-key' : null;
  },
};

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  jsonParam: '?::jsonb',
  jsonType: 'JSONB',
  tableOptions: '',
  // Serialises lockers of the row without blocking the foreign-key checks of child inserts (KEY SHARE).
  forUpdate: ' FOR NO KEY UPDATE',
  violation(error) {
    const code = errorCode(error);
    if (code === '23505') return 'unique';
    return code === '23503' ? 'foreign-key' : null;
  },
};

// Decoding rows: the columns were written by this code, so a surprise means a damaged or foreign table.

function corrupt(table: string, column: string, expected: string, value: unknown): StateError {
  const found = value === null ? 'null' : typeof value;
  return new StateError(
    'CorruptState',
    `the state table ${table} holds ${found} in column ${column} where sqlmig writes ${expected}; the state database was changed outside sqlmig.`,
  );
}

export function textOf(row: SqlRow, table: string, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(table, column, 'text', value);
  return value;
}

export function integerOf(row: SqlRow, table: string, column: string): number {
  const value = row[column];
  const number = typeof value === 'string' ? Number(value) : value; // PostgreSQL bigint arrives as text
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw corrupt(table, column, 'an integer', value);
  }
  return number;
}

/** A JSON object column: text in SQLite, already parsed from JSONB by `pg`. */
export function objectOf(row: SqlRow, table: string, column: string): Record<string, unknown> {
  const raw = row[column];
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw corrupt(table, column, 'a JSON object', raw);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(table, column, 'a JSON object', value);
  }
  return value as Record<string, unknown>;
}
