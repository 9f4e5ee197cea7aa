/**
 * The live assessment over the scripted catalog (a stand-in): the same findings as the scripts of
 * the same code, SQL Server 2008 and 2022 catalogs, permissions checked before anything is read,
 * the databases filter, progress, and what a refused or unreadable part becomes in the report.
 */
import { describe, expect, it } from 'vitest';

import {
  AssessmentError,
  assessLive,
  assessScriptText,
  renderAssessmentHtml,
  renderAssessmentText,
  type LiveProgress,
} from '../../../src/assessment/index.js';
import { scriptCatalog, type ScriptedCatalog } from '../../support/scripted-catalog.js';
import { serverError } from '../../support/scripted-sql.js';

const procedure = [
  'CREATE PROCEDURE [dbo].[Nightly]',
  'AS',
  'BEGIN',
  "  EXEC master..xp_cmdshell 'dir C:\\export';",
  '  SELECT a.id FROM a, b WHERE a.id *= b.id;',
  "  EXEC ('BACKUP DATABASE Sales TO DISK = ''C:\\b.bak''');",
  'END',
].join('\n');

const salesOnly: ScriptedCatalog = {
  databases: [
    {
      name: 'Sales',
      modules: [
        { schemaName: 'dbo', objectName: 'Nightly', objectType: 'P ', definition: procedure },
      ],
    },
  ],
};

async function rejection(promise: Promise<unknown>): Promise<AssessmentError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AssessmentError) return error;
    throw error;
  }
  throw new Error('expected the assessment to fail');
}

