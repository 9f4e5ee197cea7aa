/**
 * Every statement the SQL Server target sends, in one place, each with the documentation page it
 * follows (learn.microsoft.com, SQL Server 2012 and later unless said). Values are always bound
 * parameters: `RESTORE` takes variables for the database name, the backup devices, `FILE` and both
 * sides of `MOVE` ("RESTORE Statements - Arguments": `{ database_name | @database_name_var }`,
 * `{ DISK | URL } = { 'physical_backup_device_name' | @physical_backup_device_name_var }`,
 * `MOVE { 'logical_file_name_in_backup' | @logical_file_name_in_backup_var } TO
 * { 'operating_system_file_name' | @operating_system_file_name_var }`). Identifiers that cannot be
 * variables (`DROP DATABASE`, the credential's name) go through `quoteName`; the database name is
 * quoted the same way in `RESTORE` so that statements read as SQL Server's own tools print them.
 */
import { quoteName, type SqlParams } from '../../sql/index.js';

export interface Statement {
  readonly sql: string;
  readonly params: SqlParams;
}

/** Where a backup set is read from: its stripes (media families) in order, and its position. */
export interface BackupDevices {
  readonly kind: 'URL' | 'DISK';
  /** One per media family, family 1 first. */
  readonly paths: readonly string[];
  /** The set's position in appended media (`FILE =`); 1 for a file holding one set. */
  readonly position: number;
}

/**
 * SERVERPROPERTY (Transact-SQL): `ProductVersion` and `Edition`; HAS_PERMS_BY_NAME (Transact-SQL) with
 * a NULL securable for server permissions: `CREATE ANY DATABASE` (RESTORE of a new database: "RESTORE
 * Statements", Permissions) and `ALTER ANY CREDENTIAL` (CREATE CREDENTIAL, Permissions). 1 when held.
 */
export function instanceAndPermissions(): Statement {
  return {
    sql: [
      "SELECT CONVERT(nvarchar(128), SERVERPROPERTY('ProductVersion')) AS version,",
      "  CONVERT(nvarchar(128), SERVERPROPERTY('Edition')) AS edition,",
      "  HAS_PERMS_BY_NAME(NULL, NULL, 'CREATE ANY DATABASE') AS createAnyDatabase,",
      "  HAS_PERMS_BY_NAME(NULL, NULL, 'ALTER ANY CREDENTIAL') AS alterAnyCredential;",
    ].join('\n'),
    params: {},
  };
}

/** DB_ID (Transact-SQL): NULL when no database of that name exists. */
export function databaseId(name: string): Statement {
  return { sql: 'SELECT DB_ID(@name) AS databaseId;', params: { name } };
}

/** sys.databases (Transact-SQL): `state_desc` is RESTORING while logs can be applied. */
export function databaseState(name: string): Statement {
  return {
    sql: 'SELECT state_desc AS state FROM sys.databases WHERE name = @name;',
    params: { name },
  };
}

/**
 * sys.master_files (Transact-SQL): `redo_start_lsn` is "the LSN at which the next roll forward must
 * start", NULL unless the file is RESTORING or RECOVERY_PENDING. numeric(25,0) does not fit a JS
 * number, so it is read as text; the smallest over the files is the safe one (a log it calls
 * applied is applied to every file).
 */
export function redoStartLsn(name: string): Statement {
  return {
    sql: 'SELECT CONVERT(varchar(30), MIN(redo_start_lsn)) AS redoStartLsn FROM sys.master_files WHERE database_id = DB_ID(@name) AND redo_start_lsn IS NOT NULL;',
    params: { name },
  };
}

/**
 * CREATE CREDENTIAL (Transact-SQL) and "SQL Server back up to URL for Azure Blob Storage" (best
 * practices): for a SAS the credential is named after the container URL (no trailing `/`), its
 * IDENTITY is `SHARED ACCESS SIGNATURE` and its SECRET the token without the leading `?`; ALTER
 * CREDENTIAL when it exists. The secret cannot be a variable in that DDL, so it is bound as `@secret`
 * and quoted by SQL Server itself (REPLACE doubles `'`; QUOTENAME stops at 128 characters, shorter
 * than a SAS) in dynamic SQL: it never appears in the statement's text.
 */
export function upsertSasCredential(containerUrl: string, sasToken: string): Statement {
  const name = quoteName(containerUrl);
  return {
    sql: [
      `DECLARE @verb nvarchar(10) = CASE WHEN EXISTS (SELECT 1 FROM sys.credentials WHERE name = @name) THEN N'ALTER' ELSE N'CREATE' END;`,
      `DECLARE @ddl nvarchar(max) = @verb + N' CREDENTIAL ${name.replaceAll("'", "''")} WITH IDENTITY = N''SHARED ACCESS SIGNATURE'', SECRET = N''' + REPLACE(@secret, N'''', N'''''') + N''';';`,
      'EXEC (@ddl);',
    ].join('\n'),
    params: { name: containerUrl, secret: sasToken },
  };
}

/**
 * RESTORE HEADERONLY (Transact-SQL): `EncryptorThumbprint` is the certificate an encrypted backup
 * (BACKUP … WITH ENCRYPTION) needs on the restoring instance. sqlmig's own reader does not decode it.
 */
export function headerOnly(devices: BackupDevices): Statement {
  const from = fromClause(devices);
  return { sql: `RESTORE HEADERONLY FROM ${from.sql};`, params: from.params };
}

/**
 * RESTORE FILELISTONLY (Transact-SQL): the files of the set (`LogicalName`, `PhysicalName`, `Type`,
 * `FileId`) and `TDEThumbprint`, the certificate protecting the database encryption key of a
 * TDE-protected database.
 */
