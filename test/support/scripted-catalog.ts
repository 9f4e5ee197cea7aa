/**
 * TEST STAND-IN — the catalog of an imagined SQL Server instance, answered through the scripted SQL
 * connection (`scripted-sql.ts`). It is not SQL Server: each statement the live assessment sends is
 * recognised by the view it reads and answered with the rows described here (for a database's
 * statement, that database's rows; its modules a page at a time, by `@after` and `@batch`). Like an
 * old instance, one older than 2012 refuses a statement naming `is_filetable` and one older than 2014
 * `is_memory_optimized` (error 207, invalid column), so the version gates are exercised against the
 * error a real instance would give.
 */
import type { SqlRow } from '../../src/sql/index.js';
import { ScriptedSqlConnection, serverError, type SentStatement } from './scripted-sql.js';

export interface CatalogDatabase {
  readonly name: string;
  readonly compatibilityLevel?: number;
  /** Data and log files together, in 8 KiB pages (default 1280: 10 MiB). */
  readonly sizePages?: number | string;
  readonly state?: string;
  readonly isDistributor?: boolean;
  readonly canConnect?: boolean;
  readonly files?: readonly SqlRow[];
  readonly filestreamColumns?: readonly SqlRow[];
  readonly fileTables?: readonly SqlRow[];
  readonly memoryOptimizedObjects?: readonly SqlRow[];
  readonly principals?: readonly SqlRow[];
  readonly assemblies?: readonly SqlRow[];
  readonly modules?: readonly SqlRow[];
}

export interface CatalogPermissions {
  readonly sysadmin: boolean;
  readonly viewServerState: boolean;
  readonly viewAnyDefinition: boolean;
  readonly msdbConnect: boolean;
  readonly msdbJobs: boolean;
  readonly msdbJobSteps: boolean;
}

export interface ScriptedCatalog {
  /** Default 16.0.1000.6 (SQL Server 2022 RTM). */
  readonly productVersion?: string;
  readonly edition?: string;
  readonly serverName?: string;
  readonly login?: string;
  /** Default: a member of sysadmin (every permission). */
  readonly permissions?: Partial<CatalogPermissions>;
  readonly databases?: readonly CatalogDatabase[];
  readonly configuration?: readonly SqlRow[];
  readonly linkedServers?: readonly SqlRow[];
  readonly logins?: readonly SqlRow[];
  readonly serverAudits?: readonly SqlRow[];
  readonly cryptographicProviders?: readonly SqlRow[];
  readonly traceFlags?: readonly SqlRow[];
  readonly credentials?: readonly SqlRow[];
  readonly userMessages?: readonly SqlRow[];
  readonly extendedProcedures?: readonly SqlRow[];
  readonly encryptionKeys?: readonly SqlRow[];
  readonly agentJobSteps?: readonly SqlRow[];
  readonly msdbObjects?: readonly SqlRow[];
}

/** The database a statement reads by three-part name (`[Sales].sys.…`, `]]` undoubled). */
export function databaseOf(sql: string): string {
  const found = /\[((?:[^\]]|\]\])+)\]\.sys\./.exec(sql);
  if (!found?.[1]) throw new Error(`statement names no database: ${sql}`);
  return found[1].replaceAll(']]', ']');
}

type DatabaseRows = Exclude<
  keyof CatalogDatabase,
  'name' | 'compatibilityLevel' | 'sizePages' | 'state' | 'isDistributor' | 'canConnect'
>;

