/**
 * Every statement the live assessment sends, as data: what it reads, the rules its rows feed, and the
 * oldest release it runs on (a column or view added later is read only where it exists). Statements
 * of a database read it by three-part names (`[Sales].sys.database_files`), `{db}` standing for the
 * quoted name; they select the columns a rule decides on and leave the decision to the collectors,
 * except where a filter keeps a large catalog from crossing the wire. Catalog facts from
 * learn.microsoft.com ("System catalog views", SQL Server 2008 to 2022).
 */
import { quoteName } from '../../sql/index.js';
import type { SqlVersion } from './sql-version.js';

export interface LiveQuery {
  readonly id: string;
  readonly scope: 'instance' | 'database';
  /** The views and tables read, for messages and the docs. */
  readonly reads: string;
  /** The rule ids its rows can raise. */
  readonly rules: readonly string[];
  /** The oldest major version it runs on: 10 (2008) unless a column it needs came later. */
  readonly sinceMajor: number;
  readonly sql: string;
}

const query = (q: LiveQuery): LiveQuery => Object.freeze(q);

/**
 * SERVERPROPERTY and HAS_PERMS_BY_NAME (a NULL securable for server permissions): who is signed in,
 * whether the collectors will see everything. Sent first.
 */
export const permissionsQuery = query({
  id: 'permissions',
  scope: 'instance',
  reads: 'SERVERPROPERTY, HAS_PERMS_BY_NAME',
  rules: [],
  sinceMajor: 0,
  sql: [
    "SELECT CONVERT(nvarchar(128), SERVERPROPERTY('ProductVersion')) AS productVersion,",
    "  CONVERT(nvarchar(128), SERVERPROPERTY('Edition')) AS edition,",
    "  CONVERT(nvarchar(128), SERVERPROPERTY('ServerName')) AS serverName,",
    '  SUSER_SNAME() AS login,',
    "  IS_SRVROLEMEMBER('sysadmin') AS sysadmin,",
    "  HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW SERVER STATE') AS viewServerState,",
    "  HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW ANY DEFINITION') AS viewAnyDefinition,",
    "  HAS_PERMS_BY_NAME('msdb', 'DATABASE', 'CONNECT') AS msdbConnect,",
    "  HAS_PERMS_BY_NAME('msdb.dbo.sysjobs', 'OBJECT', 'SELECT') AS msdbJobs,",
    "  HAS_PERMS_BY_NAME('msdb.dbo.sysjobsteps', 'OBJECT', 'SELECT') AS msdbJobSteps;",
  ].join('\n'),
});

/** sys.databases and sys.master_files (size in 8 KiB pages); whether the login may enter each. */
export const databasesQuery = query({
  id: 'databases',
  scope: 'instance',
  reads: 'sys.databases, sys.master_files',
  rules: ['DbCompatLevelLowerThan100', 'MIDatabaseSize', 'MIInstanceSize', 'NumDbExceeds100'],
  sinceMajor: 10,
  sql: [
    'SELECT d.name, d.database_id AS databaseId, d.compatibility_level AS compatibilityLevel,',
    '  d.state_desc AS state, d.is_distributor AS isDistributor,',
    "  HAS_PERMS_BY_NAME(d.name, 'DATABASE', 'CONNECT') AS canConnect,",
    '  (SELECT SUM(CONVERT(bigint, f.size)) FROM sys.master_files f WHERE f.database_id = d.database_id) AS sizePages',
    'FROM sys.databases d WHERE d.database_id > 4 ORDER BY d.name;',
  ].join('\n'),
});

