/**
 * The wizard's first page: can sqlmig connect to the source instance, is it a version it migrates,
 * and may the login read what the assessment and the performance collection need (a member of
 * `sysadmin`, or `CONTROL SERVER`)? Each check says what it found or what to do; a failed connection
 * is a finding, not an error. Entries that cannot be used are refused (`SourceServerError`).
 */
import type { SourceCheckResponse, SourceConnectionInput } from '../../api-contract/index.js';
import { isSqlError, type SqlConnection } from '../../sql/index.js';
import { connectionOptionsOf, type SourceConnector } from './source-connection.js';

/** SERVERPROPERTY and the login's server-wide rights, in one round trip. */
export const CHECK_SQL = `SELECT
  CAST(SERVERPROPERTY('ServerName') AS nvarchar(256)) AS serverName,
  CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS productVersion,
  CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition,
  SUSER_SNAME() AS loginName,
  IS_SRVROLEMEMBER('sysadmin') AS isSysadmin,
  HAS_PERMS_BY_NAME(NULL, NULL, 'CONTROL SERVER') AS hasControlServer`;

/** SQL Server 2008 (10.0) is the oldest release sqlmig migrates. */
const oldestMajorVersion = 10;

type Check = SourceCheckResponse['checks'][number];

export async function checkSource(
  connect: SourceConnector,
  input: SourceConnectionInput,
): Promise<SourceCheckResponse> {
  const options = connectionOptionsOf(input);
  let connection: SqlConnection;
  try {
    connection = await connect(options);
  } catch (error) {
    return {
      checks: [
        { check: 'connection', status: 'Failed', message: messageOf(error) },
        skipped('version'),
        skipped('permissions'),
      ],
      server: null,
      login: null,
    };
  }
  try {
    const row = (await connection.query(CHECK_SQL))[0] ?? {};
    const server = {
      serverName: text(row['serverName']),
      productVersion: text(row['productVersion']),
      edition: text(row['edition']),
    };
    const login = {
      loginName: text(row['loginName']),
      isSysadmin: Number(row['isSysadmin']) === 1,
      hasControlServer: Number(row['hasControlServer']) === 1,
    };
    return {
      checks: [
        {
          check: 'connection',
          status: 'Succeeded',
          message: `Connected to ${server.serverName} as ${login.loginName}.`,
        },
        versionCheck(server.productVersion, server.edition),
        permissionCheck(login),
      ],
      server,
      login,
    };
  } catch (error) {
    return {
      checks: [
        {
          check: 'connection',
          status: 'Failed',
          message: `Connected, but reading the server's properties failed: ${messageOf(error)}`,
        },
        skipped('version'),
        skipped('permissions'),
      ],
      server: null,
      login: null,
    };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function versionCheck(productVersion: string, edition: string): Check {
  const major = Number(/^(\d+)\./.exec(productVersion)?.[1] ?? NaN);
  if (!Number.isInteger(major))
    return {
      check: 'version',
      status: 'Failed',
      message: `The server reported version "${productVersion}", which sqlmig cannot read.`,
    };
  if (major < oldestMajorVersion)
    return {
      check: 'version',
      status: 'Failed',
      message: `The server runs version ${productVersion} (${edition}); sqlmig migrates SQL Server 2008 (10.0) and later. Upgrade the source first.`,
    };
  return {
    check: 'version',
    status: 'Succeeded',
    message: `Version ${productVersion}, ${edition}.`,
  };
}

function permissionCheck(login: {
  loginName: string;
  isSysadmin: boolean;
  hasControlServer: boolean;
}): Check {
  if (login.isSysadmin)
    return {
      check: 'permissions',
      status: 'Succeeded',
      message: `${login.loginName} is a member of sysadmin.`,
    };
  if (login.hasControlServer)
    return {
      check: 'permissions',
      status: 'Succeeded',
      message: `${login.loginName} has CONTROL SERVER.`,
    };
  return {
    check: 'permissions',
    status: 'Failed',
    message: `${login.loginName} is not a member of sysadmin and does not have CONTROL SERVER; the assessment and the performance collection read server-wide views and need one of them. Ask an administrator to run GRANT CONTROL SERVER TO [${login.loginName}]; or connect with another login.`,
  };
}

function skipped(check: 'version' | 'permissions'): Check {
  return { check, status: 'Skipped', message: 'Not checked: no connection.' };
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'bigint' ? value.toString() : '';
}

function messageOf(error: unknown): string {
  if (isSqlError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