/** A scripted connection answering the live assessment's statements from `catalog`. */
export function scriptCatalog(
  catalog: ScriptedCatalog,
  connection = new ScriptedSqlConnection(),
): ScriptedSqlConnection {
  const major = Number((catalog.productVersion ?? '16.0.1000.6').split('.')[0]);
  const databases = catalog.databases ?? [];
  const perDatabase =
    (key: DatabaseRows) =>
    (sent: SentStatement): readonly SqlRow[] => {
      const name = databaseOf(sent.sql);
      const db = databases.find((d) => d.name === name);
      if (!db) throw serverError([911, `Database '${name}' does not exist.`]);
      return db[key] ?? [];
    };
  const gated =
    (sinceMajor: number, column: string, key: DatabaseRows) => (sent: SentStatement) => {
      if (major < sinceMajor) throw serverError([207, `Invalid column name '${column}'.`]);
      return perDatabase(key)(sent);
    };
  const permissions: CatalogPermissions = {
    sysadmin: true,
    viewServerState: true,
    viewAnyDefinition: true,
    msdbConnect: true,
    msdbJobs: true,
    msdbJobSteps: true,
    ...catalog.permissions,
  };
  const bit = (b: boolean): number => (b ? 1 : 0);
  return connection
    .on(/HAS_PERMS_BY_NAME\(NULL, NULL, 'VIEW SERVER STATE'\)/, [
      {
        productVersion: catalog.productVersion ?? '16.0.1000.6',
        edition: catalog.edition ?? 'Developer Edition (64-bit)',
        serverName: catalog.serverName ?? 'SQL01',
        login: catalog.login ?? 'assessor',
        sysadmin: bit(permissions.sysadmin),
        viewServerState: bit(permissions.viewServerState),
        viewAnyDefinition: bit(permissions.viewAnyDefinition),
        msdbConnect: bit(permissions.msdbConnect),
        msdbJobs: bit(permissions.msdbJobs),
        msdbJobSteps: bit(permissions.msdbJobSteps),
      },
    ])
    .on(
      /FROM sys\.databases d/,
      databases.map((d, i) => ({
        name: d.name,
        databaseId: i + 5,
        compatibilityLevel: d.compatibilityLevel ?? major * 10,
        state: d.state ?? 'ONLINE',
        isDistributor: d.isDistributor ?? false,
        canConnect: bit(d.canConnect ?? true),
        sizePages: d.sizePages ?? '1280',
      })),
    )
    .on(/FROM sys\.configurations/, catalog.configuration ?? [])
    .on(/FROM sys\.servers/, catalog.linkedServers ?? [])
    .on(/FROM sys\.server_principals/, catalog.logins ?? [])
    .on(/FROM sys\.server_audits/, catalog.serverAudits ?? [])
    .on(/FROM sys\.cryptographic_providers/, catalog.cryptographicProviders ?? [])
    .on(/^DBCC TRACESTATUS\(-1\)/, catalog.traceFlags ?? [])
    .on(/FROM sys\.credentials/, catalog.credentials ?? [])
    .on(/FROM sys\.messages/, catalog.userMessages ?? [])
    .on(/FROM master\.sys\.extended_procedures/, catalog.extendedProcedures ?? [])
    .on(/FROM sys\.dm_database_encryption_keys/, catalog.encryptionKeys ?? [])
    .on(/FROM msdb\.dbo\.sysjobs j/, catalog.agentJobSteps ?? [])
    .on(/msdb\.dbo\.sysoperators/, catalog.msdbObjects ?? [])
    .on(/\.sys\.database_files/, perDatabase('files'))
    .on(/is_filestream = 1/, perDatabase('filestreamColumns'))
    .on(/is_filetable = 1/, gated(11, 'is_filetable', 'fileTables'))
    .on(/is_memory_optimized = 1/, gated(12, 'is_memory_optimized', 'memoryOptimizedObjects'))
    .on(/\.sys\.database_principals/, perDatabase('principals'))
    .on(/\.sys\.assemblies/, perDatabase('assemblies'))
    .on(/\.sys\.sql_modules/, (sent) => {
      // A page: the modules after @after by object id (given, or 1000 + the position), @batch of them.
      const after = Number(sent.params.after ?? 0);
      const batch = Number(sent.params.batch ?? Infinity);
      return perDatabase('modules')(sent)
        .map((row, i): SqlRow => ({ objectId: 1000 + i, ...row }))
        .filter((row) => Number(row.objectId) > after)
        .sort((a, b) => Number(a.objectId) - Number(b.objectId))
        .slice(0, batch);
    });
}
