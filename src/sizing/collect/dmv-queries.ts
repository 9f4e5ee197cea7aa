/**
 * Every statement the collector sends, as data: what it reads, and the SQL Server versions its text
 * runs on. Where a column moved between versions the query has one entry per shape, and
 * `dmvQuery(id, version)` picks the one for the source (`sys.dm_os_sys_info` gave
 * `physical_memory_in_bytes` up to 2008 R2 and `physical_memory_kb` from 2012; memory-optimized
 * filegroups exist from 2014). Only user databases (`database_id > 4`) are measured, as in the
 * reference files. Times come back as `yyyy-mm-dd hh:mi:ss` text (style 120) in the source's local
 * time, the form the perf-data files hold.
 */
import { quoteName } from '../../sql/index.js';
import { CollectError } from './collect-error.js';
import type { SqlServerVersion } from './server-version.js';

export type DmvQueryId =
  | 'sourceFacts'
  | 'sysInfo'
  | 'instanceStatic'
  | 'databaseFiles'
  | 'memoryOptimizedFilegroups'
  | 'instanceSample'
  | 'cpuRingBuffer'
  | 'fileIo'
  | 'databaseCpu'
  | 'bufferPool';

export interface DmvQuery {
  readonly id: DmvQueryId;
  /** What it reads, for docs and messages. */
  readonly reads: string;
  /** The oldest major version this text runs on. */
  readonly sinceMajor: number;
  /** The newest major version it runs on, when a later one needs other text. */
  readonly untilMajor?: number;
  /** `{database}` stands for a database name, quoted by `inDatabase`. */
  readonly sql: string;
}

const userDatabases = 'database_id > 4';

