/**
 * The HTTP API in process (Hono's `app.request`), over the real embedded parts: SQLite state, the
 * engine, the rehearsal target, sealed secrets.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { createApi } from '../../../src/service/api/index.js';
import { apiForTests, type ApiForTests } from '../../support/api-for-tests.js';
import { engineHarness, type EngineHarness } from '../../support/engine-harness.js';

const token = 'test-token-0123456789';
const password = 'S3cret-share-passw0rd!';

let h: EngineHarness;
let api: ApiForTests;
let app: ReturnType<typeof createApi>;

async function call(
  method: string,
  path: string,
  body?: unknown,
  auth = token,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${auth}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const migrationBody = (folder: string, extra: Record<string, unknown> = {}) => ({
  properties: {
    sourceDatabaseName: 'RestoreTimeClean',
    backupConfiguration: {
      sourceLocation: { fileShare: { path: folder, username: 'CONTOSO\\svc', password } },
    },
    offlineConfiguration: { offline: false },
    ...extra,
  },
});

beforeEach(async () => {
  h = await engineHarness();
  api = await apiForTests(h, token);
  app = api.app;
});
afterEach(async () => {
  await api.close();
  await h.close();
});

describe('authentication and the OpenAPI document', () => {
  it('refuses requests without the token, or with another one', async () => {
    expect((await call('GET', '/api/sqlMigrationServices', undefined, '')).status).toBe(401);
    const wrong = await call('GET', '/api/sqlMigrationServices', undefined, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ error: { code: 'Unauthorized' } });
  });

  it('serves an OpenAPI document describing every route', async () => {
    const response = await app.request('/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/sqlMigrationServices',
        '/api/sqlMigrationServices/{serviceName}/listAuthKeys',
        '/api/sqlMigrationServices/{serviceName}/databaseMigrations/{targetDbName}',
        '/api/sqlMigrationServices/{serviceName}/databaseMigrations/{targetDbName}/cutover',
      ]),
    );
  });
});

describe('migration services', () => {
  it('creates (idempotently), lists, shows keys sealed at rest, regenerates one key', async () => {
    expect((await call('PUT', '/api/sqlMigrationServices/east')).status).toBe(201);
    expect((await call('PUT', '/api/sqlMigrationServices/east')).status).toBe(200);
    const list = await call('GET', '/api/sqlMigrationServices');
    expect(list.json.value).toEqual([
      expect.objectContaining({
        name: 'east',
        properties: expect.objectContaining({
          integrationRuntimeState: 'NeedRegistration',
        }) as unknown,
      }),
    ]);
    const keys = (await call('POST', '/api/sqlMigrationServices/east/listAuthKeys')).json as {
      authKey1: string;
      authKey2: string;
    };
    expect(keys.authKey1).not.toBe(keys.authKey2);
    const stored = await h.store.transaction((tx) => tx.getService('east'));
    expect(JSON.stringify(stored)).not.toContain(keys.authKey1);
    expect(stored?.authKey1.startsWith('v1:')).toBe(true);
    const regenerated = (
      await call('POST', '/api/sqlMigrationServices/east/regenerateAuthKeys', {
        keyName: 'authKey1',
      })
    ).json;
    expect(regenerated.authKey1).not.toBe(keys.authKey1);
    expect(regenerated.authKey2).toBe(keys.authKey2);
  });

  it('explains what is wrong with a request', async () => {
    const bad = await call('POST', '/api/sqlMigrationServices/east/regenerateAuthKeys', {
      keyName: 'authKey3',
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: {
        code: 'InvalidRequest',
        details: [expect.objectContaining({ path: 'keyName' }) as unknown],
      },
    });
    expect((await call('PUT', '/api/sqlMigrationServices/bad%20name')).status).toBe(400);
    expect((await call('GET', '/api/sqlMigrationServices/nobody')).json).toMatchObject({
      error: { code: 'ServiceNotFound' },
    });
    expect(
      (await call('POST', '/api/sqlMigrationServices/nobody/deleteNode', { nodeName: 'x' })).status,
    ).toBe(404);
  });
});

describe('database migrations', () => {
  const base = '/api/sqlMigrationServices/default/databaseMigrations';
  beforeEach(async () => {
    await call('PUT', '/api/sqlMigrationServices/default');
  });

  it('never returns or stores a secret in clear', async () => {
    const created = await call('PUT', `${base}/Sales`, migrationBody(h.backups));
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.json)).not.toContain(password);
    const shown = await call('GET', `${base}/Sales?expand=MigrationStatusDetails`);
    expect(JSON.stringify(shown.json)).not.toContain(password);
    expect(shown.json).toMatchObject({
      name: 'Sales',
      type: 'databaseMigrations',
      properties: {
        sourceDatabaseName: 'RestoreTimeClean',
        configuration: {
          backupConfiguration: {
            sourceLocation: { fileShare: { path: h.backups, username: 'CONTOSO\\svc' } },
          },
        },
        migrationStatusDetails: expect.objectContaining({
          pendingLogBackupsCount: 0,
          blobContainerName: 'Sales',
        }) as unknown,
      },
    });
    const record = await h.store.transaction((tx) => tx.findMigration('default', 'Sales'));
    expect(JSON.stringify(record)).not.toContain(password);
    expect(JSON.stringify(record)).toContain('"password":"v1:');
  });

  it('refuses what it cannot do, with the reason', async () => {
    const missing = await call('PUT', `${base}/Sales`, {
      properties: { backupConfiguration: { sourceLocation: {} } },
    });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ error: { code: 'InvalidRequest' } });
    const offlineName = await call(
      'PUT',
      `${base}/Sales`,
      migrationBody(h.backups, {
        offlineConfiguration: { offline: false, lastBackupName: 'x.trn' },
      }),
    );
    expect(offlineName.status).toBe(400);
    // One deployment, one target: another kind or another instance is refused, never restored here.
    const otherKind = await call(
      'PUT',
      `${base}/Sales`,
      migrationBody(h.backups, { kind: 'SqlMi' }),
    );
    expect(otherKind.status).toBe(400);
    expect(otherKind.json).toMatchObject({ error: { code: 'UnsupportedTarget' } });
    const otherScope = await call(
      'PUT',
      `${base}/Sales`,
      migrationBody(h.backups, {
        scope: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/managedInstances/other',
      }),
    );
    expect(otherScope.status).toBe(400);
    expect(otherScope.json).toMatchObject({ error: { code: 'UnsupportedTarget' } });
    expect((otherScope.json as { error: { message: string } }).error.message).toContain(
      'managedInstances/other',
    );
    expect(
      (await call('PUT', `${base}/SameScope`, migrationBody(h.backups, { scope: 'REHEARSAL/' })))
        .status,
    ).toBe(201);
    expect((await call('PUT', `${base}/Sales`, migrationBody(h.backups))).status).toBe(201);
    const again = await call('PUT', `${base}/Sales`, migrationBody(h.backups));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'MigrationExists' } });
    expect(
      (
        await call(
          'PUT',
          '/api/sqlMigrationServices/nobody/databaseMigrations/Sales',
          migrationBody(h.backups),
        )
      ).status,
    ).toBe(404);
    expect((await call('PUT', `${base}/Sales2`, 'not json')).status).toBe(400);
  });

  it('checks the operation id, refuses an early cutover, cancels, and deletes only what has ended', async () => {
    const created = await call('PUT', `${base}/Sales`, migrationBody(h.backups));
    const operationId = (created.json.properties as { migrationOperationId: string })
      .migrationOperationId;
    expect(
      (await call('POST', `${base}/Sales/cutover`, { migrationOperationId: 'stale' })).json,
    ).toMatchObject({ error: { code: 'OperationIdMismatch' } });
    await h.engine.tick(
      ((await h.store.transaction((tx) => tx.findMigration('default', 'Sales'))) as { id: string })
        .id,
    );
    const early = await call('POST', `${base}/Sales/cutover`, {
      migrationOperationId: operationId,
    });
    expect(early.status).toBe(409);
    expect(early.json).toMatchObject({ error: { code: 'CutoverNotAllowed' } });
    expect((await call('DELETE', `${base}/Sales`)).json).toMatchObject({
      error: { code: 'MigrationRunning' },
    });
    expect((await call('DELETE', '/api/sqlMigrationServices/default')).json).toMatchObject({
      error: { code: 'ServiceHasMigrations' },
    });
    expect(
      (await call('POST', `${base}/Sales/cancel`, { migrationOperationId: operationId })).status,
    ).toBe(200);
    const id = (
      (await h.store.transaction((tx) => tx.findMigration('default', 'Sales'))) as { id: string }
    ).id;
    await h.until(id, (m) => m.migrationStatus === 'Canceled');
    const events = await call('GET', `${base}/Sales/events`);
    expect((events.json.value as { kind: string }[]).map((e) => e.kind)).toEqual(
      expect.arrayContaining(['Created', 'InProgress', 'Canceling', 'Canceled']),
    );
    expect((await call('DELETE', `${base}/Sales`)).status).toBe(200);
    expect((await call('GET', `${base}/Sales`)).status).toBe(404);
  });
});
