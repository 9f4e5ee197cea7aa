/**
 * The web app's bundle served by the API's application: files with their content types and cache
 * rules, the app's page for page addresses, a 404 for missing files, a self-only content security
 * policy, nothing outside the bundle's folder, and the API's own paths left to the API.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { apiForTests, type ApiForTests } from '../../support/api-for-tests.js';
import { engineHarness, type EngineHarness } from '../../support/engine-harness.js';

const token = 'test-token-0123456789';
const indexHtml = '<!doctype html><title>sqlmig</title><div id="root"></div>';
let h: EngineHarness;
let api: ApiForTests;
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sqlmig-web-'));
  const webRoot = join(root, 'web');
  await mkdir(join(webRoot, 'assets'), { recursive: true });
  await writeFile(join(webRoot, 'index.html'), indexHtml);
  await writeFile(join(webRoot, 'assets', 'index-AbC123.js'), 'console.log("app");');
  await writeFile(join(webRoot, 'assets', 'index-AbC123.css'), 'body{margin:0}');
  await writeFile(join(webRoot, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(root, 'secret.txt'), 'outside the bundle');
  h = await engineHarness();
  api = await apiForTests(h, token, {}, { webRoot });
});
afterEach(async () => {
  await api.close();
  await h.close();
  await rm(root, { recursive: true, force: true });
});

const get = (path: string, accept = 'text/html,*/*', method = 'GET') =>
  api.app.request(path, { method, headers: { accept } });

describe('the web bundle', () => {
  it('serves the app at / and at every page address a browser asks for, never cached', async () => {
    for (const path of ['/', '/migrations/default/Sales.v2', '/new']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(indexHtml);
    }
    const policy = (await get('/')).headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
  });

  it('serves files with their content types; hashed assets are cached for good', async () => {
    const script = await get('/assets/index-AbC123.js', '*/*');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await script.text()).toBe('console.log("app");');
    expect((await get('/assets/index-AbC123.css', 'text/css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await get('/favicon.svg', 'image/*')).headers.get('content-type')).toBe(
      'image/svg+xml',
    );
    const head = await get('/assets/index-AbC123.js', '*/*', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('19');
    expect(await head.text()).toBe('');
  });

  it('answers a missing file with a 404 in the API error shape, not with the app', async () => {
    const response = await get('/assets/index-Old999.js', '*/*');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'NotFound', message: 'No such file: /assets/index-Old999.js.' },
    });
  });

  it('never serves a file outside its folder', async () => {
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const response = await get(path, '*/*');
      expect(await response.text(), path).not.toContain('outside the bundle');
    }
  });

  it('leaves /api, /ir and /healthz to the API', async () => {
    const api401 = await get('/api/sqlMigrationServices');
    expect(api401.status).toBe(401);
    expect(await api401.json()).toMatchObject({ error: { code: 'Unauthorized' } });
    const missing = await api.app.request('/api/nothing-here', {
      headers: { authorization: `Bearer ${token}`, accept: 'text/html' },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NotFound' } });
    expect((await get('/ir/v1/nothing')).headers.get('content-type')).toContain('application/json');
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
  });
});

describe('without a built bundle', () => {
  it('says the web app is not built and how to build it', async () => {
    const bare = await apiForTests(h, token, {}, { webRoot: join(root, 'nothing-here') });
    try {
      const response = await bare.app.request('/', { headers: { accept: 'text/html' } });
      expect(response.status).toBe(404);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('WebAppNotBuilt');
      expect(body.error.message).toMatch(/npm run build/);
    } finally {
      await bare.close();
    }
  });
});
