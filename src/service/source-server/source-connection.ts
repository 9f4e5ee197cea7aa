/**
 * From the wizard's connection entries (DMS `sourceSqlConnection`: `dataSource`, authentication,
 * user, password, TLS) to the options of a `SqlConnection`, refusing what the SQL Server module
 * cannot do with a message that says what to give instead.
 */
import type { SourceConnectionInput } from '../../api-contract/index.js';
import type { SqlConnection, SqlConnectionOptions } from '../../sql/index.js';
import { SourceServerError } from './source-server-error.js';

/** Opens a connection to the source instance: tedious in the service, a stand-in in tests. */
export type SourceConnector = (options: SqlConnectionOptions) => Promise<SqlConnection>;

/** How long a wizard's connection attempt may take before it says so. */
const connectTimeoutMs = 15_000;
/** The wizard's queries read catalog views; one that takes longer than this is reported. */
const requestTimeoutMs = 60_000;

export function connectionOptionsOf(input: SourceConnectionInput): SqlConnectionOptions {
  if (input.authentication === 'WindowsAuthentication') {
    throw new SourceServerError(
      'UnsupportedAuthentication',
      'Windows authentication is not available in this build: sqlmig connects to SQL Server with a SQL login only. Use a SQL login that is a member of sysadmin or has CONTROL SERVER.',
    );
  }
  const user = input.userName?.trim() ?? '';
  if (user === '')
    throw new SourceServerError(
      'InvalidConnection',
      'Give the SQL login to connect as (userName).',
    );
  if (input.password === undefined || input.password === '')
    throw new SourceServerError(
      'PasswordRequired',
      `Give the password of ${user}: passwords are never kept by the service, so it is asked for each time.`,
    );
  const { server, port } = parseDataSource(input.dataSource);
  return {
    server,
    ...(port === undefined ? {} : { port }),
    user,
    password: input.password,
    encrypt: input.encryptConnection ?? true,
    trustServerCertificate: input.trustServerCertificate ?? false,
    connectTimeoutMs,
    requestTimeoutMs,
  };
}

/** `host`, `host,port` (SQL Server's own form), `host:port`, or `tcp:` in front of either. */
export function parseDataSource(dataSource: string): { server: string; port?: number } {
  const text = dataSource.trim().replace(/^tcp:/i, '');
  if (text.includes('\\')) {
    throw new SourceServerError(
      'InvalidConnection',
      `"${dataSource}" names an instance (host\\instance); sqlmig does not ask SQL Browser for its port. Give host,port instead (the port is in SQL Server Configuration Manager, TCP/IP properties).`,
    );
  }
  const found = /^([^,:\s]+)(?:[,:](\d{1,5}))?$/.exec(text);
  const server = found?.[1];
  if (!found || server === undefined) {
    throw new SourceServerError(
      'InvalidConnection',
      `"${dataSource}" is not a server name: give host, host,port or host:port.`,
    );
  }
  if (found[2] === undefined) return { server };
  const port = Number(found[2]);
  if (port < 1 || port > 65535)
    throw new SourceServerError('InvalidConnection', `${found[2]} is not a TCP port (1 to 65535).`);
  return { server, port };
}

/** Runs `work` on a new connection and closes it, whatever happens. */
export async function withSourceConnection<T>(
  connect: SourceConnector,
  input: SourceConnectionInput,
  work: (connection: SqlConnection) => Promise<T>,
): Promise<T> {
  const connection = await connect(connectionOptionsOf(input));
  try {
    return await work(connection);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