export function fileListOnly(devices: BackupDevices): Statement {
  const from = fromClause(devices);
  const file = fileOption(devices);
  return {
    sql: `RESTORE FILELISTONLY FROM ${from.sql}${file ? ` WITH ${file}` : ''};`,
    params: { ...from.params, ...(file ? { file: devices.position } : {}) },
  };
}

/**
 * sys.certificates and sys.asymmetric_keys (Transact-SQL), in master: a backup's encryptor is a
 * certificate or an asymmetric key (RESTORE HEADERONLY's `EncryptorType` says which), TDE's is a
 * certificate. Each row says which kind it is.
 */
export function encryptorsByThumbprint(thumbprints: readonly Uint8Array[]): Statement {
  const params: Record<string, Uint8Array> = {};
  thumbprints.forEach((t, i) => (params[`thumbprint${i}`] = t));
  const list = Object.keys(params)
    .map((p) => `@${p}`)
    .join(', ');
  return {
    sql: [
      `SELECT name, thumbprint, N'CERTIFICATE' AS kind FROM master.sys.certificates WHERE thumbprint IN (${list})`,
      `UNION ALL SELECT name, thumbprint, N'ASYMMETRIC KEY' AS kind FROM master.sys.asymmetric_keys WHERE thumbprint IN (${list});`,
    ].join('\n'),
    params,
  };
}

/**
 * SERVERPROPERTY (Transact-SQL): `InstanceDefaultDataPath` / `InstanceDefaultLogPath` (SQL Server
 * 2012 and later, NULL before); sys.master_files: master's own data and log files (file_id 1 and 2),
 * whose folder is the fallback on older versions.
 */
export function defaultPaths(): Statement {
  return {
    sql: [
      "SELECT CONVERT(nvarchar(260), SERVERPROPERTY('InstanceDefaultDataPath')) AS dataPath,",
      "  CONVERT(nvarchar(260), SERVERPROPERTY('InstanceDefaultLogPath')) AS logPath,",
      '  (SELECT physical_name FROM sys.master_files WHERE database_id = 1 AND file_id = 1) AS masterDataFile,',
      '  (SELECT physical_name FROM sys.master_files WHERE database_id = 1 AND file_id = 2) AS masterLogFile;',
    ].join('\n'),
    params: {},
  };
}

/**
 * RESTORE Statements (Transact-SQL), "Restore a full database" and "Restore a database and move
 * files": a full or differential backup set, NORECOVERY so that logs can follow; CHECKSUM when the
 * set has backup checksums (RESTORE … WITH CHECKSUM on a set without them fails, error 3187); MOVE
 * for every file of the full's file list; STATS = 10 (progress messages every 10 %).
 */
export function restoreDatabase(
  databaseName: string,
  devices: BackupDevices,
  checksum: boolean,
  moves: readonly { readonly logicalName: string; readonly physicalName: string }[],
): Statement {
  const from = fromClause(devices);
  const params: Record<string, string | number> = { ...from.params };
  const options: string[] = [];
  const file = fileOption(devices);
  if (file) {
    options.push(file);
    params.file = devices.position;
  }
  options.push('NORECOVERY');
  if (checksum) options.push('CHECKSUM');
  moves.forEach((move, i) => {
    options.push(`MOVE @logical${i} TO @physical${i}`);
    params[`logical${i}`] = move.logicalName;
    params[`physical${i}`] = move.physicalName;
  });
  options.push('STATS = 10');
  return {
    sql: `RESTORE DATABASE ${quoteName(databaseName)} FROM ${from.sql} WITH ${options.join(', ')};`,
    params,
  };
}

/**
 * RESTORE Statements (Transact-SQL), "Restore a transaction log" / "Apply transaction log backups":
 * each log WITH NORECOVERY, in sequence. SQL Server refuses a log that ends before the database's
 * redo point (MSSQLSERVER_4326, "too early": already in) and one that starts after it
 * (MSSQLSERVER_4305, "too recent": a log is missing); either is followed by 3013, "RESTORE LOG is
 * terminating abnormally".
 */
export function restoreLog(
  databaseName: string,
  devices: BackupDevices,
  checksum: boolean,
): Statement {
  const from = fromClause(devices);
  const file = fileOption(devices);
  const options = [...(file ? [file] : []), 'NORECOVERY', ...(checksum ? ['CHECKSUM'] : [])];
  return {
    sql: `RESTORE LOG ${quoteName(databaseName)} FROM ${from.sql} WITH ${options.join(', ')};`,
    params: { ...from.params, ...(file ? { file: devices.position } : {}) },
  };
}

/** RESTORE Statements (Transact-SQL), "Recover a database without restoring data": the cutover. */
export function recoverDatabase(databaseName: string): Statement {
  return { sql: `RESTORE DATABASE ${quoteName(databaseName)} WITH RECOVERY;`, params: {} };
}

/** DROP DATABASE (Transact-SQL): a database in the RESTORING state can be dropped. */
export function dropDatabase(databaseName: string): Statement {
  return { sql: `DROP DATABASE ${quoteName(databaseName)};`, params: {} };
}

/** `URL = @url0, URL = @url1` (or `DISK = @disk0, …`): one device per stripe, up to 64. */
function fromClause(devices: BackupDevices): { sql: string; params: Record<string, string> } {
  const prefix = devices.kind === 'URL' ? 'url' : 'disk';
  const params: Record<string, string> = {};
  const parts = devices.paths.map((path, i) => {
    params[`${prefix}${i}`] = path;
    return `${devices.kind} = @${prefix}${i}`;
  });
  return { sql: parts.join(', '), params };
}

function fileOption(devices: BackupDevices): string | null {
  return devices.position === 1 ? null : 'FILE = @file';
}
