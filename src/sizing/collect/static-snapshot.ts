/**
 * The static data, re-read on its own interval: one instance record (edition, CPUs, memory setting,
 * databases, sizes, logins) and one record per file of every user database (size, and whether the
 * database has a memory-optimized filegroup, which the General Purpose tier cannot take). A database's
 * filegroups are read only from 2014 (earlier versions have none), only when it is online, and only
 * when it has a FILESTREAM-type file, which is how `sys.master_files` shows memory-optimized
 * containers — so a source with hundreds of databases is not asked hundreds of questions a minute.
 * A database the login cannot enter (error 916: no user there, guest off) is listed as unreadable and
 * taken as having none, rather than ending the collection.
 */
import type { SqlConnection } from '../../sql/index.js';
import type { DbLevelRecord, InstanceLevelRecord } from '../perf-data/records.js';
import { CollectError } from './collect-error.js';
import { dmvQuery, inDatabase, requiredDmvQuery } from './dmv-queries.js';
import { numberIn, onlyRow, optionalTextIn, textIn } from './row-values.js';
import { runQuery } from './run-query.js';
import type { SourceFacts } from './source-facts.js';

export interface StaticSnapshot {
  readonly instance: InstanceLevelRecord;
  readonly files: readonly DbLevelRecord[];
  /** Databases whose filegroups could not be read, with why. */
  readonly unreadable: readonly { readonly database: string; readonly reason: string }[];
}

export async function readStaticSnapshot(
  connection: SqlConnection,
  facts: SourceFacts,
): Promise<StaticSnapshot> {
  const run = async (id: 'instanceStatic' | 'databaseFiles' | 'sysInfo') =>
    runQuery(connection, id, requiredDmvQuery(id, facts.version).sql, facts.loginName);
  const row = onlyRow(await run('instanceStatic'), 'instanceStatic');
  const info = onlyRow(await run('sysInfo'), 'sysInfo');
  const at = textIn(row, 'serverTime', 'instanceStatic');
  const logicalCpuCount = numberIn(info, 'logicalCpuCount', 'sysInfo');
  const hyperthreadRatio = numberIn(info, 'hyperthreadRatio', 'sysInfo');
  const instance: InstanceLevelRecord = {
    serverName: facts.serverName,
    edition: optionalTextIn(row, 'edition', 'instanceStatic') ?? '',
    hyperthreadRatio,
    isClustered: numberIn(row, 'isClustered', 'instanceStatic') === 1,
    isHadrEnabled: numberIn(row, 'isHadrEnabled', 'instanceStatic') === 1,
    logicalCpuCount,
    maxServerMemoryInUse: numberIn(row, 'maxServerMemoryMb', 'instanceStatic'),
    numberCoresUsed: numberIn(row, 'coresUsed', 'instanceStatic'),
    numberOfUserDatabases: numberIn(row, 'userDatabases', 'instanceStatic'),
    physicalCpuCount: Math.max(1, Math.floor(logicalCpuCount / Math.max(1, hyperthreadRatio))),
    productVersion: facts.version.productVersion,
    sqlStartTime: textIn(info, 'sqlStartTime', 'sysInfo'),
    sumOfUserDatabasesSize: numberIn(row, 'userDatabasesSizeMb', 'instanceStatic'),
    tempDbSize: numberIn(row, 'tempDbSizeMb', 'instanceStatic'),
    numOfLogins: numberIn(row, 'logins', 'instanceStatic'),
    timeDataCollected: at,
  };
  const fileRows = (await run('databaseFiles')).map((r) => ({
    databaseName: textIn(r, 'databaseName', 'databaseFiles'),
    state: optionalTextIn(r, 'state', 'databaseFiles') ?? 'ONLINE',
    logicalName: textIn(r, 'logicalName', 'databaseFiles'),
    physicalName: textIn(r, 'physicalName', 'databaseFiles'),
    fileType: textIn(r, 'fileType', 'databaseFiles'),
    sizePages: numberIn(r, 'sizePages', 'databaseFiles'),
  }));
  const memoryOptimized = new Set<string>();
  const unreadable: { database: string; reason: string }[] = [];
  const filegroups = dmvQuery('memoryOptimizedFilegroups', facts.version);
  if (filegroups) {
    const candidates = new Set(
      fileRows
        .filter((f) => f.fileType === 'FILESTREAM' && f.state === 'ONLINE')
        .map((f) => f.databaseName),
    );
    for (const name of candidates) {
      try {
        const rows = await runQuery(
          connection,
          filegroups.id,
          inDatabase(filegroups, name),
          facts.loginName,
        );
        if (rows[0] && numberIn(rows[0], 'memoryOptimized', filegroups.id) > 0)
          memoryOptimized.add(name);
      } catch (error) {
        if (!(error instanceof CollectError)) throw error;
        unreadable.push({ database: name, reason: error.message });
      }
    }
  }
  const files = fileRows.map((f): DbLevelRecord => ({
    serverName: facts.serverName,
    databaseName: f.databaseName,
    logicalName: f.logicalName,
    physicalFullName: f.physicalName,
    fileType: capitalised(f.fileType),
    sizeMB: (f.sizePages * 8) / 1024,
    isMemoryOptimizedDataOptionEnabled: memoryOptimized.has(f.databaseName),
    timeDataCollected: at,
  }));
  return { instance, files, unreadable };
}

/** `ROWS` → `Rows`, `LOG` → `Log`, as the reference's database file names its types. */
function capitalised(typeDesc: string): string {
  return typeDesc.charAt(0).toUpperCase() + typeDesc.slice(1).toLowerCase();
}
