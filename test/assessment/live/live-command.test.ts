/**
 * `sqlmig assess --server` in-process, over the scripted catalog (a stand-in) given as the
 * connection: the report on stdout, the progress on stderr (rewritten in place on a terminal, plain
 * lines otherwise), and the clear errors of a refused login or missing permissions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runAssessCommand, type AssessCommandOptions } from '../../../src/cli/assess-command.js';
import { SqlError, type SqlConnectionOptions } from '../../../src/sql/index.js';
import { scriptCatalog, type ScriptedCatalog } from '../../support/scripted-catalog.js';

const catalog: ScriptedCatalog = {
  databases: [
    { name: 'Sales', compatibilityLevel: 90 },
    { name: 'HR' },
    {
      name: 'Stock',
      files: [
        {
          name: 'Docs',
          typeDesc: 'FILESTREAM',
          physicalName: 'D:\\fs',
          filegroup: 'Docs',
          filegroupType: 'FD',
        },
      ],
    },
  ],
};

let stdout: string[] = [];
let stderr: string[] = [];
const writes = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};
beforeEach(() => {
  stdout = [];
  stderr = [];
  process.stdout.write = (chunk: string) => stdout.push(chunk) > 0;
  process.stderr.write = (chunk: string) => stderr.push(chunk) > 0;
});
afterEach(() => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
});

const options = (more: Partial<AssessCommandOptions> = {}): AssessCommandOptions => ({
  server: 'sql01.contoso.com:1533',
  sqlUser: 'assessor',
  tier: 'GeneralPurpose',
  json: false,
  ...more,
});

describe('sqlmig assess --server', () => {
  it('connects with the login and the password from the environment, and prints the report', async () => {
    const connections: SqlConnectionOptions[] = [];
    const connection = scriptCatalog(catalog);
    const progress: string[] = [];
    const code = await runAssessCommand(options({ databases: 'Sales, Stock', json: true }), {
      password: 'not printed',
      connect: (o) => {
        connections.push(o);
        return Promise.resolve(connection);
      },
      progress: { isTTY: false, write: (t) => progress.push(t) },
    });
    expect(code).toBe(0);
    expect(connections).toEqual([
      {
        server: 'sql01.contoso.com',
        port: 1533,
        user: 'assessor',
        password: 'not printed',
        trustServerCertificate: false,
      },
    ]);
    expect(connection.closed).toBe(true);
    const report = JSON.parse(stdout.join('')) as {
      mode: string;
      servers: { readiness: string; databases: { name: string; readiness: string }[] }[];
    };
    expect(report.mode).toBe('live');
    expect(report.servers[0]?.databases.map((d) => [d.name, d.readiness])).toEqual([
      ['Sales', 'ReadyWithWarnings'],
      ['Stock', 'NotReady'],
    ]);
    expect(progress).toEqual([
      'sqlmig: checking the login’s permissions\n',
      'sqlmig: reading the instance (configuration, logins, linked servers, msdb jobs)\n',
      'sqlmig: reading database 1 of 2: Sales\n',
      'sqlmig: reading database 2 of 2: Stock\n',
    ]);
    expect([...stdout, ...stderr, ...progress].join('')).not.toContain('not printed');
  });

  it('rewrites one progress line on a terminal and clears it before the report', async () => {
    const progress: string[] = [];
    const code = await runAssessCommand(options(), {
      password: 'x',
      connect: () => Promise.resolve(scriptCatalog(catalog)),
      progress: { isTTY: true, write: (t) => progress.push(t) },
    });
    expect(code).toBe(0);
    expect(progress[0]).toBe('\r\x1b[Kinstance: permissions');
    expect(progress).toContain('\r\x1b[K[3/3] Stock: modules');
    expect(progress.at(-1)).toBe('\r\x1b[K');
    expect(progress.every((p) => !p.includes('\n'))).toBe(true);
    expect(stdout.join('')).toContain('Database Stock: Not ready');
  });

  it('says why it could not sign in, and exits 1', async () => {
    const code = await runAssessCommand(options(), {
      password: 'wrong',
      connect: () =>
        Promise.reject(
          new SqlError(
            'LoginFailed',
            'SQL Server sql01.contoso.com:1533 refused the login of "assessor" (Login failed for user \'assessor\'.). Check the user name and password…',
          ),
        ),
    });
    expect(code).toBe(1);
    expect(stderr.join('')).toMatch(
      /^sqlmig: SQL Server sql01\.contoso\.com:1533 refused the login of "assessor"/,
    );
    expect(stdout).toEqual([]);
  });

  it('prints the GRANTs a login lacks, and exits 1 with no report', async () => {
    const connection = scriptCatalog({
      ...catalog,
      permissions: { sysadmin: false, viewAnyDefinition: false },
    });
    const code = await runAssessCommand(options(), {
      password: 'x',
      connect: () => Promise.resolve(connection),
      progress: { isTTY: false, write: () => true },
    });
    expect(code).toBe(1);
    expect(stderr.join('')).toContain('  GRANT VIEW ANY DEFINITION TO [assessor];');
    expect(stdout).toEqual([]);
    expect(connection.closed).toBe(true);
  });

  it('refuses usage errors with exit 2 before connecting', async () => {
    const refuse = async (given: AssessCommandOptions, message: RegExp): Promise<void> => {
      stderr = [];
      const code = await runAssessCommand(given, {
        password: 'x',
        connect: () => Promise.reject(new Error('must not connect')),
      });
      expect(code).toBe(2);
      expect(stderr.join('')).toMatch(message);
    };
    await refuse(options({ scripts: ['a.sql'] }), /either a live server \(--server\) or scripts/);
    await refuse(
      options({ server: 'sql01:port' }),
      /--server takes host or host:port, not sql01:port/,
    );
    await refuse(
      options({ databases: ' , ' }),
      /--databases takes database names separated by commas/,
    );
    await refuse(options({ database: 'Sales' }), /with --server use --databases a,b/);
    await refuse(
      { sqlUser: 'assessor', databases: 'Sales', tier: 'GeneralPurpose', json: false },
      /--databases and --sql-user go with --server/,
    );
  });
});
