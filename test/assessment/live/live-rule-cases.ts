/**
 * For every rule the live assessment detects from the catalog: catalog rows that must raise it, and
 * near-misses that must not (a supported provider, a built-in account, a session trace flag, the
 * system's own job, …). Each case is laid over one online database, Sales, on SQL Server 2022.
 */
import type { CatalogDatabase, ScriptedCatalog } from '../../support/scripted-catalog.js';

export interface LiveRuleCase {
  readonly ruleId: string;
  readonly name: string;
  readonly trigger: ScriptedCatalog;
  readonly nearMiss: ScriptedCatalog;
}

const tib = 1024 ** 4;
const pages = (bytes: number): string => String(bytes / 8192);
const sales = (db: Omit<CatalogDatabase, 'name'>): ScriptedCatalog => ({
  databases: [{ name: 'Sales', ...db }],
});
const step = (subsystem: string, command = '', jobName = 'Nightly'): ScriptedCatalog => ({
  agentJobSteps: [{ jobName, stepId: 1, stepName: 'run', subsystem, command }],
});
const module = (definition: string): ScriptedCatalog =>
  sales({ modules: [{ schemaName: 'dbo', objectName: 'Load', objectType: 'P ', definition }] });
const file = (
  name: string,
  typeDesc: string,
  filegroup: string | null,
  filegroupType: string | null,
) => ({
  name,
  typeDesc,
  physicalName: `D:\\Data\\${name}`,
  filegroup,
  filegroupType,
});

