/**
 * Sends one of the collector's statements and turns a failure into a `CollectError`: a refused
 * permission (SQL Server's 297, 300 or 229) becomes `PermissionDenied` with the GRANT that fixes it,
 * anything else `SourceFailed` naming the query; the `SqlError` stays the cause.
 */
import { isSqlError, quoteName, type SqlConnection, type SqlRow } from '../../sql/index.js';
import { CollectError } from './collect-error.js';

/** SQL Server's numbers for a permission the login lacks. */
const permissionNumbers = [297, 300, 229];

export async function runQuery(
  connection: SqlConnection,
  id: string,
  sql: string,
  login: string,
): Promise<SqlRow[]> {
  try {
    return await connection.query(sql);
  } catch (error) {
    if (isSqlError(error) && permissionNumbers.some((n) => error.has(n)))
      throw permissionDenied(connection, login, 'VIEW SERVER STATE', error.message, error);
    const message = error instanceof Error ? error.message : String(error);
    throw new CollectError(
      'SourceFailed',
      `Reading ${id} from ${connection.description} failed: ${message}`,
      { cause: error },
    );
  }
}

/** The login lacks `permission`: what was refused and the statement an administrator runs. */
export function permissionDenied(
  connection: SqlConnection,
  login: string,
  permission: string,
  detail: string,
  cause?: unknown,
): CollectError {
  const grant = login
    ? `GRANT ${permission} TO ${quoteName(login)};`
    : `GRANT ${permission} TO <login>;`;
  return new CollectError(
    'PermissionDenied',
    `The login ${login ? `"${login}" ` : ''}on ${connection.description} lacks ${permission}, which performance collection needs to read the server's DMVs (${detail}). Ask an administrator to run, in master: ${grant} (or use a login that is a member of sysadmin).`,
    cause === undefined ? {} : { cause },
  );
}
