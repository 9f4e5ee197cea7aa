/**
 * The migration list routes with their query: counted by state, filtered by state and a name
 * search, paged by top and skip — and, without a query, every migration as before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { apiForTests, type ApiForTests } from '../../support/api-for-tests.js';
import { engineHarness, type EngineHarness } from '../../support/engine-harness.js';
import { seedEndedMigrations, seededName, seededStatus } from '../../support/seeded-migrations.js';

const token = 'test-token-0123456789';
let h: EngineHarness;
let api: ApiForTests;

interface ListBody {
  value: { name: string; properties: { migrationStatus: string; sourceDatabaseName: string } }[];
  count: number;
  summary: Record<string, number>;
}

async function list(query = '', route = 'databaseMigrations'): Promise<ListBody> {
  const response = await api.app.request(
    `/api/sqlMigrationServices/default/${route}${query ? `?${query}` : ''}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as ListBody;
}

beforeEach(async () => {
  h = await engineHarness();
  api = await apiForTests(h, token);
  await api.app.request('/api/sqlMigrationServices/default', {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}` },
  });
});
afterEach(async () => {
  await api.close();
  await h.close();
});

describe('the migration list', () => {
  it('without a query lists every migration in creation order, with the counts', async () => {
    await seedEndedMigrations(h.store, 30);
    const all = await list();
    expect(all.value.map((m) => m.name)).toEqual(
      Array.from({ length: 30 }, (_, i) => seededName(i)),
    );
    expect(all.count).toBe(30);
    expect(all.summary).toEqual({ total: 30, active: 0, succeeded: 18, failed: 6, canceled: 6 });
  });

  it('filters by state and by a search of either name, in any case, then pages', async () => {
    const seeded = await seedEndedMigrations(h.store, 2000);
    const failed = await list('state=failed&top=25');
    expect(failed.count).toBe(seeded.failed);
    expect(failed.value).toHaveLength(25);
    expect(failed.value.every((m) => m.properties.migrationStatus === 'Failed')).toBe(true);
    expect(failed.summary).toMatchObject({ total: 2000, failed: seeded.failed });

    const payroll = await list('search=PAYROLL');
    expect(payroll.count).toBe(seeded.payroll);
    expect(payroll.value.map((m) => m.name)).toEqual(
      Array.from({ length: 2000 }, (_, i) => seededName(i)).filter((n) => n.startsWith('Payroll')),
    );
    // The source database's name is searched too.
    const bySource = await list('search=source01234');
    expect(bySource.value.map((m) => m.name)).toEqual([seededName(1234)]);

    const page3 = await list('state=succeeded&top=50&skip=100');
    const succeeded = Array.from({ length: 2000 }, (_, i) => i).filter(
      (i) => seededStatus(i) === 'Succeeded',
    );
    expect(page3.value.map((m) => m.name)).toEqual(
      succeeded.slice(100, 150).map((i) => seededName(i)),
    );
    expect((await list('state=active')).count).toBe(0);
    // The service's listMigrations action takes the same query.
    expect((await list('state=canceled&top=1', 'listMigrations')).value).toHaveLength(1);
  });

  it('refuses a query it does not understand, saying which parameter and why', async () => {
    const response = await api.app.request(
      '/api/sqlMigrationServices/default/databaseMigrations?state=done&top=5000',
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; details: { path: string }[] };
    };
    expect(body.error.code).toBe('InvalidRequest');
    expect(body.error.details.map((d) => d.path).sort()).toEqual(['state', 'top']);
  });
});
