/**
 * For every rule detected in scripts: scripts that must trigger it, and near-misses that must not
 * (the keyword in a comment, in a plain string, a similarly named identifier, the supported form).
 */
export interface RuleCase {
  readonly ruleId: string;
  readonly triggers: readonly string[];
  readonly nearMisses: readonly string[];
}

export const ruleCases: readonly RuleCase[] = [
  {
    ruleId: 'ComputeClause',
    triggers: [
      'SELECT id, amount FROM dbo.Sales ORDER BY id COMPUTE SUM(amount)',
      'SELECT a FROM t ORDER BY a COMPUTE avg (a) BY a',
    ],
    nearMisses: [
      '-- ORDER BY id COMPUTE SUM(amount)',
      "SELECT 'COMPUTE SUM(x)' AS text",
      'SELECT compute, compute_total FROM dbo.Jobs',
      'SELECT id FROM t GROUP BY id WITH ROLLUP',
    ],
  },
  {
    ruleId: 'NonANSILeftOuterJoinSyntax',
    triggers: [
      'SELECT a.x FROM a, b WHERE a.id *= b.id',
      'SELECT a FROM t, u GROUP BY a HAVING t.a*=u.a',
    ],
    nearMisses: [
      'DECLARE @n int = 2; SET @n *= 3',
      'UPDATE t SET price *= 1.1 WHERE id = 1',
      "SELECT 'WHERE a.id *= b.id'",
      '/* WHERE a.id *= b.id */ SELECT 1',
    ],
  },
  {
    ruleId: 'NonANSIRightOuterJoinSyntax',
    triggers: ['SELECT a.x FROM a, b WHERE a.id =* b.id'],
    nearMisses: ['SELECT a.x FROM a RIGHT JOIN b ON a.id = b.id', "PRINT 'a.id =* b.id'"],
  },
  {
    ruleId: 'RAISERROR',
    triggers: ["RAISERROR 50001 'Order not found'", 'RAISERROR @code @message'],
    nearMisses: [
      "RAISERROR('Order not found', 16, 1)",
      "RAISERROR (N'x %d', 16, 1, @id) WITH NOWAIT",
      "-- RAISERROR 50001 'x'",
    ],
  },
  {
    ruleId: 'NextColumn',
    triggers: [
      'CREATE TABLE dbo.Queue (id int, next int)',
      'SELECT next VALUE FROM dbo.Queue',
      'CREATE TABLE [next] (id int)',
    ],
    nearMisses: [
      'FETCH NEXT FROM c INTO @id',
      'SELECT id FROM t ORDER BY id OFFSET 10 ROWS FETCH NEXT 10 ROWS ONLY',
      'SELECT NEXT VALUE FOR dbo.OrderSeq',
      'SELECT next_run, nextval FROM dbo.Jobs',
    ],
  },
  {
    ruleId: 'FastFirstRowHint',
    triggers: [
      'SELECT * FROM dbo.Orders WITH (FASTFIRSTROW)',
      'SELECT * FROM dbo.Orders (NOLOCK, FASTFIRSTROW)',
    ],
    nearMisses: [
      'SELECT * FROM dbo.Orders OPTION (FAST 1)',
      'SELECT [FastFirstRow] FROM t',
      "SELECT 'FASTFIRSTROW'",
    ],
  },
  {
    ruleId: 'DisableDefCNSTCHK',
    triggers: ['SET DISABLE_DEF_CNST_CHK ON'],
    nearMisses: ["PRINT 'SET DISABLE_DEF_CNST_CHK ON'", 'SELECT disable_def_cnst_chk_flag FROM t'],
  },
  {
    ruleId: 'XpCmdshell',
    triggers: [
      "EXEC master..xp_cmdshell 'dir c:\\'",
      "EXEC master.dbo.[xp_cmdshell] 'whoami'",
      'EXEC xp_cmdshell @cmd',
    ],
    nearMisses: [
      "EXEC sp_configure 'xp_cmdshell', 0",
      '-- EXEC xp_cmdshell',
      'SELECT * FROM dbo.xp_cmdshell_log',
    ],
  },
  {
    ruleId: 'SqlMail',
    triggers: [
      "EXEC master.dbo.xp_sendmail @recipients = 'a@b.c', @message = 'x'",
      'EXEC xp_startmail',
    ],
    nearMisses: ["EXEC msdb.dbo.sp_send_dbmail @recipients = 'a@b.c'", "SELECT 'xp_sendmail'"],
  },
  {
    ruleId: 'OpenRowsetWithNonBlobDataSourceBulk',
    triggers: ["SELECT * FROM OPENROWSET(BULK 'C:\\data\\orders.csv', SINGLE_CLOB) AS r"],
    nearMisses: [
      "SELECT * FROM OPENROWSET(BULK 'orders.csv', DATA_SOURCE = 'Blob', SINGLE_CLOB) AS r",
      "SELECT 'OPENROWSET(BULK ''x'')'",
    ],
  },
  {
    ruleId: 'OpenRowsetWithNonSQLProvider',
    triggers: [
      "SELECT * FROM OPENROWSET('Microsoft.ACE.OLEDB.12.0', 'Excel 12.0;Database=C:\\a.xlsx', 'SELECT * FROM [Sheet1$]')",
      "SELECT * FROM OPENDATASOURCE('OraOLEDB.Oracle', 'Data Source=ORCL').x.y.z",
    ],
    nearMisses: [
      "SELECT * FROM OPENROWSET('MSOLEDBSQL', 'Server=s;Trusted_Connection=yes;', 'SELECT 1')",
      "SELECT * FROM OPENROWSET('SQLNCLI11', 'Server=s;', 'SELECT 1')",
    ],
  },
  {
    ruleId: 'BulkInsert',
    triggers: ["BULK INSERT dbo.Orders FROM '\\\\share\\orders.csv' WITH (FIELDTERMINATOR = ',')"],
    nearMisses: [
      "BULK INSERT dbo.Orders FROM 'orders.csv' WITH (DATA_SOURCE = 'MyBlob', FORMAT = 'CSV')",
      "-- BULK INSERT dbo.Orders FROM 'x'",
      'INSERT INTO dbo.bulk_orders SELECT 1',
    ],
  },
  {
    ruleId: 'AssemblyFromFile',
    triggers: [
      "CREATE ASSEMBLY Utils FROM 'C:\\clr\\Utils.dll' WITH PERMISSION_SET = UNSAFE",
      "ALTER ASSEMBLY Utils FROM '\\\\share\\Utils.dll'",
    ],
    nearMisses: ['CREATE ASSEMBLY Utils FROM 0x4D5A900003 WITH PERMISSION_SET = UNSAFE'],
  },
  {
    ruleId: 'ClrStrictSecurity',
    triggers: [
      'CREATE ASSEMBLY Utils FROM 0x4D5A90 WITH PERMISSION_SET = SAFE',
      'CREATE ASSEMBLY Utils FROM 0x4D5A90',
    ],
    nearMisses: ['CREATE ASSEMBLY Utils FROM 0x4D5A90 WITH PERMISSION_SET = UNSAFE'],
  },
  {
    ruleId: 'CryptographicProvider',
    triggers: [
      "CREATE CRYPTOGRAPHIC PROVIDER Ekm FROM FILE = 'C:\\ekm.dll'",
      'ALTER CRYPTOGRAPHIC PROVIDER Ekm DISABLE',
    ],
    nearMisses: [
      'SELECT * FROM sys.cryptographic_providers',
      "PRINT 'CREATE CRYPTOGRAPHIC PROVIDER'",
    ],
  },
  {
    ruleId: 'DatabasePrincipalAlias',
    triggers: ["EXEC sp_addalias 'bob', 'dbo'", 'SELECT * FROM sys.database_principal_aliases'],
    nearMisses: ['SELECT * FROM sys.database_principals', 'ALTER ROLE db_owner ADD MEMBER bob'],
  },
  {
    ruleId: 'SystemProcedures110',
    triggers: [
      "EXEC sp_dboption 'Sales', 'read only', 'true'",
      "EXEC sp_addserver 'S2'",
      "EXEC sp_dropalias 'bob'",
    ],
    nearMisses: [
      "EXEC sp_addlinkedserver @server = N'S2', @srvproduct = N'SQL Server'",
      "SELECT 'sp_dboption'",
    ],
  },
  {
    ruleId: 'MIHomogeneousMSDTCTransactSQL',
    triggers: ['BEGIN DISTRIBUTED TRANSACTION', 'begin distributed tran t1'],
    nearMisses: [
      'BEGIN TRANSACTION',
      'BEGIN TRAN distributed_work',
      '-- BEGIN DISTRIBUTED TRANSACTION',
    ],
  },
  {
    ruleId: 'MIHeterogeneousMSDTCTransactSQL',
    triggers: [
      "BEGIN DISTRIBUTED TRANSACTION\nINSERT INTO x SELECT * FROM OPENROWSET('OraOLEDB.Oracle', 'ORCL';'u';'p', 'SELECT 1')\nCOMMIT",
      "EXEC sp_addlinkedserver @server = N'ORA', @srvproduct = N'Oracle', @provider = N'OraOLEDB.Oracle', @datasrc = N'ORCL'\nGO\nBEGIN DISTRIBUTED TRAN\nUPDATE ORA..HR.EMP SET x = 1\nCOMMIT",
    ],
    nearMisses: ['BEGIN DISTRIBUTED TRANSACTION\nUPDATE S2.Sales.dbo.Orders SET x = 1\nCOMMIT'],
  },
  {
    ruleId: 'LinkedServerWithNonSQLProvider',
    triggers: [
      "EXEC master.dbo.sp_addlinkedserver @server = N'ORA', @srvproduct = N'Oracle', @provider = N'OraOLEDB.Oracle', @datasrc = N'ORCL'",
      "EXEC sp_addlinkedserver 'XL', 'Excel', 'Microsoft.ACE.OLEDB.12.0', 'C:\\a.xlsx'",
    ],
    nearMisses: [
      "EXEC sp_addlinkedserver @server = N'S2', @srvproduct = N'SQL Server'",
      "EXEC sp_addlinkedserver @server = N'S3', @srvproduct = N'', @provider = N'MSOLEDBSQL', @datasrc = N's3'",
    ],
  },
  {
    ruleId: 'FileStream',
    triggers: [
      "CREATE DATABASE Docs ON PRIMARY (NAME = d, FILENAME = 'd.mdf'), FILEGROUP fs CONTAINS FILESTREAM (NAME = f, FILENAME = 'c:\\fs')",
      'CREATE TABLE dbo.Doc (id uniqueidentifier ROWGUIDCOL NOT NULL UNIQUE, body varbinary(max) FILESTREAM)',
      'CREATE TABLE dbo.Files AS FILETABLE',
    ],
    nearMisses: [
      'SELECT * FROM sys.database_filestream_options',
      "SELECT SERVERPROPERTY('FilestreamConfiguredLevel')",
      'SELECT [FileStream] FROM t',
    ],
  },
  {
    ruleId: 'MultipleLogFiles',
    triggers: [
      "CREATE DATABASE S ON (NAME = d, FILENAME = 'd.mdf') LOG ON (NAME = l1, FILENAME = 'l1.ldf'), (NAME = l2, FILENAME = 'l2.ldf')",
      "ALTER DATABASE S ADD LOG FILE (NAME = l2, FILENAME = 'l2.ldf')",
    ],
    nearMisses: [
      "CREATE DATABASE S ON (NAME = d, FILENAME = 'd.mdf'), (NAME = d2, FILENAME = 'd2.ndf') LOG ON (NAME = l1, FILENAME = 'l1.ldf')",
      "ALTER DATABASE S ADD FILE (NAME = d3, FILENAME = 'd3.ndf')",
    ],
  },
  {
    ruleId: 'MemoryOptimizedTables',
    triggers: [
      'CREATE TABLE dbo.Cart (id int NOT NULL PRIMARY KEY NONCLUSTERED) WITH (MEMORY_OPTIMIZED = ON, DURABILITY = SCHEMA_ONLY)',
      'ALTER DATABASE S ADD FILEGROUP imoltp CONTAINS MEMORY_OPTIMIZED_DATA',
    ],
    nearMisses: [
      'CREATE TABLE dbo.Cart (id int) WITH (MEMORY_OPTIMIZED = OFF)',
      "SELECT 'MEMORY_OPTIMIZED = ON'",
    ],
  },
  {
    ruleId: 'BackupToDisk',
    triggers: [
      "BACKUP DATABASE Sales TO DISK = N'D:\\bak\\Sales.bak' WITH COMPRESSION",
      'BACKUP LOG Sales TO NightlyDevice',
    ],
    nearMisses: [
      "BACKUP DATABASE Sales TO URL = 'https://acct.blob.core.windows.net/c/Sales.bak' WITH COPY_ONLY",
      "RESTORE DATABASE Sales FROM DISK = 'x'",
    ],
  },
  {
    ruleId: 'CertificateFile',
    triggers: [
      "CREATE CERTIFICATE TdeCert FROM FILE = 'C:\\certs\\tde.cer' WITH PRIVATE KEY (FILE = 'C:\\certs\\tde.pvk', DECRYPTION BY PASSWORD = 'x')",
      "BACKUP CERTIFICATE TdeCert TO FILE = 'C:\\certs\\tde.cer'",
      "BACKUP MASTER KEY TO FILE = 'c:\\mk.key' ENCRYPTION BY PASSWORD = 'x'",
    ],
    nearMisses: [
      "CREATE CERTIFICATE Signer WITH SUBJECT = 'code signing'",
      'CREATE CERTIFICATE C1 FROM BINARY = 0x3082',
    ],
  },
  {
    ruleId: 'ServerAuditToFile',
    triggers: [
      "CREATE SERVER AUDIT Aud TO FILE (FILEPATH = 'D:\\audit\\')",
      'ALTER SERVER AUDIT Aud TO APPLICATION_LOG',
    ],
    nearMisses: [
      "CREATE SERVER AUDIT Aud TO URL (PATH = 'https://a.blob.core.windows.net/audit')",
      'CREATE SERVER AUDIT SPECIFICATION Spec FOR SERVER AUDIT Aud',
    ],
  },
  {
    ruleId: 'ExtendedStoredProcedure',
    triggers: ["EXEC sp_addextendedproc 'xp_hello', 'xp_hello.dll'"],
    nearMisses: ["EXEC sp_addextendedproperty N'MS_Description', N'x'"],
  },
  {
    ruleId: 'UserDefinedMessages',
    triggers: ["EXEC sp_addmessage 50001, 16, N'Order %d not found'"],
    nearMisses: [
      'SELECT * FROM sys.messages WHERE message_id > 50000',
      '-- EXEC sp_addmessage 50001',
    ],
  },
  {
    ruleId: 'DbCompatLevelLowerThan100',
    triggers: [
      'ALTER DATABASE Sales SET COMPATIBILITY_LEVEL = 80',
      "EXEC sp_dbcmptlevel 'Sales', 90",
    ],
    nearMisses: [
      'ALTER DATABASE Sales SET COMPATIBILITY_LEVEL = 110',
      "EXEC sp_dbcmptlevel 'Sales', 100",
    ],
  },
  {
    ruleId: 'WindowsAuthentication',
    triggers: [
      'CREATE LOGIN [CORP\\alice] FROM WINDOWS WITH DEFAULT_DATABASE = Sales',
      'CREATE USER [CORP\\bob] FOR LOGIN [CORP\\bob]',
      "EXEC sp_grantlogin 'CORP\\carol'",
    ],
    nearMisses: [
      "CREATE LOGIN app WITH PASSWORD = 'x'",
      'CREATE LOGIN [alice@corp.com] FROM EXTERNAL PROVIDER',
      'CREATE USER app FOR LOGIN app',
    ],
  },
  {
    ruleId: 'TdeCertificate',
    triggers: [
      'CREATE DATABASE ENCRYPTION KEY WITH ALGORITHM = AES_256 ENCRYPTION BY SERVER CERTIFICATE TdeCert',
      'ALTER DATABASE Sales SET ENCRYPTION ON',
    ],
    nearMisses: [
      'ALTER DATABASE Sales SET ENCRYPTION OFF',
      "CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'x'",
    ],
  },
  {
    ruleId: 'TransactSqlJob',
    triggers: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Nightly', @step_name = N'backup', @subsystem = N'TSQL', @command = N'BACKUP DATABASE Sales TO DISK = ''D:\\s.bak'''",
    ],
    nearMisses: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Nightly', @step_name = N'stats', @subsystem = N'TSQL', @command = N'EXEC sp_updatestats'",
    ],
  },
  {
    ruleId: 'CmdExecJob',
    triggers: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Copy', @step_name = N'robocopy', @subsystem = N'CmdExec', @command = N'robocopy a b'",
    ],
    nearMisses: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Copy', @step_name = N'CmdExec notes', @command = N'SELECT 1'",
    ],
  },
  {
    ruleId: 'ActiveScriptingJob',
    triggers: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Mail', @step_name = N'vbs', @subsystem = N'ActiveScripting', @command = N'MsgBox 1'",
    ],
    nearMisses: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Mail', @step_name = N'ActiveScripting was here', @command = N'SELECT 1'",
    ],
  },
  {
    ruleId: 'PowerShellJob',
    triggers: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Ps', @step_name = N'ps', @subsystem = N'PowerShell', @command = N'Get-ChildItem'",
    ],
    nearMisses: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Ps', @step_name = N'PowerShell later', @subsystem = N'TSQL', @command = N'SELECT 1'",
    ],
  },
  {
    ruleId: 'AnalysisCommandJob',
    triggers: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Cube', @subsystem = N'ANALYSISCOMMAND', @command = N'<Process/>'",
    ],
    nearMisses: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Cube', @subsystem = N'TSQL', @command = N'SELECT ''ANALYSISCOMMAND'''",
    ],
  },
  {
    ruleId: 'AnalysisQueryJob',
    triggers: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Mdx', @subsystem = N'ANALYSISQUERY', @command = N'SELECT 1'",
    ],
    nearMisses: ["EXEC msdb.dbo.sp_add_jobstep @job_name = N'Mdx', @command = N'SELECT 1'"],
  },
  {
    ruleId: 'MergeJob',
    triggers: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Repl', @subsystem = N'Merge', @command = N'-Publisher P'",
    ],
    nearMisses: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Repl', @command = N'MERGE dbo.t USING dbo.s ON 1 = 0 WHEN NOT MATCHED THEN INSERT DEFAULT VALUES;'",
    ],
  },
  {
    ruleId: 'QueueReaderJob',
    triggers: [
      "EXEC msdb.dbo.sp_add_jobstep @job_name = N'Repl', @subsystem = N'QueueReader', @command = N'-Distributor D'",
    ],
    nearMisses: ["EXEC msdb.dbo.sp_add_jobstep @job_name = N'QueueReader', @command = N'SELECT 1'"],
  },
];
