/**
 * The migration wizard's server side in process (Hono's `app.request`), over the real embedded parts
 * (SQLite state, engine, rehearsal target, sealed secrets): sessions saved without their passwords,
 * started through the same code as `PUT …/databaseMigrations`, and the source instance's check and
 * databases through a scripted SQL Server connection (a stand-in: no SQL Server runs here).
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type {
  MigrationSession,
  PerfCollectionStatus,
  SkuRecommendationResult,
  SourceAssessment,
  StartSessionResponse,
} from '../../../src/api-contract/index.js';
import type { createApi } from '../../../src/service/api/index.js';
import { PerfCollections } from '../../../src/service/source-server/index.js';
import { SqlError, type SqlConnectionOptions } from '../../../src/sql/index.js';
import { apiForTests, type ApiForTests } from '../../support/api-for-tests.js';
import { engineHarness, type EngineHarness } from '../../support/engine-harness.js';
import {
  hasPerfDataCorpus,
  perfDataCorpus,
  perfDataSkipReason,
} from '../../support/perf-data-corpus.js';
import { scriptCatalog } from '../../support/scripted-catalog.js';
import { ScriptedSqlSource } from '../../support/scripted-sql-source.js';
import { ScriptedSqlConnection } from '../../support/scripted-sql.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const token = 'test-token-0123456789';
const sqlPassword = 'Src-Passw0rd-never-kept';
const sharePassword = 'Share-Passw0rd-never-kept';

let h: EngineHarness;
let api: ApiForTests;
let app: ReturnType<typeof createApi>;
/** What the source connector was asked for, and the connections it gave. */
let connects: SqlConnectionOptions[];
let connections: ScriptedSqlConnection[];
let script: (connection: ScriptedSqlConnection) => void;
let connectFailure: Error | null;

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the body's shape
async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const response = await app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as T };
}

beforeEach(async () => {
  h = await engineHarness();
  connects = [];
  connections = [];
  connectFailure = null;
  script = () => undefined;
  api = await apiForTests(
    h,
    token,
    {},
    {
      connectSource: (options) => {
        connects.push(options);
        if (connectFailure) return Promise.reject(connectFailure);
        const connection = new ScriptedSqlConnection();
        script(connection);
        connections.push(connection);
        return Promise.resolve(connection);
      },
    },
  );
  app = api.app;
  await call('PUT', '/api/sqlMigrationServices/default');
});
afterEach(async () => {
  await api.close();
  await h.close();
});

const sessions = '/api/migrationSessions';
const connection = {
  dataSource: 'sql01.contoso.com,1533',
  authentication: 'SqlAuthentication',
  userName: 'migrator',
  trustServerCertificate: true,
};

/** A session filled in for a rehearsal of `databases` from folders, share account given. */
function filledIn(databases: { source: string; target: string; folder: string }[]) {
  return {
    source: { mode: 'backupsOnly' as const },
    databases: { selected: databases.map((d) => d.source) },
    target: { kind: 'Rehearsal' as const, scope: 'rehearsal' },
    backup: {
      mode: 'online' as const,
      location: 'fileShare' as const,
      fileShare: { username: 'CONTOSO\\svc' },
      databases: databases.map((d) => ({
        sourceDatabaseName: d.source,
        targetDbName: d.target,
        backupFolder: d.folder,
      })),
    },
    runtime: { serviceName: 'default' },
  };
}

async function created(steps?: unknown): Promise<MigrationSession> {
  const response = await call<MigrationSession>('POST', sessions, steps ? { steps } : {});
  expect(response.status).toBe(201);
  return response.json;
}

