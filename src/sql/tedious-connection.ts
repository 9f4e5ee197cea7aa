/**
 * The tedious 19 adapter of the `SqlConnection` port: SQL authentication, TLS as configured, one
 * request at a time (TDS runs one per connection; calls queue), values bound as typed parameters
 * (tedious sends a statement with parameters through `sp_executesql`), server errors turned into
 * `SqlError`s carrying SQL Server's numbers. It cannot be tested on the project's machines (no SQL
 * Server runs there); everything above it is tested against a scripted stand-in.
 */
import { Connection, Request, TYPES, type ConnectionConfiguration } from 'tedious';

import {
  parameterNamePattern,
  type SqlConnection,
  type SqlParams,
  type SqlRow,
  type SqlValue,
} from './sql-connection.js';
import { SqlError, formatServerMessages, type SqlServerMessage } from './sql-error.js';

export interface SqlConnectionOptions {
  /** Host name or address of the SQL Server (no instance name: give the port). */
  readonly server: string;
  /** Default 1433. */
  readonly port?: number;
  /** SQL authentication. Windows (integrated) authentication is not offered. */
  readonly user: string;
  readonly password: string;
  /** Default `master`. */
  readonly database?: string;
  /** TLS for the whole session. Default true. */
  readonly encrypt?: boolean;
  /** Accept a certificate no trusted CA signed (a VM's self-signed one). Default false. */
  readonly trustServerCertificate?: boolean;
  /** Default 15 s. */
  readonly connectTimeoutMs?: number;
  /** Per statement; 0 waits forever (a RESTORE of a large database takes hours). Default 0. */
  readonly requestTimeoutMs?: number;
}

export function openSqlConnection(options: SqlConnectionOptions): Promise<SqlConnection> {
  const port = options.port ?? 1433;
  const where = `${options.server}:${port}`;
  const description = `SQL Server ${where} as ${options.user}`;
  if (!(Number.isInteger(port) && port > 0 && port < 65536))
    return Promise.reject(new SqlError('InvalidStatement', `Port ${port} is not a TCP port.`));
  const config: ConnectionConfiguration = {
    server: options.server,
    authentication: {
      type: 'default',
      options: { userName: options.user, password: options.password },
    },
    options: {
      port,
      database: options.database ?? 'master',
      encrypt: options.encrypt ?? true,
      trustServerCertificate: options.trustServerCertificate ?? false,
      connectTimeout: options.connectTimeoutMs ?? 15_000,
      requestTimeout: options.requestTimeoutMs ?? 0,
      appName: 'sqlmig',
    },
  };
  return new Promise((resolve, reject) => {
    const connection = new Connection(config);
    connection.connect((error) => {
      if (error) {
        reject(connectError(error, where, options.user, options.encrypt ?? true));
        return;
      }
      resolve(new TediousConnection(connection, description));
    });
  });
}

class TediousConnection implements SqlConnection {
  readonly description: string;
  readonly #connection: Connection;
  /** The last queued call: tedious runs one request per connection at a time. */
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  #lost: Error | null = null;

  constructor(connection: Connection, description: string) {
    this.#connection = connection;
    this.description = description;
    connection.on('error', (error: Error) => {
      this.#lost = error;
    });
    connection.on('end', () => {
      this.#closed = true;
    });
  }