export const dmvQueries: readonly DmvQuery[] = [
  {
    id: 'sourceFacts',
    reads: 'version, names, login and its permissions (runs on any version, to find the version)',
    sinceMajor: 0,
    sql: `SELECT CONVERT(nvarchar(128), SERVERPROPERTY('ProductVersion')) AS productVersion, CONVERT(nvarchar(128), SERVERPROPERTY('ServerName')) AS serverName, CONVERT(nvarchar(128), SERVERPROPERTY('MachineName')) AS machineName, CONVERT(nvarchar(128), SERVERPROPERTY('InstanceName')) AS instanceName, SUSER_SNAME() AS loginName, HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW SERVER STATE') AS viewServerState, HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW ANY DEFINITION') AS viewAnyDefinition`,
  },
  {
    id: 'sysInfo',
    reads:
      'sys.dm_os_sys_info: CPUs, memory (in bytes up to 2008 R2), start time; the schedulers SQL Server uses',
    sinceMajor: 10,
    untilMajor: 10,
    sql: `SELECT cpu_count AS logicalCpuCount, hyperthread_ratio AS hyperthreadRatio, CONVERT(bigint, physical_memory_in_bytes / 1048576) AS physicalMemoryMb, CONVERT(varchar(19), sqlserver_start_time, 120) AS sqlStartTime, (SELECT COUNT(*) FROM sys.dm_os_schedulers WHERE status = N'VISIBLE ONLINE') AS coresUsed FROM sys.dm_os_sys_info`,
  },
  {
    id: 'sysInfo',
    reads:
      'sys.dm_os_sys_info: CPUs, memory (in KB from 2012), start time; the schedulers SQL Server uses',
    sinceMajor: 11,
    sql: `SELECT cpu_count AS logicalCpuCount, hyperthread_ratio AS hyperthreadRatio, CONVERT(bigint, physical_memory_kb / 1024) AS physicalMemoryMb, CONVERT(varchar(19), sqlserver_start_time, 120) AS sqlStartTime, (SELECT COUNT(*) FROM sys.dm_os_schedulers WHERE status = N'VISIBLE ONLINE') AS coresUsed FROM sys.dm_os_sys_info`,
  },
  {
    id: 'instanceStatic',
    reads:
      'SERVERPROPERTY, sys.configurations, sys.dm_os_schedulers, sys.databases, sys.master_files, sys.server_principals',
    sinceMajor: 10,
    sql: `SELECT CONVERT(nvarchar(128), SERVERPROPERTY('Edition')) AS edition, CONVERT(int, ISNULL(SERVERPROPERTY('IsClustered'), 0)) AS isClustered, CONVERT(int, ISNULL(SERVERPROPERTY('IsHadrEnabled'), 0)) AS isHadrEnabled, (SELECT CONVERT(bigint, value_in_use) FROM sys.configurations WHERE name = N'max server memory (MB)') AS maxServerMemoryMb, (SELECT COUNT(*) FROM sys.dm_os_schedulers WHERE status = N'VISIBLE ONLINE') AS coresUsed, (SELECT COUNT(*) FROM sys.databases WHERE ${userDatabases}) AS userDatabases, (SELECT ISNULL(SUM(CONVERT(bigint, size)), 0) * 8 / 1024 FROM sys.master_files WHERE ${userDatabases}) AS userDatabasesSizeMb, (SELECT ISNULL(SUM(CONVERT(bigint, size)), 0) * 8 / 1024 FROM sys.master_files WHERE database_id = 2) AS tempDbSizeMb, (SELECT COUNT(*) FROM sys.server_principals WHERE type IN ('S', 'U', 'G') AND name NOT LIKE N'##%') AS logins, CONVERT(varchar(19), GETDATE(), 120) AS serverTime`,
  },
  {
    id: 'databaseFiles',
    reads: 'sys.master_files and sys.databases: every file of every user database, size in pages',
    sinceMajor: 10,
    sql: `SELECT d.name AS databaseName, d.state_desc AS state, mf.name AS logicalName, mf.physical_name AS physicalName, mf.type_desc AS fileType, mf.size AS sizePages FROM sys.master_files AS mf JOIN sys.databases AS d ON d.database_id = mf.database_id WHERE mf.${userDatabases} ORDER BY d.name, mf.file_id`,
  },
  {
    id: 'memoryOptimizedFilegroups',
    reads: "a database's sys.filegroups: memory-optimized (FX) filegroups, from 2014",
    sinceMajor: 12,
    sql: `SELECT COUNT(*) AS memoryOptimized FROM {database}.sys.filegroups WHERE type = N'FX'`,
  },
  {
    id: 'instanceSample',
    reads: "sys.dm_os_process_memory: the process's memory in use; start time; the source's clock",
    sinceMajor: 10,
    sql: `SELECT pm.physical_memory_in_use_kb AS memoryInUseKb, pm.memory_utilization_percentage AS memoryUtilizationPercent, CONVERT(varchar(19), si.sqlserver_start_time, 120) AS sqlStartTime, CONVERT(varchar(19), GETDATE(), 120) AS serverTime FROM sys.dm_os_process_memory AS pm CROSS JOIN sys.dm_os_sys_info AS si`,
  },
  {
    id: 'cpuRingBuffer',
    reads:
      "sys.dm_os_ring_buffers (scheduler monitor): the SQL Server process's CPU %, its latest minute",
    sinceMajor: 10,
    sql: `SELECT TOP (1) rb.record.value('(./Record/SchedulerMonitorEvent/SystemHealth/ProcessUtilization)[1]', 'int') AS sqlCpuPercent FROM (SELECT [timestamp], CONVERT(xml, record) AS record FROM sys.dm_os_ring_buffers WHERE ring_buffer_type = N'RING_BUFFER_SCHEDULER_MONITOR' AND record LIKE N'%<SystemHealth>%') AS rb ORDER BY rb.[timestamp] DESC`,
  },
  {
    id: 'fileIo',
    reads:
      'sys.dm_io_virtual_file_stats with sys.master_files: cumulative reads, writes, bytes and stalls per data and log file',
    sinceMajor: 10,
    sql: `SELECT d.name AS databaseName, mf.physical_name AS physicalName, mf.type_desc AS fileType, vfs.num_of_reads AS reads, vfs.num_of_bytes_read AS bytesRead, vfs.io_stall_read_ms AS readStallMs, vfs.num_of_writes AS writes, vfs.num_of_bytes_written AS bytesWritten, vfs.io_stall_write_ms AS writeStallMs FROM sys.dm_io_virtual_file_stats(NULL, NULL) AS vfs JOIN sys.master_files AS mf ON mf.database_id = vfs.database_id AND mf.file_id = vfs.file_id JOIN sys.databases AS d ON d.database_id = vfs.database_id WHERE vfs.${userDatabases} AND mf.type IN (0, 1)`,
  },
  {
    id: 'databaseCpu',
    reads:
      'sys.dm_exec_query_stats by sys.dm_exec_plan_attributes dbid: cumulative CPU (worker time, µs) of the cached plans per database',
    sinceMajor: 10,
    sql: `SELECT d.name AS databaseName, SUM(qs.total_worker_time) AS workerTimeUs FROM sys.dm_exec_query_stats AS qs CROSS APPLY (SELECT CONVERT(int, pa.value) AS databaseId FROM sys.dm_exec_plan_attributes(qs.plan_handle) AS pa WHERE pa.attribute = N'dbid') AS a JOIN sys.databases AS d ON d.database_id = a.databaseId WHERE a.databaseId > 4 GROUP BY d.name`,
  },
  {
    id: 'bufferPool',
    reads: 'sys.dm_os_buffer_descriptors: 8 KB pages in the buffer pool per database',
    sinceMajor: 10,
    sql: `SELECT d.name AS databaseName, COUNT_BIG(*) AS pages FROM sys.dm_os_buffer_descriptors AS bd JOIN sys.databases AS d ON d.database_id = bd.database_id WHERE bd.${userDatabases} GROUP BY d.name`,
  },
];

/** The text of query `id` for the source's version; none when the version has no such data. */
export function dmvQuery(id: DmvQueryId, version: SqlServerVersion): DmvQuery | undefined {
  return dmvQueries.find(
    (q) =>
      q.id === id &&
      version.major >= q.sinceMajor &&
      (q.untilMajor === undefined || version.major <= q.untilMajor),
  );
}

/** Like `dmvQuery`, for a query every supported version has. */
export function requiredDmvQuery(id: DmvQueryId, version: SqlServerVersion): DmvQuery {
  const query = dmvQuery(id, version);
  if (!query)
    throw new CollectError(
      'UnsupportedVersion',
      `sqlmig has no ${id} query for SQL Server ${version.productVersion}.`,
    );
  return query;
}

/** A per-database query's text for database `name` (quoted as QUOTENAME does). */
export function inDatabase(query: DmvQuery, name: string): string {
  return query.sql.replace('{database}', quoteName(name));
}
