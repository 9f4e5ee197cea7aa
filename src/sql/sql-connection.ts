/**
 * The port through which sqlmig talks to SQL Server: a connection that runs one statement at a time
 * with bound parameters, and the types of values and rows that cross it. The tedious adapter
 * (`tedious-connection.ts`) is the one implementation in `src/`; tests use a scripted stand-in.
 */

/** A value bound to a parameter (`@name` in the statement); never spliced into the text. */
export type SqlValue = string | number | bigint | boolean | Date | Uint8Array | null;

/** Parameters by name, without the `@` (`{ name: 'Sales' }` binds `@name`). */
export type SqlParams = Readonly<Record<string, SqlValue>>;

/** One result row, by column name (an unnamed column is `column<n>`, from 1). */
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlConnection {
  /** Where it is connected, for messages: `host:port` and the user; never a password. */
  readonly description: string;
  /** Runs a statement and returns the rows of its result sets, in order. */
  query<T extends SqlRow = SqlRow>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Runs a statement whose rows, if any, are not needed. */
  execute(sql: string, params?: SqlParams): Promise<void>;
  /** Closes the connection; no error when it is closed already. */
  close(): Promise<void>;
}

/** Parameter names sqlmig binds: a letter or `_`, then letters, digits and `_`. */
export const parameterNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