describe('migration sessions', () => {
  it('keeps what each page entered and never a password, even one sent', async () => {
    const session = await created();
    expect(session).toMatchObject({ status: 'Open', step: 'source', version: 1, steps: {} });
    expect(session.deploymentTarget).toEqual({ kind: 'Rehearsal', scope: 'rehearsal' });
    const saved = await call<MigrationSession>('PATCH', `${sessions}/${session.id}`, {
      expectedVersion: 1,
      step: 'databases',
      steps: {
        source: { mode: 'connection', connection: { ...connection, password: sqlPassword } },
      },
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ step: 'databases', version: 2 });
    expect(saved.json.steps.source?.connection).toEqual(connection);
    const stored = await h.store.transaction((tx) => tx.getMigrationSession(session.id));
    expect(stored?.document).toMatchObject({ steps: { source: { connection } } });
    expect(JSON.stringify(stored)).not.toContain(sqlPassword);
    expect(JSON.stringify(saved.json)).not.toContain(sqlPassword);

    // A later page replaces only its own entries.
    const later = await call<MigrationSession>('PATCH', `${sessions}/${session.id}`, {
      expectedVersion: 2,
      steps: { databases: { selected: ['Sales'] } },
    });
    expect(later.json.steps).toEqual({
      source: { mode: 'connection', connection },
      databases: { selected: ['Sales'] },
    });
    expect(later.json.step).toBe('databases');
  });

  it('lists sessions most recently saved first, refuses a stale save, and deletes', async () => {
    const first = await created();
    h.clock.advance(1000);
    const second = await created();
    h.clock.advance(1000);
    await call('PATCH', `${sessions}/${first.id}`, {
      expectedVersion: 1,
      step: 'target',
      steps: {},
    });
    const list = await call<{ value: MigrationSession[] }>('GET', sessions);
    expect(list.json.value.map((s) => s.id)).toEqual([first.id, second.id]);
    const stale = await call('PATCH', `${sessions}/${first.id}`, { expectedVersion: 1, steps: {} });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ error: { code: 'Conflict' } });
    expect((await call('DELETE', `${sessions}/${first.id}`)).status).toBe(200);
    const gone = await call('GET', `${sessions}/${first.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ error: { code: 'SessionNotFound' } });
    expect((await call('GET', `${sessions}/not-a-uuid`)).status).toBe(400);
  });

  it('starts one migration per database through the databaseMigrations code, passwords sealed', async () => {
    const session = await created(
      filledIn([{ source: 'RestoreTimeClean', target: 'Wizard1', folder: h.backups }]),
    );
    expect(session.secretsNeeded).toEqual(['sharePassword']);
    const start = `${sessions}/${session.id}/start`;
    const without = await call('POST', start, { expectedVersion: 1, secrets: {} });
    expect(without.status).toBe(400);
    expect(without.json).toMatchObject({ error: { code: 'SecretsRequired' } });

    const started = await call<StartSessionResponse>('POST', start, {
      expectedVersion: 1,
      secrets: { sharePassword },
    });
    expect(started.status).toBe(200);
    expect(started.json.migrations).toEqual([
      {
        sourceDatabaseName: 'RestoreTimeClean',
        targetDbName: 'Wizard1',
        serviceName: 'default',
        outcome: 'Started',
      },
    ]);
    expect(started.json.session).toMatchObject({ status: 'Started', step: 'summary' });
    const session2 = await h.store.transaction((tx) => tx.getMigrationSession(session.id));
    expect(JSON.stringify(session2)).not.toContain(sharePassword);

    // The same migration the API starts from the same entries.
    const put = await call('PUT', '/api/sqlMigrationServices/default/databaseMigrations/ByPut', {
      properties: {
        kind: 'Rehearsal',
        scope: 'rehearsal',
        sourceDatabaseName: 'RestoreTimeClean',
        backupConfiguration: {
          sourceLocation: {
            fileShare: { path: h.backups, username: 'CONTOSO\\svc', password: sharePassword },
          },
        },
        offlineConfiguration: { offline: false },
      },
    });
    expect(put.status).toBe(201);
    const [byWizard, byPut] = await h.store.transaction(async (tx) => [
      await tx.findMigration('default', 'Wizard1'),
      await tx.findMigration('default', 'ByPut'),
    ]);
    const configuration = (r: typeof byWizard) =>
      JSON.parse(
        JSON.stringify(r?.document['configuration']).replace(/"v1:[^"]+"/g, '"sealed"'),
      ) as unknown;
    expect(configuration(byWizard)).toEqual(configuration(byPut));
    expect(JSON.stringify(byWizard)).not.toContain(sharePassword);
    expect(JSON.stringify(byWizard)).toContain('"password":"v1:');
    expect(byWizard).toMatchObject({ kind: 'Rehearsal', sourceDatabaseName: 'RestoreTimeClean' });

    const again = await call('POST', start, { expectedVersion: 2, secrets: { sharePassword } });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'SessionStarted' } });
  });

  it('reports each database that could not start, and starts only the rest when asked again', async () => {
    await call('PUT', '/api/sqlMigrationServices/default/databaseMigrations/Taken', {
      properties: {
        sourceDatabaseName: 'Other',
        backupConfiguration: { sourceLocation: { fileShare: { path: h.backups } } },
      },
    });
    const steps = filledIn([
      { source: 'RestoreTimeClean', target: 'Fresh', folder: h.backups },
      { source: 'Second', target: 'Taken', folder: h.backups },
    ]);
    const session = await created({ ...steps, backup: { ...steps.backup, fileShare: {} } });
    expect(session.secretsNeeded).toEqual([]);
    const first = await call<StartSessionResponse>('POST', `${sessions}/${session.id}/start`, {
      expectedVersion: 1,
      secrets: {},
    });
    expect(first.json.migrations.map((m) => [m.targetDbName, m.outcome, m.error?.code])).toEqual([
      ['Fresh', 'Started', undefined],
      ['Taken', 'Failed', 'MigrationExists'],
    ]);
    expect(first.json.session.status).toBe('Open');
    const renamed = await call<MigrationSession>('PATCH', `${sessions}/${session.id}`, {
      expectedVersion: 2,
      steps: {
        backup: {
          ...steps.backup,
          fileShare: {},
          databases: steps.backup.databases.map((d) =>
            d.targetDbName === 'Taken' ? { ...d, targetDbName: 'Second' } : d,
          ),
        },
      },
    });
    const second = await call<StartSessionResponse>('POST', `${sessions}/${session.id}/start`, {
      expectedVersion: renamed.json.version,
      secrets: {},
    });
    expect(second.json.migrations.map((m) => [m.targetDbName, m.outcome])).toEqual([
      ['Fresh', 'AlreadyStarted'],
      ['Second', 'Started'],
    ]);
    expect(second.json.session.status).toBe('Started');
  });

  it('starts an offline migration with each database’s last backup file, and refuses entries out of shape', async () => {
    const steps = filledIn([{ source: 'RestoreTimeClean', target: 'Offline1', folder: h.backups }]);
    const session = await created({
      ...steps,
      backup: {
        ...steps.backup,
        mode: 'offline',
        fileShare: {},
        databases: steps.backup.databases.map((d) => ({
          ...d,
          lastBackupName: 'RestoreTimeClean_3.trn',
        })),
      },
    });
    const started = await call<StartSessionResponse>('POST', `${sessions}/${session.id}/start`, {
      expectedVersion: 1,
      secrets: {},
    });
    expect(started.json.migrations[0]?.outcome).toBe('Started');
    const record = await h.store.transaction((tx) => tx.findMigration('default', 'Offline1'));
    expect(record?.document['configuration']).toMatchObject({
      offlineConfiguration: { offline: true, lastBackupName: 'RestoreTimeClean_3.trn' },
    });

    const open = await created();
    const tooMany = await call('PATCH', `${sessions}/${open.id}`, {
      expectedVersion: 1,
      steps: { databases: { selected: Array.from({ length: 101 }, (_, i) => `db${i}`) } },
    });
    expect(tooMany.status).toBe(400);
    const badStep = await call('PATCH', `${sessions}/${open.id}`, {
      expectedVersion: 1,
      step: 'nowhere',
      steps: {},
    });
    expect(badStep.status).toBe(400);
    expect(badStep.json).toMatchObject({ error: { code: 'InvalidRequest' } });
  });

  it('says which page is missing before starting anything, and refuses another target', async () => {
    const empty = await created();
    const incomplete = await call('POST', `${sessions}/${empty.id}/start`, {
      expectedVersion: 1,
      secrets: {},
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.json).toMatchObject({
      error: {
        code: 'SessionIncomplete',
        message: expect.stringContaining('source page') as unknown,
      },
    });
    const steps = filledIn([{ source: 'A', target: 'A', folder: h.backups }]);
    const mi = await created({
      ...steps,
      target: { kind: 'SqlMi', scope: '/subscriptions/s/resourceGroups/r/providers/x/mi' },
    });
    const refused = await call<StartSessionResponse>('POST', `${sessions}/${mi.id}/start`, {
      expectedVersion: 1,
      secrets: { sharePassword },
    });
    expect(refused.json.migrations[0]?.error?.code).toBe('UnsupportedTarget');
    expect(await h.store.transaction((tx) => tx.listMigrations())).toEqual([]);
  });
});

describe("a runtime node's key", () => {
  it('says whether a key is one of the service’s two current ones, never echoing it', async () => {
    const keys = (
      await call<{ authKey1: string; authKey2: string }>(
        'POST',
        '/api/sqlMigrationServices/default/listAuthKeys',
      )
    ).json;
    const checkKey = (authKey: string) =>
      call<{ valid: boolean; keyName: string | null; message: string }>(
        'POST',
        '/api/sqlMigrationServices/default/checkAuthKey',
        { authKey },
      );
    expect((await checkKey(keys.authKey2)).json).toMatchObject({
      valid: true,
      keyName: 'authKey2',
    });
    const wrong = await checkKey(`${keys.authKey1}x`);
    expect(wrong.json).toMatchObject({ valid: false, keyName: null });
    expect(wrong.json.message).toContain('regenerated');
    expect(wrong.json.message).not.toContain(keys.authKey1);
    await call('POST', '/api/sqlMigrationServices/default/regenerateAuthKeys', {
      keyName: 'authKey1',
    });
    expect((await checkKey(keys.authKey1)).json.valid).toBe(false);
    expect(
      (await call('POST', '/api/sqlMigrationServices/nobody/checkAuthKey', { authKey: 'k' }))
        .status,
    ).toBe(404);
  });
});

describe('the source instance', () => {
  const check = (body: unknown) =>
    call<{ checks: { check: string; status: string; message: string }[]; login: unknown }>(
      'POST',
      '/api/source/checkConnection',
      body,
    );
  const properties = (over: Record<string, unknown> = {}) => ({
    serverName: 'SQL01',
    productVersion: '15.0.4345.5',
    edition: 'Developer Edition (64-bit)',
    loginName: 'migrator',
    isSysadmin: 1,
    hasControlServer: 1,
    ...over,
  });

  it('connects with the entries given, checks version and sysadmin, and closes the connection', async () => {
    script = (c) => c.on(/SERVERPROPERTY/, [properties()]);
    const result = await check({ connection: { ...connection, password: sqlPassword } });
    expect(result.status).toBe(200);
    expect(result.json.checks.map((c) => [c.check, c.status])).toEqual([
      ['connection', 'Succeeded'],
      ['version', 'Succeeded'],
      ['permissions', 'Succeeded'],
    ]);
    expect(result.json.checks[2]?.message).toBe('migrator is a member of sysadmin.');
    expect(connects).toEqual([
      expect.objectContaining({
        server: 'sql01.contoso.com',
        port: 1533,
        user: 'migrator',
        password: sqlPassword,
        encrypt: true,
        trustServerCertificate: true,
      }),
    ]);
    expect(connections[0]?.closed).toBe(true);
    expect(connections[0]?.sent[0]?.sql).toMatch(/IS_SRVROLEMEMBER\('sysadmin'\)/);
  });

  it('says what to grant when the login has neither sysadmin nor CONTROL SERVER', async () => {
    script = (c) => c.on(/SERVERPROPERTY/, [properties({ isSysadmin: 0, hasControlServer: 0 })]);
    const result = await check({ connection: { ...connection, password: sqlPassword } });
    expect(result.json.checks[2]).toMatchObject({ check: 'permissions', status: 'Failed' });
    expect(result.json.checks[2]?.message).toContain('GRANT CONTROL SERVER TO [migrator]');
    script = (c) => c.on(/SERVERPROPERTY/, [properties({ isSysadmin: 0, hasControlServer: 1 })]);
    const control = await check({ connection: { ...connection, password: sqlPassword } });
    expect(control.json.checks[2]).toMatchObject({
      status: 'Succeeded',
      message: 'migrator has CONTROL SERVER.',
    });
    script = (c) => c.on(/SERVERPROPERTY/, [properties({ productVersion: '9.00.5000.00' })]);
    const old = await check({ connection: { ...connection, password: sqlPassword } });
    expect(old.json.checks[1]).toMatchObject({ check: 'version', status: 'Failed' });
  });

  it('shows a refused login as a failed connection, and refuses entries it cannot use', async () => {
    connectFailure = new SqlError(
      'LoginFailed',
      'SQL Server sql01:1533 refused the login of "migrator".',
    );
    const refused = await check({ connection: { ...connection, password: 'wrong' } });
    expect(refused.status).toBe(200);
    expect(refused.json.checks.map((c) => c.status)).toEqual(['Failed', 'Skipped', 'Skipped']);
    expect(refused.json.checks[0]?.message).toContain('refused the login');
    expect(JSON.stringify(refused.json)).not.toContain('wrong');

    const noPassword = await check({ connection });
    expect(noPassword.status).toBe(400);
    expect(noPassword.json).toMatchObject({ error: { code: 'PasswordRequired' } });
    const windows = await check({
      connection: { ...connection, authentication: 'WindowsAuthentication' },
    });
    expect(windows.json).toMatchObject({ error: { code: 'UnsupportedAuthentication' } });
    const named = await check({
      connection: { ...connection, dataSource: 'sql01\\PROD', password: sqlPassword },
    });
    expect(named.json).toMatchObject({
      error: {
        code: 'InvalidConnection',
        message: expect.stringContaining('host,port') as unknown,
      },
    });
  });

  it('lists the user databases', async () => {
    script = (c) =>
      c.on(/FROM sys\.databases/, [
        {
          name: 'HR',
          state: 'ONLINE',
          recoveryModel: 'SIMPLE',
          compatibilityLevel: 150,
          isEncrypted: false,
          sizeBytes: '16777216',
        },
        {
          name: 'Sales',
          state: 'ONLINE',
          recoveryModel: 'FULL',
          compatibilityLevel: 130,
          isEncrypted: true,
          sizeBytes: '1073741824',
        },
      ]);
    const list = await call<{ value: unknown[] }>('POST', '/api/source/listDatabases', {
      connection: { ...connection, password: sqlPassword },
    });
    expect(list.json.value).toEqual([
      {
        name: 'HR',
        state: 'ONLINE',
        recoveryModel: 'SIMPLE',
        compatibilityLevel: 150,
        isEncrypted: false,
        sizeBytes: 16777216,
      },
      {
        name: 'Sales',
        state: 'ONLINE',
        recoveryModel: 'FULL',
        compatibilityLevel: 130,
        isEncrypted: true,
        sizeBytes: 1073741824,
      },
    ]);
    expect(connections[0]?.sent[0]?.sql).toMatch(/WHERE d\.database_id > 4/);
    expect(connections[0]?.closed).toBe(true);

    connectFailure = new SqlError(
      'ConnectionFailed',
      'sql01.contoso.com:1533: connect ECONNREFUSED',
    );
    const down = await call('POST', '/api/source/listDatabases', {
      connection: { ...connection, password: sqlPassword },
    });
    expect(down.status).toBe(502);
    expect(down.json).toMatchObject({ error: { code: 'SourceConnectionFailed' } });
  });

  it('assesses the chosen databases live, per database with readiness and impacted objects', async () => {
    let catalog: ScriptedSqlConnection | undefined;
    await api.close();
    api = await apiForTests(
      h,
      token,
      {},
      {
        connectSource: () => {
          catalog = scriptCatalog({
            databases: [
              {
                name: 'Sales',
                modules: [
                  {
                    schemaName: 'dbo',
                    objectName: 'Nightly',
                    objectType: 'P ',
                    definition: "CREATE PROCEDURE dbo.Nightly AS EXEC master..xp_cmdshell 'dir';",
                  },
                ],
              },
              { name: 'HR' },
            ],
          });
          return Promise.resolve(catalog);
        },
      },
    );
    app = api.app;
    const assessed = await call<SourceAssessment>('POST', '/api/source/assess', {
      connection: { ...connection, password: sqlPassword },
      databases: ['Sales'],
    });
    expect(assessed.status).toBe(200);
    const server = assessed.json.servers[0];
    expect(server?.databases.map((d) => [d.name, d.readiness])).toEqual([
      ['Sales', 'ReadyWithWarnings'],
    ]);
    const finding = server?.databases[0]?.findings.find((f) => f.ruleId === 'XpCmdshell');
    expect(finding?.impactedObjects[0]).toMatchObject({
      objectType: 'PROCEDURE',
      objectName: 'dbo.Nightly',
    });
    expect(catalog?.closed).toBe(true);
    const unknown = await call('POST', '/api/source/assess', {
      connection: { ...connection, password: sqlPassword },
      databases: ['Nope'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: { code: 'DatabaseNotFound' } });
  });

  it.skipIf(!hasPerfDataCorpus)(
    `recommends a SKU from a folder of performance data, dimension by dimension${hasPerfDataCorpus ? '' : ` (skipped: ${perfDataSkipReason})`}`,
    async () => {
      const recommended = await call<SkuRecommendationResult>('POST', '/api/skuRecommendations', {
        perfDataFolder: perfDataCorpus,
        percentile: 95,
        scalingFactorPercent: 100,
      });
      expect(recommended.status).toBe(200);
      expect(recommended.json.method).toEqual({ percentile: 95, scalingFactor: 100 });
      expect(recommended.json.perfData.folder).toBe(perfDataCorpus);
      const checks = [
        ...(recommended.json.recommendation?.checks ?? []),
        ...recommended.json.ruledOut.flatMap((c) => c.checks),
      ];
      expect(checks.map((c) => c.dimension)).toContain('vCores');
      expect(recommended.json).not.toHaveProperty('series');
      // A larger scaling factor asks for at least as much.
      const scaled = await call<SkuRecommendationResult>('POST', '/api/skuRecommendations', {
        perfDataFolder: perfDataCorpus,
        percentile: 95,
        scalingFactorPercent: 400,
      });
      const vCores = (r: SkuRecommendationResult) => Number(r.requirements['vCores']);
      expect(vCores(scaled.json)).toBeGreaterThanOrEqual(vCores(recommended.json));
    },
  );

  it('collects performance data into a folder until stopped, then recommends from it', async () => {
    const folder = join(h.root, 'perf');
    const source = new ScriptedSqlSource().addDatabase('Sales', [
      { rates: { reads: 10, bytesRead: 2 * 1024 * 1024, readStallMs: 40 } },
      { type: 'LOG', rates: { writes: 4, bytesWritten: 256 * 1024, writeStallMs: 4 } },
    ]);
    const clock = new VirtualClock(Date.parse('2026-11-01T08:00:00Z'));
    clock.onAdvance(source.advance);
    const collections = new PerfCollections({
      connect: (options) => {
        connects.push(options);
        return Promise.resolve(source.connection);
      },
      clock,
    });
    // 21 minutes of virtual time, then stopped: two 10-minute windows and a partial one.
    clock.at(clock.now() + 21 * 60_000, () => {
      const running = collections.list()[0];
      if (running) void collections.stop(running.id);
    });
    await api.close();
    api = await apiForTests(h, token, {}, { perfCollections: collections });
    app = api.app;

    const started = await call<PerfCollectionStatus>('POST', '/api/perfCollections', {
      connection: { ...connection, password: sqlPassword },
      perfDataFolder: folder,
    });
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({ folder, serverName: 'SQL01', error: null });
    expect(connects[0]?.password).toBe(sqlPassword);
    let status = started.json;
    for (let i = 0; i < 200 && status.state !== 'stopped'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      status = (await call<PerfCollectionStatus>('GET', `/api/perfCollections/${started.json.id}`))
        .json;
    }
    expect(status).toMatchObject({ state: 'stopped', windowsWritten: 3, samplesTaken: 42 });
    expect(source.connection.closed).toBe(true);
    expect((await readdir(folder)).sort()).toEqual([
      'SQL01,MSSQLSERVER_CommonDbLevel_Counters.csv',
      'SQL01,MSSQLSERVER_CommonInstanceLevel_Counters.csv',
      'SQL01,MSSQLSERVER_PerformanceAggregated_Counters.csv',
    ]);
    const recommended = await call<SkuRecommendationResult>('POST', '/api/skuRecommendations', {
      perfDataFolder: folder,
      percentile: 95,
      scalingFactorPercent: 100,
    });
    expect(recommended.status).toBe(200);
    expect(recommended.json.perfData.windows).toBe(3);
    expect(recommended.json.status).toBe('Recommended');
  });

  it('refuses a second collection into the same folder, and stops one writing its partial window', async () => {
    const folder = join(h.root, 'perf-held');
    const source = new ScriptedSqlSource().addDatabase('Sales', [{}]);
    // A clock whose waits end only when the collection is stopped.
    const clock = {
      now: () => Date.parse('2026-11-01T08:00:00Z'),
      sleep: (_ms: number, signal: AbortSignal) =>
        new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else
            signal.addEventListener('abort', () => {
              resolve();
            });
        }),
    };
    const collections = new PerfCollections({
      connect: () => Promise.resolve(source.connection),
      clock,
    });
    await api.close();
    api = await apiForTests(h, token, {}, { perfCollections: collections });
    app = api.app;
    const body = { connection: { ...connection, password: sqlPassword }, perfDataFolder: folder };
    const first = await call<PerfCollectionStatus>('POST', '/api/perfCollections', body);
    expect(first.json.state).toBe('running');
    const second = await call('POST', '/api/perfCollections', body);
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ error: { code: 'CollectionRunning' } });
    const stopped = await call<PerfCollectionStatus>(
      'POST',
      `/api/perfCollections/${first.json.id}/stop`,
    );
    expect(stopped.json).toMatchObject({ state: 'stopped', error: null });
    expect(stopped.json.endedAt).not.toBeNull();
    const list = await call<PerfCollectionStatus[]>('GET', '/api/perfCollections');
    expect(list.json.map((c) => c.id)).toEqual([first.json.id]);
    const missing = await call('GET', `/api/perfCollections/${randomUUID()}`);
    expect(missing.status).toBe(404);
  });

  it('refuses a folder without performance data, cannot collect without SQL Server access, and documents every route', async () => {
    const empty = await call('POST', '/api/skuRecommendations', {
      perfDataFolder: h.backups,
      percentile: 95,
      scalingFactorPercent: 100,
    });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ error: { code: 'NoData' } });
    const odd = await call('POST', '/api/skuRecommendations', {
      perfDataFolder: h.backups,
      percentile: 42,
      scalingFactorPercent: 100,
    });
    expect(odd.status).toBe(400);
    const withoutSql = await apiForTests(h, token);
    const collect = await withoutSql.app.request('/api/perfCollections', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        connection: { ...connection, password: sqlPassword },
        perfDataFolder: h.backups,
      }),
    });
    await withoutSql.close();
    expect(collect.status).toBe(501);
    expect(await collect.json()).toMatchObject({ error: { code: 'NotAvailableInThisBuild' } });
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/migrationSessions',
        '/api/migrationSessions/{sessionId}',
        '/api/migrationSessions/{sessionId}/start',
        '/api/source/checkConnection',
        '/api/source/listDatabases',
        '/api/source/assess',
        '/api/skuRecommendations',
        '/api/perfCollections',
        '/api/perfCollections/{collectionId}/stop',
        '/api/sqlMigrationServices/{serviceName}/checkAuthKey',
      ]),
    );
  });
});
