/**
 * The first thing the collector asks a source: its version, names and the login's permissions, then
 * its CPUs and memory. Collection stops here, with the GRANT to run, when the login lacks VIEW SERVER
 * STATE (the DMVs) or VIEW ANY DEFINITION (`sys.master_files` shows other databases' files only with
 * it), and when the source is older than SQL Server 2008.
 */
import type { SqlConnection } from '../../sql/index.js';
import { requiredDmvQuery, dmvQueries } from './dmv-queries.js';
import { numberIn, onlyRow, optionalTextIn, textIn } from './row-values.js';
import { permissionDenied, runQuery } from './run-query.js';
import { parseSqlServerVersion, type SqlServerVersion } from './server-version.js';

export interface SourceFacts {
  readonly version: SqlServerVersion;
  /** `SERVERPROPERTY('ServerName')`: `HOST` or `HOST\INSTANCE`; the files' ServerName column. */
  readonly serverName: string;
  /** `HOST,INSTANCE` (`MSSQLSERVER` for a default instance): the files' name prefix, as the reference names them. */
  readonly filePrefix: string;
  readonly loginName: string;
  readonly logicalCpuCount: number;
  /** Visible online schedulers: the logical CPUs SQL Server uses (fewer under an affinity mask or an edition's limit). */
  readonly coresUsed: number;
  readonly hyperthreadRatio: number;
  readonly physicalMemoryMb: number;
  /** When the instance started (source's local time), to notice a restart. */
  readonly sqlStartTime: string;
}

export async function readSourceFacts(connection: SqlConnection): Promise<SourceFacts> {
  const factsSql = dmvQueries.find((q) => q.id === 'sourceFacts')?.sql ?? '';
  const facts = onlyRow(await runQuery(connection, 'sourceFacts', factsSql, ''), 'sourceFacts');
  const loginName = optionalTextIn(facts, 'loginName', 'sourceFacts') ?? '';
  const version = parseSqlServerVersion(facts.productVersion, connection.description);
  for (const [column, permission, detail] of [
    [
      'viewServerState',
      'VIEW SERVER STATE',
      'sys.dm_os_*, sys.dm_io_virtual_file_stats, sys.dm_exec_query_stats',
    ],
    [
      'viewAnyDefinition',
      'VIEW ANY DEFINITION',
      "sys.master_files lists other databases' files only with it",
    ],
  ] as const) {
    if (numberIn(facts, column, 'sourceFacts') !== 1)
      throw permissionDenied(connection, loginName, permission, detail);
  }
  const serverName = textIn(facts, 'serverName', 'sourceFacts');
  const machineName = optionalTextIn(facts, 'machineName', 'sourceFacts') ?? serverName;
  const instanceName = optionalTextIn(facts, 'instanceName', 'sourceFacts') ?? 'MSSQLSERVER';
  const sysInfo = requiredDmvQuery('sysInfo', version);
  const info = onlyRow(await runQuery(connection, 'sysInfo', sysInfo.sql, loginName), 'sysInfo');
  return {
    version,
    serverName,
    filePrefix: `${machineName},${instanceName}`,
    loginName,
    logicalCpuCount: numberIn(info, 'logicalCpuCount', 'sysInfo'),
    coresUsed: numberIn(info, 'coresUsed', 'sysInfo'),
    hyperthreadRatio: numberIn(info, 'hyperthreadRatio', 'sysInfo'),
    physicalMemoryMb: numberIn(info, 'physicalMemoryMb', 'sysInfo'),
    sqlStartTime: textIn(info, 'sqlStartTime', 'sysInfo'),
  };
}