  query<T extends SqlRow = SqlRow>(sql: string, params: SqlParams = {}): Promise<T[]> {
    const run = this.#tail.then(
      () => this.#run(sql, params) as Promise<T[]>,
      () => this.#run(sql, params) as Promise<T[]>,
    );
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async execute(sql: string, params: SqlParams = {}): Promise<void> {
    await this.query(sql, params);
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#connection.once('end', () => {
        resolve();
      });
      this.#connection.close();
    });
  }

  #run(sql: string, params: SqlParams): Promise<SqlRow[]> {
    if (this.#closed)
      return Promise.reject(
        new SqlError(
          this.#lost ? 'ConnectionFailed' : 'Closed',
          this.#lost
            ? `The connection to ${this.description} was lost: ${this.#lost.message}`
            : `The connection to ${this.description} is closed.`,
        ),
      );
    return new Promise((resolve, reject) => {
      const rows: SqlRow[] = [];
      const request = new Request(sql, (error) => {
        if (error) reject(requestError(error, this.description));
        else resolve(rows);
      });
      try {
        for (const [name, value] of Object.entries(params)) bind(request, name, value);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      request.on('row', (columns: { value: unknown; metadata: { colName: string } }[]) => {
        const row: Record<string, unknown> = {};
        columns.forEach((column, i) => {
          row[column.metadata.colName || `column${i + 1}`] = column.value;
        });
        rows.push(row);
      });
      this.#connection.execSql(request);
    });
  }
}

function bind(request: Request, name: string, value: SqlValue): void {
  if (!parameterNamePattern.test(name))
    throw new SqlError('InvalidStatement', `"${name}" is not a parameter name sqlmig binds.`);
  if (value === null) request.addParameter(name, TYPES.NVarChar, null);
  else if (typeof value === 'string') request.addParameter(name, TYPES.NVarChar, value);
  else if (typeof value === 'boolean') request.addParameter(name, TYPES.Bit, value);
  else if (typeof value === 'bigint') request.addParameter(name, TYPES.BigInt, value);
  else if (typeof value === 'number')
    request.addParameter(
      name,
      Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1 ? TYPES.Int : TYPES.Float,
      value,
    );
  else if (value instanceof Date) request.addParameter(name, TYPES.DateTime2, value);
  else request.addParameter(name, TYPES.VarBinary, Buffer.from(value));
}

/** A tedious request failure: its RequestError(s) as SQL Server's messages. */
function requestError(error: Error, where: string): SqlError {
  const parts = error instanceof AggregateError ? (error.errors as unknown[]) : [error];
  const messages: SqlServerMessage[] = [];
  for (const part of parts) {
    const e = part as { number?: number; state?: number; class?: number; message?: string };
    if (typeof e.number === 'number')
      messages.push({
        number: e.number,
        state: e.state ?? 0,
        class: e.class ?? 0,
        message: e.message ?? '',
      });
  }
  const code = (error as { code?: string }).code;
  if (messages.length > 0)
    return new SqlError('RequestFailed', `${where}: ${formatServerMessages(messages)}`, {
      messages,
      cause: error,
    });
  if (code === 'ETIMEOUT')
    return new SqlError('Timeout', `${where}: the statement timed out.`, { cause: error });
  return new SqlError('ConnectionFailed', `${where}: ${error.message}`, { cause: error });
}

/** A failed connect: what to check, never the password. */
function connectError(error: Error, where: string, user: string, encrypt: boolean): SqlError {
  const code = (error as { code?: string }).code;
  if (code === 'ELOGIN')
    return new SqlError(
      'LoginFailed',
      `SQL Server ${where} refused the login of "${user}" (${error.message}). Check the user name and password, that the server accepts SQL Server authentication (mixed mode), and that the login is enabled and may connect to master.`,
      { cause: error },
    );
  if (code === 'ETIMEOUT')
    return new SqlError(
      'Timeout',
      `No answer from SQL Server ${where} in time. Check the host and port, that TCP/IP is enabled on the instance, and that a firewall or network security group lets this host through.`,
      { cause: error },
    );
  const tls = /certificate|self[- ]signed|TLS|SSL/i.test(error.message)
    ? encrypt
      ? ' The server certificate is not trusted: install a trusted one, or set trustServerCertificate for a VM with a self-signed certificate.'
      : ''
    : ' Check the host name, the port, and that SQL Server is running and listening on TCP.';
  return new SqlError(
    'ConnectionFailed',
    `Cannot connect to SQL Server ${where}: ${error.message}.${tls}`,
    {
      cause: error,
    },
  );
}