export const liveRuleCases: readonly LiveRuleCase[] = [
  {
    ruleId: 'DbCompatLevelLowerThan100',
    name: 'compatibility level 90, not 100',
    trigger: sales({ compatibilityLevel: 90 }),
    nearMiss: sales({ compatibilityLevel: 100 }),
  },
  {
    ruleId: 'MIDatabaseSize',
    name: 'a database of 17 TiB, not one of exactly 16 TiB',
    trigger: sales({ sizePages: pages(17 * tib) }),
    nearMiss: sales({ sizePages: pages(16 * tib) }),
  },
  {
    ruleId: 'MIInstanceSize',
    name: 'two databases of 9 TiB, not two of 7 TiB',
    trigger: {
      databases: [
        { name: 'Sales', sizePages: pages(9 * tib) },
        { name: 'Stock', sizePages: pages(9 * tib) },
      ],
    },
    nearMiss: {
      databases: [
        { name: 'Sales', sizePages: pages(7 * tib) },
        { name: 'Stock', sizePages: pages(7 * tib) },
      ],
    },
  },
  {
    ruleId: 'NumDbExceeds100',
    name: '101 databases, not 100',
    trigger: { databases: Array.from({ length: 101 }, (_, i) => ({ name: `Db${i}` })) },
    nearMiss: { databases: Array.from({ length: 100 }, (_, i) => ({ name: `Db${i}` })) },
  },
  {
    ruleId: 'MultipleLogFiles',
    name: 'two log files, not one log file beside a data file',
    trigger: sales({
      files: [file('Sales_log', 'LOG', null, null), file('Sales_log2', 'LOG', null, null)],
    }),
    nearMiss: sales({
      files: [file('Sales', 'ROWS', 'PRIMARY', 'FG'), file('Sales_log', 'LOG', null, null)],
    }),
  },
  {
    ruleId: 'FileStream',
    name: 'a FILESTREAM filegroup, not the FILESTREAM-typed container of a memory-optimized filegroup',
    trigger: sales({ files: [file('Docs', 'FILESTREAM', 'DocsFG', 'FD')] }),
    nearMiss: sales({ files: [file('Imoltp', 'FILESTREAM', 'ImoltpFG', 'FX')] }),
  },
  {
    ruleId: 'FileStream',
    name: 'a FILESTREAM column and a FileTable, not an ordinary table',
    trigger: sales({
      filestreamColumns: [{ schemaName: 'dbo', tableName: 'Doc', columnName: 'Body' }],
      fileTables: [{ schemaName: 'dbo', tableName: 'Scans' }],
    }),
    nearMiss: sales({ files: [file('Sales', 'ROWS', 'PRIMARY', 'FG')] }),
  },
  {
    ruleId: 'MemoryOptimizedTables',
    name: 'a MEMORY_OPTIMIZED_DATA filegroup and a memory-optimized table, not a FILESTREAM filegroup',
    trigger: sales({
      files: [file('Imoltp', 'FILESTREAM', 'ImoltpFG', 'FX')],
      memoryOptimizedObjects: [{ kind: 'TABLE', schemaName: 'dbo', name: 'Cart' }],
    }),
    nearMiss: sales({ files: [file('Docs', 'FILESTREAM', 'DocsFG', 'FD')] }),
  },
  {
    ruleId: 'DatabasePrincipalAlias',
    name: 'an alias, not an ordinary user',
    trigger: sales({ principals: [{ name: 'ann_alias', type: null, isAlias: true }] }),
    nearMiss: sales({ principals: [{ name: 'app', type: 'S', isAlias: false }] }),
  },
  {
    ruleId: 'WindowsAuthentication',
    name: 'a Windows login and a Windows user, not SQL logins, built-in accounts or dbo',
    trigger: {
      logins: [{ name: 'CONTOSO\\ann', type: 'U', isDisabled: false }],
      ...sales({ principals: [{ name: 'CONTOSO\\Sales Team', type: 'G', isAlias: false }] }),
    },
    nearMiss: {
      logins: [
        { name: 'app', type: 'S', isDisabled: false },
        { name: 'NT SERVICE\\SQLSERVERAGENT', type: 'U', isDisabled: false },
        { name: 'NT AUTHORITY\\SYSTEM', type: 'U', isDisabled: false },
        { name: 'BUILTIN\\Administrators', type: 'G', isDisabled: false },
      ],
      ...sales({ principals: [{ name: 'dbo', type: 'U', isAlias: false }] }),
    },
  },
  {
    ruleId: 'ClrStrictSecurity',
    name: 'a SAFE user assembly, not an UNSAFE one or a system assembly',
    trigger: sales({
      assemblies: [{ name: 'Geo', permissionSet: 'SAFE_ACCESS', isUserDefined: true }],
    }),
    nearMiss: sales({
      assemblies: [
        { name: 'Native', permissionSet: 'UNSAFE_ACCESS', isUserDefined: true },
        { name: 'Microsoft.SqlServer.Types', permissionSet: 'UNSAFE_ACCESS', isUserDefined: false },
        { name: 'System.Data', permissionSet: 'SAFE_ACCESS', isUserDefined: false },
      ],
    }),
  },
  {
    ruleId: 'TdeCertificate',
    name: 'an encrypted database, not one whose key exists unencrypted, nor tempdb',
    trigger: { ...sales({}), encryptionKeys: [{ databaseName: 'Sales', encryptionState: 3 }] },
    nearMiss: {
      ...sales({}),
      encryptionKeys: [
        { databaseName: 'Sales', encryptionState: 1 },
        { databaseName: 'tempdb', encryptionState: 3 },
      ],
    },
  },
  {
    ruleId: 'XpCmdshell',
    name: 'xp_cmdshell enabled, not disabled',
    trigger: { ...sales({}), configuration: [{ name: 'xp_cmdshell', valueInUse: 1 }] },
    nearMiss: { ...sales({}), configuration: [{ name: 'xp_cmdshell', valueInUse: 0 }] },
  },
  {
    ruleId: 'XpCmdshell',
    name: 'a procedure calling xp_cmdshell, not one naming it in a comment',
    trigger: module("CREATE PROCEDURE dbo.Load AS\nEXEC master..xp_cmdshell 'dir'"),
    nearMiss: module('CREATE PROCEDURE dbo.Load AS\n-- once used xp_cmdshell\nSELECT 1'),
  },
  {
    ruleId: 'SqlMail',
    name: 'SQL Mail XPs enabled, not disabled',
    trigger: { ...sales({}), configuration: [{ name: 'SQL Mail XPs', valueInUse: 1 }] },
    nearMiss: { ...sales({}), configuration: [{ name: 'SQL Mail XPs', valueInUse: 0 }] },
  },
  {
    ruleId: 'LinkedServerWithNonSQLProvider',
    name: 'an Oracle linked server, not SQL Server ones',
    trigger: {
      ...sales({}),
      linkedServers: [
        { name: 'ORA', product: 'Oracle', provider: 'OraOLEDB.Oracle', dataSource: 'ORCL' },
      ],
    },
    nearMiss: {
      ...sales({}),
      linkedServers: [
        { name: 'HQ', product: '', provider: 'MSOLEDBSQL', dataSource: 'hq.contoso.com' },
        { name: 'OLD', product: 'SQL Server', provider: 'SQLNCLI', dataSource: 'OLD' },
      ],
    },
  },
  {
    ruleId: 'CryptographicProvider',
    name: 'a registered EKM provider, not a credential alone',
    trigger: {
      ...sales({}),
      cryptographicProviders: [{ name: 'Luna', dllPath: 'C:\\HSM\\ekm.dll', isEnabled: true }],
    },
    nearMiss: { ...sales({}), credentials: [{ name: 'Luna' }] },
  },
  {
    ruleId: 'TraceFlags',
    name: 'global trace flag 1118, not the supported 460 nor a session flag',
    trigger: { traceFlags: [{ TraceFlag: 1118, Status: 1, Global: 1, Session: 0 }] },
    nearMiss: {
      traceFlags: [
        { TraceFlag: 460, Status: 1, Global: 1, Session: 0 },
        { TraceFlag: 3604, Status: 1, Global: 0, Session: 1 },
      ],
    },
  },
  {
    ruleId: 'ServerAuditToFile',
    name: 'an audit to a file, not one to a URL',
    trigger: { serverAudits: [{ name: 'Logons', type: 'FL', typeDesc: 'FILE' }] },
    nearMiss: { serverAudits: [{ name: 'Logons', type: 'UR', typeDesc: 'URL' }] },
  },
  {
    ruleId: 'ExtendedStoredProcedure',
    name: 'a user extended procedure, not a shipped one',
    trigger: {
      extendedProcedures: [{ name: 'xp_hello', dllName: 'xp_hello.dll', isMsShipped: false }],
    },
    nearMiss: {
      extendedProcedures: [{ name: 'xp_cmdshell', dllName: 'xplog70.dll', isMsShipped: true }],
    },
  },
  {
    ruleId: 'UserDefinedMessages',
    name: 'a user message, not an empty sys.messages above 50000',
    trigger: { userMessages: [{ messageId: 50001, languages: 2 }] },
    nearMiss: { userMessages: [] },
  },
  ...(
    [
      ['CmdExecJob', 'CmdExec'],
      ['PowerShellJob', 'PowerShell'],
      ['ActiveScriptingJob', 'ActiveScripting'],
      ['AnalysisCommandJob', 'ANALYSISCOMMAND'],
      ['AnalysisQueryJob', 'ANALYSISQUERY'],
      ['MergeJob', 'Merge'],
      ['QueueReaderJob', 'QueueReader'],
    ] as const
  ).map(([ruleId, subsystem]): LiveRuleCase => ({
    ruleId,
    name: `a ${subsystem} step, not a Snapshot step nor the system's syspolicy_purge_history`,
    trigger: step(subsystem, 'run it'),
    nearMiss: {
      agentJobSteps: [
        { jobName: 'Nightly', stepId: 1, stepName: 'snap', subsystem: 'Snapshot', command: '' },
        {
          jobName: 'syspolicy_purge_history',
          stepId: 2,
          stepName: 'Erase Phantom System Health Records.',
          subsystem,
          command: 'run it',
        },
      ],
    },
  })),
  {
    ruleId: 'TransactSqlJob',
    name: 'a T-SQL step calling xp_cmdshell, not one running DBCC CHECKDB',
    trigger: step('TSQL', "EXEC xp_cmdshell 'copy a b'"),
    nearMiss: step('TSQL', 'DBCC CHECKDB (Sales) -- not xp_cmdshell'),
  },
  {
    ruleId: 'InstanceObjectsNotMigrated',
    name: 'a job, a login and a credential, not sa, ## logins and the system job',
    trigger: {
      ...step('TSQL', 'SELECT 1'),
      logins: [{ name: 'app', type: 'S', isDisabled: false }],
      credentials: [{ name: 'proxy' }],
    },
    nearMiss: {
      ...step('PowerShell', '', 'syspolicy_purge_history'),
      logins: [
        { name: 'sa', type: 'S', isDisabled: true },
        { name: '##MS_PolicyEventProcessingLogin##', type: 'S', isDisabled: true },
      ],
    },
  },
  {
    ruleId: 'ComputeClause',
    name: 'a module using COMPUTE, not one with COMPUTE in a string',
    trigger: module('CREATE PROCEDURE dbo.Load AS\nSELECT id FROM t ORDER BY id COMPUTE SUM(id)'),
    nearMiss: module("CREATE PROCEDURE dbo.Load AS\nSELECT 'COMPUTE SUM(id)'"),
  },
  {
    ruleId: 'MIHeterogeneousMSDTCTransactSQL',
    name: 'a distributed transaction reaching the Oracle linked server, not one reaching a SQL Server',
    trigger: {
      linkedServers: [
        { name: 'ORA', product: 'Oracle', provider: 'OraOLEDB.Oracle', dataSource: 'ORCL' },
      ],
      ...module(
        'CREATE PROCEDURE dbo.Load AS\nBEGIN DISTRIBUTED TRANSACTION\nUPDATE ORA..SCOTT.EMP SET SAL = 1\nCOMMIT',
      ),
    },
    nearMiss: {
      linkedServers: [{ name: 'HQ', product: '', provider: 'MSOLEDBSQL', dataSource: 'hq' }],
      ...module(
        'CREATE PROCEDURE dbo.Load AS\nBEGIN DISTRIBUTED TRANSACTION\nUPDATE HQ.Sales.dbo.T SET a = 1\nCOMMIT',
      ),
    },
  },
];
