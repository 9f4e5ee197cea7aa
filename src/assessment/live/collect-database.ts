/**
 * One database's facts: compatibility level and size (from the database list), files and filegroups
 * (several log files, FILESTREAM, MEMORY_OPTIMIZED_DATA), FILESTREAM columns and FileTables,
 * memory-optimized tables and types, Windows users and aliases, CLR assemblies' permission sets, TDE,
 * and every module's definition run through the same code rules as a script, so that a live database
 * and its scripts give the same findings.
 */
import { assessScriptText } from '../detect/scan-script.js';
import type { ServiceTier } from '../rules/rule.js';
import type { InstanceContext } from './collect-instance.js';
import { formatBytes, maxInstanceStorageBytes } from './limits.js';
import {
  fact,
  flag,
  num,
  text,
  type LiveError,
  type LiveHit,
  type QueryRunner,
} from './live-hit.js';
import { databaseQueries, type LiveQuery } from './queries.js';

/** A database as the list of databases gives it. */
export interface LiveDatabase {
  readonly name: string;
  readonly compatibilityLevel: number;
  readonly sizeBytes: number;
}

export interface DatabaseFacts {
  readonly hits: readonly LiveHit[];
  readonly modules: number;
  readonly moduleChars: number;
}

const q = (id: string): LiveQuery => {
  const found = databaseQueries.find((x) => x.id === id);
  if (!found) throw new Error(`no live query ${id}`);
  return found;
};

/** sys.objects.type → the object types the script rules name. */
const objectTypes: Record<string, string> = {
  P: 'PROCEDURE',
  PC: 'PROCEDURE',
  FN: 'FUNCTION',
  IF: 'FUNCTION',
  TF: 'FUNCTION',
  FS: 'FUNCTION',
  FT: 'FUNCTION',
  V: 'VIEW',
  TR: 'TRIGGER',
  R: 'RULE',
  D: 'DEFAULT',
};

const systemUser = /^(dbo|guest|nt service\\|nt authority\\|builtin\\)/i;