export const instanceQueries: readonly LiveQuery[] = [
  query({
    id: 'configuration',
    scope: 'instance',
    reads: 'sys.configurations',
    rules: ['XpCmdshell', 'SqlMail', 'ClrStrictSecurity'],
    sinceMajor: 10,
    sql: "SELECT name, CONVERT(int, value_in_use) AS valueInUse FROM sys.configurations WHERE name IN (N'xp_cmdshell', N'clr enabled', N'clr strict security', N'SQL Mail XPs');",
  }),
  query({
    id: 'linkedServers',
    scope: 'instance',
    reads: 'sys.servers',
    rules: ['LinkedServerWithNonSQLProvider', 'InstanceObjectsNotMigrated'],
    sinceMajor: 10,
    sql: 'SELECT name, product, provider, data_source AS dataSource FROM sys.servers WHERE is_linked = 1 ORDER BY name;',
  }),
  query({
    id: 'logins',
    scope: 'instance',
    reads: 'sys.server_principals',
    rules: ['WindowsAuthentication', 'InstanceObjectsNotMigrated'],
    sinceMajor: 10,
    sql: "SELECT name, type, is_disabled AS isDisabled FROM sys.server_principals WHERE type IN ('S', 'U', 'G') ORDER BY name;",
  }),
  query({
    id: 'serverAudits',
    scope: 'instance',
    reads: 'sys.server_audits',
    rules: ['ServerAuditToFile', 'InstanceObjectsNotMigrated'],
    sinceMajor: 10,
    sql: 'SELECT name, type, type_desc AS typeDesc FROM sys.server_audits ORDER BY name;',
  }),
  query({
    id: 'cryptographicProviders',
    scope: 'instance',
    reads: 'sys.cryptographic_providers',
    rules: ['CryptographicProvider'],
    sinceMajor: 10,
    sql: 'SELECT name, dll_path AS dllPath, is_enabled AS isEnabled FROM sys.cryptographic_providers ORDER BY name;',
  }),
  query({
    id: 'traceFlags',
    scope: 'instance',
    reads: 'DBCC TRACESTATUS(-1)',
    rules: ['TraceFlags'],
    sinceMajor: 10,
    sql: 'DBCC TRACESTATUS(-1) WITH NO_INFOMSGS;',
  }),
  query({
    id: 'credentials',
    scope: 'instance',
    reads: 'sys.credentials',
    rules: ['InstanceObjectsNotMigrated'],
    sinceMajor: 10,
    sql: 'SELECT name FROM sys.credentials ORDER BY name;',
  }),
  query({
    id: 'userMessages',
    scope: 'instance',
    reads: 'sys.messages',
    rules: ['UserDefinedMessages'],
    sinceMajor: 10,
    sql: 'SELECT message_id AS messageId, COUNT(*) AS languages FROM sys.messages WHERE message_id > 50000 GROUP BY message_id ORDER BY message_id;',
  }),
  query({
    id: 'extendedProcedures',
    scope: 'instance',
    reads: 'master.sys.extended_procedures',
    rules: ['ExtendedStoredProcedure'],
    sinceMajor: 10,
    sql: 'SELECT name, dll_name AS dllName, is_ms_shipped AS isMsShipped FROM master.sys.extended_procedures ORDER BY name;',
  }),
  query({
    id: 'encryptionKeys',
    scope: 'instance',
    reads: 'sys.dm_database_encryption_keys',
    rules: ['TdeCertificate'],
    sinceMajor: 10,
    sql: 'SELECT DB_NAME(database_id) AS databaseName, encryption_state AS encryptionState FROM sys.dm_database_encryption_keys;',
  }),
  query({
    id: 'agentJobSteps',
    scope: 'instance',
    reads: 'msdb.dbo.sysjobs, msdb.dbo.sysjobsteps',
    rules: [
      'CmdExecJob',
      'PowerShellJob',
      'ActiveScriptingJob',
      'AnalysisCommandJob',
      'AnalysisQueryJob',
      'MergeJob',
      'QueueReaderJob',
      'TransactSqlJob',
      'InstanceObjectsNotMigrated',
    ],
    sinceMajor: 10,
    sql: [
      'SELECT j.name AS jobName, s.step_id AS stepId, s.step_name AS stepName, s.subsystem, s.command',
      'FROM msdb.dbo.sysjobs j LEFT JOIN msdb.dbo.sysjobsteps s ON s.job_id = j.job_id',
      'ORDER BY j.name, s.step_id;',
    ].join('\n'),
  }),
  query({
    id: 'msdbObjects',
    scope: 'instance',
    reads:
      'msdb.dbo.sysoperators, msdb.dbo.sysalerts, msdb.dbo.sysmail_profile, msdb.dbo.sysssispackages',
    rules: ['InstanceObjectsNotMigrated'],
    sinceMajor: 10,
    sql: [
      "SELECT N'operator' AS kind, name FROM msdb.dbo.sysoperators",
      "UNION ALL SELECT N'alert', name FROM msdb.dbo.sysalerts",
      "UNION ALL SELECT N'Database Mail profile', name FROM msdb.dbo.sysmail_profile",
      "UNION ALL SELECT N'SSIS package in msdb', name FROM msdb.dbo.sysssispackages;",
    ].join('\n'),
  }),
];

