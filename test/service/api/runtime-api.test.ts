/**
 * The integration runtime's calls (`/ir/v1`) in process, over the real embedded parts: registration
 * with either auth key, regenerated keys, the node's own credential, heartbeats and the runtime state,
 * deleteNode, and a job leased, renewed and completed over HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { createApi } from '../../../src/service/api/index.js';
import { apiForTests, type ApiForTests } from '../../support/api-for-tests.js';
import { engineHarness, type EngineHarness } from '../../support/engine-harness.js';

const token = 'test-token-0123456789';
let h: EngineHarness;
let api: ApiForTests;
let app: ReturnType<typeof createApi>;

async function call(
  path: string,
  body: unknown,
  auth: string,
  method = 'POST',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const monitoring = {
  availableMemoryInMB: 2048,
  cpuUtilization: 12,
  concurrentJobsLimit: 4,
  concurrentJobsRunning: 1,
  maxConcurrentJobs: 4,
  sentBytes: 100,
  receivedBytes: 200,
};

async function keys(service: string): Promise<{ authKey1: string; authKey2: string }> {
  const { json } = await call(
    `/api/sqlMigrationServices/${service}/listAuthKeys`,
    undefined,
    token,
  );
  return json as { authKey1: string; authKey2: string };
}

async function register(key: string, nodeName: string) {
  return call('/ir/v1/register', { nodeName, monitoring }, key);
}

beforeEach(async () => {
  h = await engineHarness();
  api = await apiForTests(h, token, { leaseMs: 5_000 });
  app = api.app;

  expect((await call('/api/sqlMigrationServices/east', undefined, token, 'PUT')).status).toBe(201);
  expect((await call('/api/sqlMigrationServices/west', undefined, token, 'PUT')).status).toBe(201);
});
afterEach(async () => {
  await api.close();
  await h.close();
});

describe('registration', () => {
  it('registers a node with either key of its service, which then shows it Online', async () => {
    const east = await keys('east');
    const service = () => call('/api/sqlMigrationServices/east', undefined, token, 'GET');
    expect((await service()).json).toMatchObject({
      properties: { integrationRuntimeState: 'NeedRegistration' },
    });
    const one = await register(east.authKey1, 'node-1');
    const two = await register(east.authKey2, 'node-2');
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ serviceName: 'east', nodeName: 'node-1', leaseMs: 5_000 });
    expect(two.json).toMatchObject({ serviceName: 'east', nodeName: 'node-2' });
    expect(String(one.json['credential'])).toMatch(/^sqlmig-node\./);
    expect((await service()).json).toMatchObject({
      properties: { integrationRuntimeState: 'Online' },
    });
    const data = await call('/api/sqlMigrationServices/east/listMonitoringData', undefined, token);
    expect(data.json).toMatchObject({
      name: 'east',
      nodes: [
        { nodeName: 'node-1', ...monitoring },
        { nodeName: 'node-2', ...monitoring },
      ],
    });
    // West has its own keys and nodes.
    const west = await call('/api/sqlMigrationServices/west/listMonitoringData', undefined, token);
    expect(west.json).toMatchObject({ nodes: [] });
    // The credential is kept only as a hash.
    const stored = await h.store.transaction((tx) => tx.listNodes('east'));
    const secret = String(one.json['credential']).split('.')[3] ?? 'missing';
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored[0]?.credentialHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a wrong key, another service's node credential, or a user token, saying what to do", async () => {
    const wrong = await register('sqlmig-ir-not-a-key', 'node-1');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ error: { code: 'InvalidAuthKey' } });
    expect(JSON.stringify(wrong.json)).toContain('sqlmig service keys');
    expect((await register(token, 'node-1')).status).toBe(401);
    expect((await call('/ir/v1/heartbeat', { monitoring }, token)).json).toMatchObject({
      error: { code: 'InvalidNodeCredential' },
    });
    // The node's credential does not open the user's API.
    const east = await keys('east');
    const credential = String((await register(east.authKey1, 'node-1')).json['credential']);
    expect((await call('/api/sqlMigrationServices', undefined, credential, 'GET')).status).toBe(
      401,
    );
    // A credential altered to name another service is refused.
    const parts = credential.split('.');
    parts[1] = Buffer.from('west').toString('base64url');
    expect((await call('/ir/v1/heartbeat', { monitoring }, parts.join('.'))).json).toMatchObject({
      error: { code: 'NodeNotRegistered' },
    });
  });

  it('stops taking a regenerated key for new registrations; nodes registered with it go on', async () => {
    const before = await keys('east');
    const credential = String((await register(before.authKey1, 'node-1')).json['credential']);
    const regenerated = await call(
      '/api/sqlMigrationServices/east/regenerateAuthKeys',
      { keyName: 'authKey1' },
      token,
    );
    expect(regenerated.json['authKey1']).not.toBe(before.authKey1);
    expect(regenerated.json['authKey2']).toBe(before.authKey2);
    expect((await register(before.authKey1, 'node-2')).json).toMatchObject({
      error: { code: 'InvalidAuthKey' },
    });
    expect((await register(String(regenerated.json['authKey1']), 'node-2')).status).toBe(200);
    expect((await register(before.authKey2, 'node-3')).status).toBe(200);
    expect((await call('/ir/v1/heartbeat', { monitoring }, credential)).status).toBe(200);
  });

  it('refuses a node removed by deleteNode, and a credential replaced by registering again', async () => {
    const east = await keys('east');
    const first = String((await register(east.authKey1, 'node-1')).json['credential']);
    const second = String((await register(east.authKey1, 'node-1')).json['credential']);
    expect((await call('/ir/v1/heartbeat', { monitoring }, first)).json).toMatchObject({
      error: { code: 'NodeNotRegistered' },
    });
    expect((await call('/ir/v1/heartbeat', { monitoring }, second)).status).toBe(200);
    const removed = await call(
      '/api/sqlMigrationServices/east/deleteNode',
      { nodeName: 'node-1' },
      token,
    );
    expect(removed.json).toMatchObject({ nodes: [] });
    const refused = await call('/ir/v1/heartbeat', { monitoring }, second);
    expect(refused.status).toBe(401);
    expect((refused.json['error'] as { message: string }).message).toContain('deleteNode');
  });

  it('marks a service Offline when no node has been seen for a while', async () => {
    const east = await keys('east');
    await register(east.authKey1, 'node-1');
    h.clock.advance(61_000);
    expect(
      (await call('/api/sqlMigrationServices/east', undefined, token, 'GET')).json,
    ).toMatchObject({ properties: { integrationRuntimeState: 'Offline' } });
  });
});

describe('work under leases', () => {
  it('hands a job to a node of its service, takes progress and the result, and refuses a lost lease', async () => {
    const east = await keys('east');
    const node = String((await register(east.authKey1, 'node-1')).json['credential']);
    const other = String((await register(east.authKey2, 'node-2')).json['credential']);
    const progress: unknown[] = [];
    const result = api.work.submit(
      'east',
      { kind: 'upload', description: 'upload x.bak', input: { name: 'x.bak' } },
      { onProgress: (p) => progress.push(p) },
    );
    const leased = await call('/ir/v1/lease', { waitMs: 0 }, node);
    const job = leased.json['job'] as { leaseId: string; kind: string; input: unknown };
    expect(job).toMatchObject({ kind: 'upload', input: { name: 'x.bak' }, attempt: 1 });
    expect((await call('/ir/v1/lease', { waitMs: 0 }, other)).json).toEqual({ job: null });
    const renewed = await call(
      `/ir/v1/leases/${job.leaseId}/progress`,
      { progress: { dataRead: 4, dataWritten: 4 } },
      node,
    );
    expect(renewed.json).toEqual({ outcome: 'ok' });
    expect(progress).toEqual([{ dataRead: 4, dataWritten: 4 }]);
    // Another node cannot report on this lease.
    const stolen = await call(`/ir/v1/leases/${job.leaseId}/complete`, { result: {} }, other);
    expect(stolen.status).toBe(409);
    expect(stolen.json).toMatchObject({ error: { code: 'LeaseLost' } });
    const done = await call(
      `/ir/v1/leases/${job.leaseId}/complete`,
      { result: { ok: true } },
      node,
    );
    expect(done.json).toEqual({ accepted: true });
    await expect(result).resolves.toEqual({ ok: true });
    const again = await call(`/ir/v1/leases/${job.leaseId}/complete`, { result: {} }, node);
    expect(again.json).toMatchObject({ error: { code: 'LeaseLost' } });
    const invalid = await call('/ir/v1/lease', { waitMs: 999_999 }, node);
    expect(invalid.status).toBe(400);
  });
});
