/**
 * The SQLite store commits the transactions asked for in one turn of the event loop together
 * (group commit): each still succeeds or fails on its own, and its caller hears of it only once the
 * commit is done.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openStateStore, type StateStore } from '../../../src/service/state/index.js';
import { service } from './state-fixtures.js';

let dataDir: string;
let store: StateStore;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sqlmig-group-'));
  store = await openStateStore({ dataDir });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('SQLite group commit', () => {
  it('rolls back a failing transaction of a group alone; the others are kept', async () => {
    const outcomes = await Promise.allSettled([
      store.transaction((tx) => tx.putService(service('first'), 0)),
      store.transaction(async (tx) => {
        await tx.putService(service('second'), 0);
        throw new Error('the second changes its mind');
      }),
      store.transaction((tx) => tx.putService(service('third'), 0)),
      // A conflict is a failure of its own transaction too.
      store.transaction((tx) => tx.putService(service('first'), 7)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect(outcomes[1]).toMatchObject({ reason: { message: 'the second changes its mind' } });
    const names = await store.transaction(async (tx) =>
      (await tx.listServices()).map((s) => s.name),
    );
    expect(names.sort()).toEqual(['first', 'third']);
  });

  it('sees the writes of the transactions before it in the same group', async () => {
    const [, seen] = await Promise.all([
      store.transaction((tx) => tx.putService(service('early'), 0)),
      store.transaction((tx) => tx.getService('early')),
    ]);
    expect(seen).toMatchObject({ name: 'early', version: 1 });
  });

  it('refuses transactions once the store is closed, even those already asked for', async () => {
    const asked = store.transaction((tx) => tx.listServices());
    const closing = store.close();
    await expect(asked).rejects.toMatchObject({ code: 'StoreClosed' });
    await closing;
    await expect(store.transaction((tx) => tx.listServices())).rejects.toMatchObject({
      code: 'StoreClosed',
    });
  });
});