export const databaseQueries: readonly LiveQuery[] = [
  query({
    id: 'databaseFiles',
    scope: 'database',
    reads: 'sys.database_files, sys.filegroups',
    rules: ['MultipleLogFiles', 'FileStream', 'MemoryOptimizedTables'],
    sinceMajor: 10,
    sql: [
      'SELECT f.name, f.type_desc AS typeDesc, f.physical_name AS physicalName,',
      '  fg.name AS filegroup, fg.type AS filegroupType',
      'FROM {db}.sys.database_files f LEFT JOIN {db}.sys.filegroups fg ON fg.data_space_id = f.data_space_id;',
    ].join('\n'),
  }),
  query({
    id: 'filestreamColumns',
    scope: 'database',
    reads: 'sys.columns (is_filestream)',
    rules: ['FileStream'],
    sinceMajor: 10,
    sql: [
      'SELECT s.name AS schemaName, t.name AS tableName, c.name AS columnName',
      'FROM {db}.sys.columns c JOIN {db}.sys.tables t ON t.object_id = c.object_id',
      'JOIN {db}.sys.schemas s ON s.schema_id = t.schema_id WHERE c.is_filestream = 1;',
    ].join('\n'),
  }),
  query({
    id: 'fileTables',
    scope: 'database',
    reads: 'sys.tables (is_filetable, SQL Server 2012 and later)',
    rules: ['FileStream'],
    sinceMajor: 11,
    sql: [
      'SELECT s.name AS schemaName, t.name AS tableName',
      'FROM {db}.sys.tables t JOIN {db}.sys.schemas s ON s.schema_id = t.schema_id WHERE t.is_filetable = 1;',
    ].join('\n'),
  }),
  query({
    id: 'memoryOptimizedObjects',
    scope: 'database',
    reads: 'sys.tables, sys.table_types (is_memory_optimized, SQL Server 2014 and later)',
    rules: ['MemoryOptimizedTables'],
    sinceMajor: 12,
    sql: [
      "SELECT N'TABLE' AS kind, s.name AS schemaName, t.name",
      'FROM {db}.sys.tables t JOIN {db}.sys.schemas s ON s.schema_id = t.schema_id WHERE t.is_memory_optimized = 1',
      "UNION ALL SELECT N'TYPE', s.name, tt.name",
      'FROM {db}.sys.table_types tt JOIN {db}.sys.schemas s ON s.schema_id = tt.schema_id WHERE tt.is_memory_optimized = 1;',
    ].join('\n'),
  }),
  query({
    id: 'principals',
    scope: 'database',
    reads: 'sys.database_principals, sys.sysusers',
    rules: ['WindowsAuthentication', 'DatabasePrincipalAlias'],
    sinceMajor: 10,
    sql: [
      "SELECT name, type, CONVERT(bit, 0) AS isAlias FROM {db}.sys.database_principals WHERE type IN ('U', 'G')",
      'UNION ALL SELECT name, NULL, CONVERT(bit, 1) FROM {db}.sys.sysusers WHERE isaliased = 1;',
    ].join('\n'),
  }),
  query({
    id: 'assemblies',
    scope: 'database',
    reads: 'sys.assemblies',
    rules: ['ClrStrictSecurity'],
    sinceMajor: 10,
    sql: 'SELECT name, permission_set_desc AS permissionSet, is_user_defined AS isUserDefined FROM {db}.sys.assemblies;',
  }),
  query({
    id: 'modules',
    scope: 'database',
    reads: 'sys.sql_modules, sys.objects, sys.triggers',
    rules: ['(every code rule)'],
    sinceMajor: 10,
    // Read in pages of @batch by object_id (TOP with a variable: SQL Server 2005 and later), so that
    // a database with many large modules is never held in memory at once.
    sql: [
      'SELECT TOP (@batch) m.object_id AS objectId, s.name AS schemaName,',
      '  COALESCE(o.name, t.name) AS objectName, COALESCE(o.type, t.type) AS objectType, m.definition',
      'FROM {db}.sys.sql_modules m',
      'LEFT JOIN {db}.sys.objects o ON o.object_id = m.object_id',
      'LEFT JOIN {db}.sys.schemas s ON s.schema_id = o.schema_id',
      'LEFT JOIN {db}.sys.triggers t ON t.object_id = m.object_id AND t.parent_class = 0',
      'WHERE m.object_id > @after AND COALESCE(o.is_ms_shipped, t.is_ms_shipped, 0) = 0',
      'ORDER BY m.object_id;',
    ].join('\n'),
  }),
];

/** Whether the instance has what the query reads. */
export function runsOn(q: LiveQuery, version: SqlVersion): boolean {
  return version.major >= q.sinceMajor;
}

/** The statement for a database: `{db}` replaced by the quoted name. */
export function statementFor(q: LiveQuery, database?: string): string {
  if (q.scope === 'instance') return q.sql;
  if (database === undefined) throw new Error(`query ${q.id} needs a database`);
  const quoted = quoteName(database);
  return q.sql.replaceAll('{db}', () => quoted);
}
