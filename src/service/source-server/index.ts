/**
 * The migration wizard's look at the source instance, through `sql/`: the connection entries checked
 * and turned into connection options, the connection and permission check, the databases. The public
 * face of `service/source-server/`.
 */
export { checkSource } from './source-check.js';
export { listSourceDatabases } from './source-databases.js';
export { connectionOptionsOf, parseDataSource, withSourceConnection } from './source-connection.js';
export type { SourceConnector } from './source-connection.js';
export { SourceServerError } from './source-server-error.js';
export type { SourceServerErrorCode } from './source-server-error.js';
