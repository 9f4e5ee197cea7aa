/**
 * The collector's questions to a source, against a scripted source (a stand-in that answers as SQL
 * Server would, refusing a column the modelled version lacks): the first check (version, permissions),
 * the query shapes of SQL Server 2008 R2 and 2019, and the static data.
 */
import { describe, expect, it } from 'vitest';

import {
  CollectError,
  dmvQueries,
  dmvQuery,
  parseSqlServerVersion,
  readSourceFacts,
  readStaticSnapshot,
  takeSample,
} from '../../../src/sizing/collect/index.js';
import { ScriptedSqlSource } from '../../support/scripted-sql-source.js';

async function failure(promise: Promise<unknown>): Promise<CollectError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CollectError) return error;
    throw error;
  }
  throw new Error('expected a CollectError');
}

describe('the first check', () => {
  it('reads the version, names and CPUs of a SQL Server 2019 default instance', async () => {
    const source = new ScriptedSqlSource();
    const facts = await readSourceFacts(source.connection);
    expect(facts).toMatchObject({
      version: { productVersion: '15.0.4355.3', major: 15, minor: 0 },
      serverName: 'SQL01',
      filePrefix: 'SQL01,MSSQLSERVER',
      loginName: 'perf_reader',
      logicalCpuCount: 4,
      hyperthreadRatio: 2,
      coresUsed: 4,
      physicalMemoryMb: 16_384,
    });
    expect(source.sentSql.some((s) => s.includes('physical_memory_kb'))).toBe(true);
  });

  it('asks SQL Server 2008 R2 for physical_memory_in_bytes, and names a named instance HOST,INSTANCE', async () => {
    const source = new ScriptedSqlSource();
    source.productVersion = '10.50.6592.0';
    source.instanceName = 'SALES';
    const facts = await readSourceFacts(source.connection);
    expect(facts.physicalMemoryMb).toBe(16_384);
    expect(facts.serverName).toBe('SQL01\\SALES');
    expect(facts.filePrefix).toBe('SQL01,SALES');
    expect(source.sentSql.some((s) => s.includes('physical_memory_in_bytes'))).toBe(true);
    expect(source.sentSql.some((s) => s.includes('physical_memory_kb'))).toBe(false);
  });

  it('the stand-in refuses the other shape, as SQL Server does (error 207)', async () => {
    const source = new ScriptedSqlSource();
    source.productVersion = '10.50.6592.0';
    const v2019 = parseSqlServerVersion('15.0.2000.5', 'test');
    const sql = dmvQuery('sysInfo', v2019)?.sql ?? '';
    await expect(source.connection.query(sql)).rejects.toThrow(
      /Invalid column name 'physical_memory_kb'/,
    );
  });

  it('refuses a login without VIEW SERVER STATE, giving the GRANT to run', async () => {
    const source = new ScriptedSqlSource();
    source.viewServerState = 0;
    const error = await failure(readSourceFacts(source.connection));
    expect(error.code).toBe('PermissionDenied');
    expect(error.message).toContain('lacks VIEW SERVER STATE');
    expect(error.message).toContain('GRANT VIEW SERVER STATE TO [perf_reader];');
    expect(source.sentSql).toHaveLength(1);
  });

  it("refuses a login without VIEW ANY DEFINITION (other databases' files are hidden from it)", async () => {
    const source = new ScriptedSqlSource();
    source.viewAnyDefinition = 0;
    source.login = 'dom]ain\\reader';
    const error = await failure(readSourceFacts(source.connection));
    expect(error.code).toBe('PermissionDenied');
    expect(error.message).toContain('GRANT VIEW ANY DEFINITION TO [dom]]ain\\reader];');
  });

  it('refuses SQL Server 2005 and text that is no version', async () => {
    const source = new ScriptedSqlSource();
    source.productVersion = '9.00.5000.00';
    const old = await failure(readSourceFacts(source.connection));
    expect(old.code).toBe('UnsupportedVersion');
    expect(old.message).toContain('SQL Server 2005 (9.00.5000.00)');
    expect(old.message).toContain('SQL Server 2008 or later');
    expect(() => parseSqlServerVersion(null, 'SQL01')).toThrow(/not a SQL Server version number/);
  });

  it('turns a permission refused mid-run (error 300) into PermissionDenied', async () => {
    const source = new ScriptedSqlSource().addDatabase('Sales');
    const facts = await readSourceFacts(source.connection);
    source.failing = {
      pattern: /dm_os_buffer_descriptors/,
      number: 300,
      message: "VIEW SERVER STATE permission was denied on object 'server', database 'master'.",
    };
    const error = await failure(takeSample(source.connection, facts, 0));
    expect(error.code).toBe('PermissionDenied');
    expect(error.message).toContain('GRANT VIEW SERVER STATE TO [perf_reader];');
  });
});

describe('the queries as data', () => {
  it('has one shape of each query per supported version, 2008 to 2022', () => {
    const ids = [...new Set(dmvQueries.map((q) => q.id))];
    for (const major of [10, 11, 12, 13, 14, 15, 16]) {
      const version = { productVersion: `${major}.0.1.0`, major, minor: 0 };
      for (const id of ids) {
        const shapes = dmvQueries.filter(
          (q) =>
            q.id === id &&
            major >= q.sinceMajor &&
            (q.untilMajor === undefined || major <= q.untilMajor),
        );
        expect(shapes.length, `${id} on ${major}`).toBe(
          id === 'memoryOptimizedFilegroups' && major < 12 ? 0 : 1,
        );
        expect(dmvQuery(id, version)).toBe(shapes[0]);
      }
    }
  });
});