describe('assessLive', () => {
  it('gives a module the findings its script gives, at the same lines, naming the object', async () => {
    const report = await assessLive(scriptCatalog(salesOnly));
    const sales = report.servers[0]?.databases[0];
    const live = sales?.findings.flatMap((f) =>
      f.impactedObjects.map((o) => [
        f.ruleId,
        o.line,
        o.column,
        o.objectType,
        o.objectName,
        o.file,
      ]),
    );
    const scripted = assessScriptText(procedure).map((h) => [
      h.ruleId,
      h.line,
      h.column,
      'PROCEDURE',
      'dbo.Nightly',
      'sys.sql_modules',
    ]);
    expect(scripted.map((h) => h[0]).sort()).toEqual([
      'BackupToDisk',
      'NonANSILeftOuterJoinSyntax',
      'XpCmdshell',
    ]);
    expect(live?.sort()).toEqual(scripted.sort());
    expect(report).toMatchObject({ mode: 'live', sources: { files: 0, scripts: 1 } });
    expect(sales?.readiness).toBe('ReadyWithWarnings');
  });

  it('reads the modules a page of 500 at a time, each once', async () => {
    const modules = Array.from({ length: 1001 }, (_, i) => ({
      schemaName: 'dbo',
      objectName: `P${i}`,
      objectType: 'P ',
      definition: i % 250 === 0 ? `CREATE PROC dbo.P${i} AS EXEC xp_cmdshell 'dir'` : 'SELECT 1',
    }));
    const connection = scriptCatalog({ databases: [{ name: 'Big', modules }] });
    const report = await assessLive(connection);
    const pages = connection.sent.filter((s) => s.sql.includes('sys.sql_modules'));
    expect(pages.map((p) => p.params)).toEqual([
      { batch: 500, after: 0 },
      { batch: 500, after: 1499 },
      { batch: 500, after: 1999 },
    ]);
    expect(report.sources.scripts).toBe(1001);
    const found = report.servers[0]?.databases[0]?.findings[0];
    expect(found?.ruleId).toBe('XpCmdshell');
    expect(found?.impactedObjects.map((o) => o.objectName)).toEqual([
      'dbo.P0',
      'dbo.P250',
      'dbo.P500',
      'dbo.P750',
      'dbo.P1000',
    ]);
  });

  it('reads a SQL Server 2008 catalog without the columns it lacks, and a 2022 one with them', async () => {
    const catalog: ScriptedCatalog = {
      databases: [
        {
          name: 'Cart',
          memoryOptimizedObjects: [{ kind: 'TABLE', schemaName: 'dbo', name: 'Basket' }],
          fileTables: [{ schemaName: 'dbo', tableName: 'Scans' }],
        },
      ],
    };
    const old = scriptCatalog({ ...catalog, productVersion: '10.0.6000.29' });
    const oldReport = await assessLive(old);
    expect(oldReport.errors).toEqual([]);
    expect(old.sent.some((s) => s.sql.includes('is_memory_optimized'))).toBe(false);
    expect(old.sent.some((s) => s.sql.includes('is_filetable'))).toBe(false);
    expect(oldReport.servers[0]?.instance).toMatchObject({
      release: 'SQL Server 2008',
      productVersion: '10.0.6000.29',
    });
    expect(oldReport.servers[0]?.databases[0]?.readiness).toBe('Ready');

    const r2 = await assessLive(scriptCatalog({ ...catalog, productVersion: '10.50.6000.34' }));
    expect(r2.servers[0]?.instance?.release).toBe('SQL Server 2008 R2');

    const current = scriptCatalog({ ...catalog, productVersion: '16.0.4135.4' });
    const report = await assessLive(current);
    expect(current.sent.filter((s) => /is_memory_optimized|is_filetable/.test(s.sql))).toHaveLength(
      2,
    );
    expect(report.servers[0]?.instance?.release).toBe('SQL Server 2022');
    expect(report.servers[0]?.databases[0]?.findings.map((f) => f.ruleId)).toEqual([
      'FileStream',
      'MemoryOptimizedTables',
    ]);
    expect(report.servers[0]?.databases[0]?.readiness).toBe('NotReady');
  });

  it('drops In-Memory OLTP for Business Critical, where it works', async () => {
    const catalog = scriptCatalog({
      databases: [
        {
          name: 'Cart',
          memoryOptimizedObjects: [{ kind: 'TYPE', schemaName: 'dbo', name: 'Ids' }],
        },
      ],
    });
    const report = await assessLive(catalog, { tier: 'BusinessCritical' });
    expect(report.servers[0]?.databases[0]).toMatchObject({ readiness: 'Ready', findings: [] });
  });

  it('refuses an instance older than SQL Server 2008', async () => {
    const error = await rejection(assessLive(scriptCatalog({ productVersion: '9.00.5000.00' })));
    expect(error.code).toBe('UnsupportedVersion');
    expect(error.message).toMatch(/SQL Server 2005.*2008 \(10\.0\) to 2022/);
  });

  it('checks the permissions first and names each GRANT, reading nothing else', async () => {
    const connection = scriptCatalog({
      ...salesOnly,
      login: 'auditor',
      permissions: { sysadmin: false, viewServerState: false, msdbJobs: false },
    });
    const error = await rejection(assessLive(connection));
    expect(error.code).toBe('PermissionDenied');
    expect(error.message).toContain('The login auditor on SQL01 lacks');
    expect(error.message).toContain('GRANT VIEW SERVER STATE TO [auditor];');
    expect(error.message).toContain(
      'USE msdb; GRANT SELECT ON dbo.sysjobs TO [auditor]; GRANT SELECT ON dbo.sysjobsteps TO [auditor];',
    );
    expect(error.message).not.toContain('VIEW ANY DEFINITION');
    expect(connection.sent.map((s) => s.sql)).toEqual([
      expect.stringContaining("SERVERPROPERTY('ProductVersion')"),
      expect.stringContaining('FROM sys.databases'),
    ]);
  });

  it('asks for CONNECT to a database the login cannot enter, by the means the version has', async () => {
    const denied = (productVersion: string): ScriptedCatalog => ({
      productVersion,
      permissions: { sysadmin: false },
      databases: [{ name: 'Sales' }, { name: 'HR', canConnect: false }],
    });
    const now = await rejection(assessLive(scriptCatalog(denied('13.0.5026.0'))));
    expect(now.message).toContain('CONNECT to HR');
    expect(now.message).toContain('GRANT CONNECT ANY DATABASE TO [assessor];');
    const old = await rejection(assessLive(scriptCatalog(denied('11.0.7001.0'))));
    expect(old.message).toContain('USE [HR]; CREATE USER [assessor] FOR LOGIN [assessor];');
    // Not selected, not asked for.
    const report = await assessLive(scriptCatalog(denied('13.0.5026.0')), { databases: ['Sales'] });
    expect(report.servers[0]?.databases.map((d) => d.name)).toEqual(['Sales']);
  });

  it('assesses the databases asked for (any case), and names the ones the instance lacks', async () => {
    const connection = scriptCatalog({
      databases: [{ name: 'Sales' }, { name: 'HR' }, { name: 'Stock' }],
    });
    const report = await assessLive(connection, { databases: ['sales', 'Stock'] });
    expect(report.servers[0]?.databases.map((d) => d.name)).toEqual(['Sales', 'Stock']);
    expect(connection.sent.some((s) => s.sql.includes('[HR]'))).toBe(false);
    expect(report.servers[0]?.instance).toMatchObject({ userDatabases: 3, assessedDatabases: 2 });

    const error = await rejection(assessLive(connection, { databases: ['Sales', 'Payroll'] }));
    expect(error.code).toBe('DatabaseNotFound');
    expect(error.message).toBe(
      'SQL01 has no user database named Payroll. Its user databases: Sales, HR, Stock.',
    );
  });

  it('leaves out SSISDB and the distribution database by default, and reports an offline database', async () => {
    const report = await assessLive(
      scriptCatalog({
        databases: [
          { name: 'Sales' },
          { name: 'SSISDB' },
          { name: 'distribution', isDistributor: true },
          { name: 'Archive', state: 'OFFLINE' },
        ],
      }),
    );
    const server = report.servers[0];
    expect(server?.databases.map((d) => d.name)).toEqual(['Sales']);
    expect(report.errors).toEqual([
      expect.objectContaining({ file: 'Archive', code: 'DatabaseNotOnline' }),
    ]);
    const notMigrated = server?.instanceFindings.find(
      (f) => f.ruleId === 'InstanceObjectsNotMigrated',
    );
    expect(notMigrated?.impactedObjects.map((o) => o.objectName)).toContain('SSISDB');
  });

  it('reports progress: permissions first, then the instance, then each database i of n', async () => {
    const seen: LiveProgress[] = [];
    await assessLive(scriptCatalog({ databases: [{ name: 'A' }, { name: 'B' }] }), {
      onProgress: (p) => seen.push(p),
    });
    expect(seen[0]).toEqual({
      step: 'permissions',
      database: null,
      databaseIndex: 0,
      databaseCount: 0,
    });
    expect(seen.find((p) => p.step === 'agentJobSteps')).toMatchObject({
      database: null,
      databaseCount: 2,
    });
    const perDatabase = seen.filter((p) => p.database !== null);
    expect([
      ...new Set(perDatabase.map((p) => `${p.databaseIndex}/${p.databaseCount} ${p.database}`)),
    ]).toEqual(['1/2 A', '2/2 B']);
    expect(perDatabase.filter((p) => p.database === 'A').map((p) => p.step)).toEqual([
      'databaseFiles',
      'filestreamColumns',
      'fileTables',
      'memoryOptimizedObjects',
      'principals',
      'assemblies',
      'modules',
    ]);
  });

  it('goes on when one view is refused, saying which rules went unchecked where', async () => {
    const connection = scriptCatalog(salesOnly).on(
      /\.sys\.assemblies/,
      serverError([229, "The SELECT permission was denied on the object 'assemblies'."]),
    );
    const report = await assessLive(connection);
    expect(report.errors.map((e) => [e.file, e.code])).toEqual([['Sales', 'QueryFailed']]);
    expect(report.errors[0]?.message).toMatch(
      /^Reading sys\.assemblies in Sales failed, so its rules \(ClrStrictSecurity\) were not checked there: .*Msg 229/,
    );
    expect(report.servers[0]?.databases[0]?.findings.map((f) => f.ruleId)).toContain('XpCmdshell');
  });

  it('says which modules could not be read (WITH ENCRYPTION)', async () => {
    const report = await assessLive(
      scriptCatalog({
        databases: [
          {
            name: 'Sales',
            modules: [
              { schemaName: 'dbo', objectName: 'Secret', objectType: 'P ', definition: null },
            ],
          },
        ],
      }),
    );
    expect(report.errors.map((e) => [e.file, e.code])).toEqual([['Sales', 'EncryptedModules']]);
    expect(report.errors[0]?.message).toContain('1 module(s) of Sales are encrypted');
  });

  it('renders a live report as text and HTML with the instance it read', async () => {
    const report = await assessLive(
      scriptCatalog({
        ...salesOnly,
        productVersion: '15.0.4360.2',
        edition: 'Enterprise Edition (64-bit)',
      }),
      { now: () => new Date('2026-01-02T03:04:05Z') },
    );
    const text = renderAssessmentText(report);
    expect(text).toContain('of a live instance: 1 module(s) and T-SQL job step(s) read');
    expect(text).toContain(
      'SQL Server 2019 (15.0.4360.2), Enterprise Edition (64-bit): 1 of 1 user database(s) assessed, 10 MiB',
    );
    expect(text).toContain('sys.sql_modules:4 PROCEDURE dbo.Nightly: xp_cmdshell');
    const html = renderAssessmentHtml(report);
    expect(html).toContain('from a live instance');
    expect(html).toContain('SQL Server 2019 (15.0.4360.2)');
  });
});