export async function collectDatabase(
  runner: QueryRunner,
  database: LiveDatabase,
  instance: InstanceContext,
  tier: ServiceTier,
  errors: LiveError[],
  onStep: (step: string) => void,
): Promise<DatabaseFacts> {
  const name = database.name;
  const hits: LiveHit[] = [];
  const hit = (
    ruleId: string,
    source: string,
    type: string | null,
    object: string | null,
    detail: string,
  ): void => {
    hits.push({ ruleId, database: name, object: fact(source, type, object, detail) });
  };

  if (database.compatibilityLevel < 100)
    hit(
      'DbCompatLevelLowerThan100',
      'sys.databases',
      'DATABASE',
      name,
      `compatibility level ${database.compatibilityLevel}`,
    );
  if (database.sizeBytes > maxInstanceStorageBytes[tier])
    hit(
      'MIDatabaseSize',
      'sys.master_files',
      'DATABASE',
      name,
      `${formatBytes(database.sizeBytes)} of files; the tier holds at most ${formatBytes(maxInstanceStorageBytes[tier])}`,
    );
  const state = instance.encryptionStates.get(name);
  if (state !== undefined && state >= 2)
    hit(
      'TdeCertificate',
      'sys.dm_database_encryption_keys',
      'DATABASE',
      name,
      `encryption_state ${state} (${encryptionStates[state] ?? 'encrypted'})`,
    );

  onStep('databaseFiles');
  const files = (await runner.rows(q('databaseFiles'), name)) ?? [];
  const logs = files.filter((f) => text(f.typeDesc).toUpperCase() === 'LOG');
  if (logs.length > 1)
    for (const log of logs)
      hit(
        'MultipleLogFiles',
        'sys.database_files',
        'FILE',
        text(log.name),
        `log file ${text(log.physicalName)} (one of ${logs.length})`,
      );
  for (const file of files) {
    const group = text(file.filegroupType).trim().toUpperCase();
    if (group === 'FD')
      hit(
        'FileStream',
        'sys.database_files',
        'FILEGROUP',
        text(file.filegroup),
        `FILESTREAM container ${text(file.physicalName)}`,
      );
    else if (group === 'FX')
      hit(
        'MemoryOptimizedTables',
        'sys.database_files',
        'FILEGROUP',
        text(file.filegroup),
        `MEMORY_OPTIMIZED_DATA container ${text(file.physicalName)}`,
      );
  }

  onStep('filestreamColumns');
  for (const row of (await runner.rows(q('filestreamColumns'), name)) ?? [])
    hit(
      'FileStream',
      'sys.columns',
      'TABLE',
      `${text(row.schemaName)}.${text(row.tableName)}`,
      `FILESTREAM column ${text(row.columnName)}`,
    );
  onStep('fileTables');
  for (const row of (await runner.rows(q('fileTables'), name)) ?? [])
    hit(
      'FileStream',
      'sys.tables',
      'TABLE',
      `${text(row.schemaName)}.${text(row.tableName)}`,
      'FileTable',
    );
  onStep('memoryOptimizedObjects');
  for (const row of (await runner.rows(q('memoryOptimizedObjects'), name)) ?? [])
    hit(
      'MemoryOptimizedTables',
      text(row.kind) === 'TYPE' ? 'sys.table_types' : 'sys.tables',
      text(row.kind),
      `${text(row.schemaName)}.${text(row.name)}`,
      'MEMORY_OPTIMIZED = ON',
    );

  onStep('principals');
  for (const row of (await runner.rows(q('principals'), name)) ?? []) {
    const user = text(row.name);
    if (flag(row.isAlias)) {
      hit('DatabasePrincipalAlias', 'sys.sysusers', 'USER', user, 'alias (isaliased = 1)');
      continue;
    }
    const type = text(row.type).trim().toUpperCase();
    if ((type === 'U' || type === 'G') && !systemUser.test(user))
      hit(
        'WindowsAuthentication',
        'sys.database_principals',
        'USER',
        user,
        type === 'G' ? 'Windows group user' : 'Windows user',
      );
  }

  onStep('assemblies');
  for (const row of (await runner.rows(q('assemblies'), name)) ?? []) {
    const set = text(row.permissionSet).toUpperCase();
    if (!flag(row.isUserDefined) || (set !== 'SAFE_ACCESS' && set !== 'EXTERNAL_ACCESS')) continue;
    hit(
      'ClrStrictSecurity',
      'sys.assemblies',
      'ASSEMBLY',
      text(row.name),
      `PERMISSION_SET = ${set === 'SAFE_ACCESS' ? 'SAFE' : 'EXTERNAL_ACCESS'}${instance.clrStrictSecurity ? '' : '; the source does not enforce clr strict security'}`,
    );
  }

  onStep('modules');
  let modules = 0;
  let moduleChars = 0;
  let encrypted = 0;
  let after = 0;
  for (;;) {
    const page = (await runner.rows(q('modules'), name, { batch: modulesPerPage, after })) ?? [];
    for (const row of page) {
      const definition = row.definition;
      if (typeof definition !== 'string') {
        encrypted++;
        continue;
      }
      modules++;
      moduleChars += definition.length;
      hits.push(...moduleHits(name, row, definition, instance.nonSqlLinkedServers));
    }
    const last = page.at(-1);
    if (page.length < modulesPerPage || last === undefined) break;
    after = num(last.objectId);
  }
  if (encrypted > 0)
    errors.push({
      file: name,
      code: 'EncryptedModules',
      message: `${encrypted} module(s) of ${name} are encrypted (WITH ENCRYPTION): SQL Server does not give their definitions, so their code was not assessed. Assess their source scripts with --scripts.`,
    });
  return { hits, modules, moduleChars };
}

/** Modules read per statement. */
const modulesPerPage = 500;

/** The code rules' hits in one module's definition, placed in the module. */
function moduleHits(
  database: string,
  row: Readonly<Record<string, unknown>>,
  definition: string,
  nonSqlLinkedServers: Map<string, string>,
): LiveHit[] {
  const schema = text(row.schemaName);
  const objectName = schema ? `${schema}.${text(row.objectName)}` : text(row.objectName);
  const code = text(row.objectType).trim().toUpperCase();
  const objectType = objectTypes[code] ?? code;
  return assessScriptText(definition, { nonSqlLinkedServers }).map((found) => ({
    ruleId: found.ruleId,
    database,
    object: {
      file: 'sys.sql_modules',
      line: found.line,
      column: found.column,
      objectType,
      objectName,
      detail: found.detail,
    },
  }));
}

const encryptionStates: Record<number, string> = {
  2: 'encryption in progress',
  3: 'encrypted',
  4: 'key change in progress',
  5: 'decryption in progress',
  6: 'protection change in progress',
};