describe('the static data', () => {
  it('lists every user database file with its size, and the instance', async () => {
    const source = new ScriptedSqlSource()
      .addDatabase('Sales', [{ sizePages: 25_080 }, { type: 'LOG', sizePages: 480 }])
      .addDatabase('HR');
    const facts = await readSourceFacts(source.connection);
    const snapshot = await readStaticSnapshot(source.connection, facts);
    expect(snapshot.instance).toMatchObject({
      serverName: 'SQL01',
      edition: 'Enterprise Edition (64-bit)',
      hyperthreadRatio: 2,
      logicalCpuCount: 4,
      physicalCpuCount: 2,
      numberCoresUsed: 4,
      numberOfUserDatabases: 2,
      productVersion: '15.0.4355.3',
      sqlStartTime: '2026-03-01 06:00:00',
      isHadrEnabled: true,
      maxServerMemoryInUse: 2_147_483_647,
      timeDataCollected: '2026-03-02 09:00:00',
    });
    expect(
      snapshot.files.map((f) => [f.databaseName, f.logicalName, f.fileType, f.sizeMB]),
    ).toEqual([
      ['Sales', 'Sales', 'Rows', 195.9375],
      ['Sales', 'Sales_log', 'Log', 3.75],
      ['HR', 'HR', 'Rows', 8],
      ['HR', 'HR_log', 'Log', 8],
    ]);
  });

  it('marks a database with a memory-optimized filegroup (2014 on), asking only databases with such files', async () => {
    const source = new ScriptedSqlSource()
      .addDatabase('Sales', [
        {},
        { type: 'LOG' },
        { type: 'FILESTREAM', physicalName: 'D:\\Data\\Sales_imoltp' },
      ])
      .addDatabase('Docs', [
        {},
        { type: 'LOG' },
        { type: 'FILESTREAM', physicalName: 'D:\\Data\\Docs_fs' },
      ])
      .addDatabase('Gone', [{}, { type: 'FILESTREAM', physicalName: 'D:\\Data\\Gone_x' }])
      .addDatabase('HR');
    source.memoryOptimized.add('Sales');
    source.offline.add('Gone');
    const facts = await readSourceFacts(source.connection);
    const snapshot = await readStaticSnapshot(source.connection, facts);
    const flagged = new Set(
      snapshot.files.filter((f) => f.isMemoryOptimizedDataOptionEnabled).map((f) => f.databaseName),
    );
    expect([...flagged]).toEqual(['Sales']);
    expect(snapshot.files.find((f) => f.physicalFullName === 'D:\\Data\\Docs_fs')?.fileType).toBe(
      'Filestream',
    );
    const asked = source.sentSql.filter((s) => s.includes('sys.filegroups'));
    expect(asked).toEqual([
      "SELECT COUNT(*) AS memoryOptimized FROM [Sales].sys.filegroups WHERE type = N'FX'",
      "SELECT COUNT(*) AS memoryOptimized FROM [Docs].sys.filegroups WHERE type = N'FX'",
    ]);
  });

  it('lists a database the login cannot enter (error 916) as unreadable instead of failing', async () => {
    const source = new ScriptedSqlSource()
      .addDatabase('Sales', [{}, { type: 'FILESTREAM', physicalName: 'D:\\Data\\Sales_imoltp' }])
      .addDatabase('Vault', [{}, { type: 'FILESTREAM', physicalName: 'D:\\Data\\Vault_imoltp' }]);
    source.memoryOptimized.add('Sales');
    const facts = await readSourceFacts(source.connection);
    source.failing = {
      pattern: /\[Vault\]\.sys\.filegroups/,
      number: 916,
      message:
        'The server principal "perf_reader" is not able to access the database "Vault" under the current security context.',
    };
    const snapshot = await readStaticSnapshot(source.connection, facts);
    expect(snapshot.unreadable.map((u) => u.database)).toEqual(['Vault']);
    expect(snapshot.unreadable[0]?.reason).toContain('not able to access the database "Vault"');
    const flagged = snapshot.files.filter((f) => f.isMemoryOptimizedDataOptionEnabled);
    expect(new Set(flagged.map((f) => f.databaseName))).toEqual(new Set(['Sales']));
  });

  it('does not ask SQL Server 2008 R2 for memory-optimized filegroups (it has none)', async () => {
    const source = new ScriptedSqlSource().addDatabase('Sales', [{}, { type: 'FILESTREAM' }]);
    source.productVersion = '10.50.6592.0';
    const facts = await readSourceFacts(source.connection);
    const snapshot = await readStaticSnapshot(source.connection, facts);
    expect(snapshot.files.every((f) => !f.isMemoryOptimizedDataOptionEnabled)).toBe(true);
    expect(snapshot.instance.isHadrEnabled).toBe(false);
    expect(source.sentSql.some((s) => s.includes('sys.filegroups'))).toBe(false);
  });
});
