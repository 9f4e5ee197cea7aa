/**
 * Reading sources: folders of .sql files (recursively), UTF-16 files, .dacpac files built here with
 * fflate (a procedure using *=, model properties), malformed .dacpac files; then the whole
 * assessment and its reports.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  assessScripts,
  readDacpac,
  renderAssessmentHtml,
  renderAssessmentText,
} from '../../src/assessment/index.js';
import { runAssessCommand } from '../../src/cli/assess-command.js';

const modelXml = `<?xml version="1.0" encoding="utf-8"?>
<DataSchemaModel FileFormatVersion="1.2" SchemaVersion="2.9" DspName="Microsoft.Data.Tools.Schema.Sql.Sql150DatabaseSchemaProvider" CollationLcid="1033" CollationCaseSensitive="False" xmlns="http://schemas.microsoft.com/sqlserver/dac/Serialization/2012/02">
  <Model>
    <Element Type="SqlDatabaseOptions">
      <Property Name="CompatibilityLevel" Value="90" />
    </Element>
    <Element Type="SqlTable" Name="[dbo].[Cart]">
      <Property Name="IsMemoryOptimized" Value="True" />
    </Element>
    <Element Type="SqlProcedure" Name="[dbo].[OldJoin]">
      <Property Name="BodyScript">
        <Value QuotedIdentifiers="True" AnsiNulls="True"><![CDATA[
SELECT o.id, c.name
-- a comment with *= in it
FROM dbo.Orders o, dbo.Customers c
WHERE o.customer_id *= c.id AND c.note <> ']]]]><![CDATA[>']]></Value>
      </Property>
      <Annotation Type="SysCommentsObjectAnnotation">
        <Property Name="HeaderContents" Value="CREATE PROCEDURE [dbo].[OldJoin]&#xD;&#xA;AS" />
      </Annotation>
    </Element>
    <Element Type="SqlScalarFunction" Name="[dbo].[Shell]">
      <Relationship Name="FunctionBody">
        <Entry>
          <Element Type="SqlScriptFunctionImplementation">
            <Property Name="BodyScript">
              <Value><![CDATA[BEGIN EXEC xp_cmdshell 'dir'; RETURN 1 END]]></Value>
            </Property>
          </Element>
        </Entry>
      </Relationship>
    </Element>
    <Element Type="SqlView" Name="[dbo].[vNext]">
      <Property Name="QueryScript" Value="SELECT next VALUE FROM dbo.Queue &amp; more" />
    </Element>
  </Model>
</DataSchemaModel>`;

const metadataXml = `<?xml version="1.0" encoding="utf-8"?>
<DacType xmlns="http://schemas.microsoft.com/sqlserver/dac/Serialization/2012/02"><Name>SalesDb</Name><Version>1.0.0.0</Version></DacType>`;

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sqlmig-assess-'));
  await mkdir(join(folder, 'Sales', 'dbo', 'Stored Procedures'), { recursive: true });
  await writeFile(
    join(folder, 'Sales', 'dbo', 'Stored Procedures', 'Load.sql'),
    "CREATE PROCEDURE dbo.Load AS\nBULK INSERT dbo.T FROM 'C:\\in.csv'\nGO\n",
  );
  await writeFile(join(folder, 'Sales', 'readme.txt'), 'EXEC xp_cmdshell');
  // SSMS writes UTF-16LE with a BOM
  const utf16 = Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(
      'CREATE TABLE dbo.Doc (id int, body varbinary(max) FILESTREAM)\r\nGO\r\nCREATE LOGIN [CORP\\ann] FROM WINDOWS\r\n',
      'utf16le',
    ),
  ]);
  await writeFile(join(folder, 'Sales', 'dbo', 'Doc.sql'), utf16);
  await writeFile(
    join(folder, 'Sales.dacpac'),
    zipSync({ 'model.xml': strToU8(modelXml), 'DacMetadata.xml': strToU8(metadataXml) }),
  );
  await writeFile(join(folder, 'broken.dacpac'), 'not a zip at all');
  await writeFile(join(folder, 'empty.dacpac'), zipSync({ 'Origin.xml': strToU8('<x/>') }));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('readDacpac', () => {
  it('reads the database name, module bodies (CDATA split around ]]>, entities) and model properties', () => {
    const dacpac = readDacpac(
      zipSync({ 'model.xml': strToU8(modelXml), 'DacMetadata.xml': strToU8(metadataXml) }),
      'x.dacpac',
    );
    expect(dacpac.databaseName).toBe('SalesDb');
    expect(dacpac.scripts.map((s) => [s.object.type, s.object.name])).toEqual([
      ['PROCEDURE', 'dbo.OldJoin'],
      ['FUNCTION', 'dbo.Shell'],
      ['VIEW', 'dbo.vNext'],
    ]);
    expect(dacpac.scripts[0]?.text).toContain("c.note <> ']]>'");
    expect(dacpac.scripts[2]?.text).toBe('SELECT next VALUE FROM dbo.Queue & more');
    expect(dacpac.modelHits.map((h) => h.ruleId).sort()).toEqual([
      'DbCompatLevelLowerThan100',
      'MemoryOptimizedTables',
    ]);
  });

  it('refuses a file that is not a ZIP, or a ZIP without model.xml, naming the file', () => {
    expect(() => readDacpac(strToU8('nope'), 'bad.dacpac')).toThrow(
      /bad\.dacpac is not a readable \.dacpac: it is not a ZIP/,
    );
    expect(() => readDacpac(zipSync({ 'a.txt': strToU8('x') }), 'e.dacpac')).toThrow(
      /e\.dacpac .*no model\.xml/,
    );
  });
});

describe('assessScripts', () => {
  it('assesses a folder (UTF-16 files included) and a .dacpac, per database, with readiness', async () => {
    const report = await assessScripts([join(folder, 'Sales'), join(folder, 'Sales.dacpac')], {
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
    const server = report.servers[0];
    expect(server?.databases.map((d) => [d.name, d.readiness])).toEqual([
      ['Sales', 'NotReady'],
      ['SalesDb', 'NotReady'],
    ]);
    const sales = server?.databases[0];
    expect(sales?.findings.map((f) => f.ruleId)).toEqual(['FileStream', 'BulkInsert']);
    const load = sales?.findings[1]?.impactedObjects[0];
    expect(load?.file).toMatch(/Sales\/dbo\/Stored Procedures\/Load\.sql$/);
    expect(load).toMatchObject({
      line: 2,
      objectType: 'PROCEDURE',
      objectName: 'dbo.Load',
    });
    expect(
      server?.instanceFindings.map((f) => [
        f.ruleId,
        f.impactedObjects[0]?.database,
        f.impactedObjects[0]?.line,
      ]),
    ).toEqual([['WindowsAuthentication', 'Sales', 3]]);
    const salesDb = server?.databases[1];
    expect(salesDb?.findings.map((f) => f.ruleId)).toEqual([
      'MemoryOptimizedTables',
      'NextColumn',
      'XpCmdshell',
      'DbCompatLevelLowerThan100',
      'NonANSILeftOuterJoinSyntax',
    ]);
    const join_ = salesDb?.findings.find((f) => f.ruleId === 'NonANSILeftOuterJoinSyntax');
    expect(join_?.impactedObjects).toEqual([
      expect.objectContaining({ objectName: 'dbo.OldJoin', objectType: 'PROCEDURE', line: 5 }),
    ]);
    expect(report.sources).toMatchObject({ files: 3 });
  });

  it('drops the rules that do not apply to the tier: no MemoryOptimizedTables on Business Critical', async () => {
    const report = await assessScripts([join(folder, 'Sales.dacpac')], {
      tier: 'BusinessCritical',
    });
    const db = report.servers[0]?.databases[0];
    expect(db?.findings.map((f) => f.ruleId)).not.toContain('MemoryOptimizedTables');
    expect(db?.readiness).toBe('ReadyWithWarnings');
  });

  it('puts everything in the --database given, and reports unreadable inputs as errors', async () => {
    const report = await assessScripts(
      [
        join(folder, 'Sales'),
        join(folder, 'broken.dacpac'),
        join(folder, 'empty.dacpac'),
        join(folder, 'missing.sql'),
      ],
      { database: 'One' },
    );
    expect(report.servers[0]?.databases.map((d) => d.name)).toEqual(['One']);
    expect(report.errors.map((e) => e.code)).toEqual([
      'MalformedDacpac',
      'MalformedDacpac',
      'PathNotFound',
    ]);
    expect(report.errors[0]?.message).toContain('broken.dacpac');
  });

  it('renders text and a self-contained, escaped HTML file', async () => {
    await writeFile(
      join(folder, 'evil.sql'),
      "CREATE PROCEDURE [<script>alert(1)</script>] AS EXEC xp_cmdshell 'x'",
    );
    const report = await assessScripts([join(folder, 'evil.sql')]);
    const html = renderAssessmentHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<link|<script|src=/);
    const text = renderAssessmentText(report);
    expect(text).toContain('Database evil: Ready with warnings');
    expect(text).toMatch(/evil\.sql:1 PROCEDURE <script>alert\(1\)<\/script>: xp_cmdshell/);
  });
});

describe('sqlmig assess', () => {
  it('asks for the SQL login with --server, and exits 2 without connecting', async () => {
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => errors.push(chunk) > 0;
    let connected = false;
    try {
      expect(
        await runAssessCommand(
          { server: 'sql01', tier: 'GeneralPurpose', json: false },
          {
            password: undefined,
            connect: () => {
              connected = true;
              return Promise.reject(new Error('not expected'));
            },
          },
        ),
      ).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(connected).toBe(false);
    expect(errors.join('')).toMatch(/--sql-user NAME, and its password in SQLMIG_SQL_PASSWORD/);
  });

  it('writes --json and --html', async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string) => out.push(chunk) > 0;
    const html = join(folder, 'report.html');
    try {
      expect(
        await runAssessCommand({
          scripts: [join(folder, 'Sales')],
          tier: 'GeneralPurpose',
          json: true,
          html,
        }),
      ).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const json = JSON.parse(out.join('')) as {
      schemaVersion: number;
      servers: { databases: { name: string }[] }[];
    };
    expect(json.schemaVersion).toBe(1);
    expect(json.servers[0]?.databases[0]?.name).toBe('Sales');
    expect(await readFile(html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });
});
