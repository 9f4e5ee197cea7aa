/**
 * The one narrow module that talks to SQL Server (through tedious): a connection port with bound
 * parameters, `quoteName` for identifiers that cannot be parameters, and `SqlError` carrying SQL
 * Server's error numbers. The public face of `sql/`.
 */
export type { SqlConnection, SqlParams, SqlRow, SqlValue } from './sql-connection.js';
export { parameterNamePattern } from './sql-connection.js';
export { quoteName, maxIdentifierLength } from './quote-name.js';
export { SqlError, isSqlError, formatServerMessages } from './sql-error.js';
export type { SqlErrorCode, SqlServerMessage } from './sql-error.js';
export { openSqlConnection } from './tedious-connection.js';
export type { SqlConnectionOptions } from './tedious-connection.js';
