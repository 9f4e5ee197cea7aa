/**
 * What every StateStore must do, run against each database by state-store.test.ts. Each test gets a
 * fresh location (SQLite: a new file; PostgreSQL: a new schema). The record types are in
 * record-conformance.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { StateConflictError, type StateStore } from '../../../src/service/state/index.js';
import { SCHEMA_STEPS } from '../../../src/service/state/schema-steps.js';
import type { StoreHarness, StoreLocation } from '../../support/state-stores.js';
import { describeRecordConformance } from './record-conformance.js';
import { event, expectCode, file, migration, service } from './state-fixtures.js';

export function describeStateStoreConformance(harness: () => StoreHarness): void {
  let location: StoreLocation;
  const fresh = async (): Promise<StateStore> => {
    location = await harness().fresh();
    return location.open();
  };
  const ledger = async (): Promise<unknown[]> =>
    (await location.sql('SELECT name FROM schema_ledger ORDER BY step')).map((r) => r['name']);
  const stepNames = SCHEMA_STEPS.map((s) => s.name);

  afterEach(() => harness().cleanup());

  describe('schema migrations', () => {
    it('applies every step once, records it in the ledger, and does nothing the second time', async () => {
      const store = await fresh();
      expect(await ledger()).toEqual(stepNames);
      await store.migrate();
      expect(await ledger()).toEqual(stepNames);
    });

    it('lets two stores migrate the same database at once; each step is applied once', async () => {
      location = await harness().fresh();
      const [a, b] = await Promise.all([
        location.open({ migrate: false }),
        location.open({ migrate: false }),
      ]);
      await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
      expect(await ledger()).toEqual(stepNames);
      await a.transaction((tx) => tx.putService(service('made-by-a'), 0));
      expect(await b.transaction((tx) => tx.listServices())).toHaveLength(1);
    });

    it('refuses a database migrated by a newer sqlmig, naming the step', async () => {
      await fresh();
      await location.sql(
        `INSERT INTO schema_ledger (step, name, applied_at) VALUES (99, '0099-from-the-future', 'x')`,
      );
      const newer = await location.open({ migrate: false });
      const error = await expectCode(newer.migrate(), 'SchemaTooNew');
      expect(error.message).toContain('migrated by a newer sqlmig (step 0099-from-the-future)');
      expect(error.message).toContain('upgrade sqlmig or point it at another database');
    });
  });

  describeRecordConformance(fresh);

  describe('events', () => {
    it('numbers events 1, 2, 3 per migration and lists them after a sequence', async () => {
      const store = await fresh();
      await expectCode(
        store.transaction((tx) => tx.appendEvent(event('m1', 'x'))),
        'MissingParent',
      );
      const first = await store.transaction(async (tx) => {
        await tx.putMigration(migration('m1'), 0);
        await tx.putMigration(migration('m2'), 0);
        await tx.appendEvent(event('m2', 'other migration'));
        return tx.appendEvent(event('m1', 'one'));
      });
      expect(first).toEqual({ ...event('m1', 'one'), sequence: 1 });
      await store.transaction(async (tx) => {
        await tx.appendEvent(event('m1', 'two', { data: { nested: { list: [1, null, 'x'] } } }));
        await tx.appendEvent(event('m1', 'three'));
      });
      const events = await store.transaction((tx) => tx.listEvents('m1'));
      expect(events.map((e) => [e.sequence, e.message])).toEqual([
        [1, 'one'],
        [2, 'two'],
        [3, 'three'],
      ]);
      expect(events[1]?.data).toEqual({ nested: { list: [1, null, 'x'] } });
      const after = await store.transaction((tx) => tx.listEvents('m1', 2));
      expect(after.map((e) => e.sequence)).toEqual([3]);
    });

    it('gives concurrent appenders from two stores distinct, gapless sequences', async () => {
      const a = await fresh();
      const b = await location.open();
      await a.transaction((tx) => tx.putMigration(migration('m1'), 0));
      const append = (store: StateStore, i: number) =>
        store.transaction((tx) => tx.appendEvent(event('m1', `event ${i}`)));
      const appended = await Promise.all(
        Array.from({ length: 40 }, (_, i) => append(i % 2 === 0 ? a : b, i)),
      );
      const sequences = appended.map((e) => e.sequence).sort((x, y) => x - y);
      expect(sequences).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      const listed = await b.transaction((tx) => tx.listEvents('m1'));
      expect(listed.map((e) => e.sequence)).toEqual(sequences);
    });
  });

  describe('deletes and transactions', () => {
    it('deletes a migration with its files and events', async () => {
      const store = await fresh();
      await store.transaction(async (tx) => {
        await tx.putMigration(migration('m1'), 0);
        await tx.putMigration(migration('m2'), 0);
        await tx.putFile(file('m1', 'full.bak'), 0);
        await tx.putFile(file('m2', 'full.bak'), 0);
        await tx.appendEvent(event('m1', 'one'));
        await tx.appendEvent(event('m2', 'kept'));
      });
      expect(await store.transaction((tx) => tx.deleteMigration('m1'))).toBe(true);
      expect(await store.transaction((tx) => tx.deleteMigration('m1'))).toBe(false);
      await store.transaction(async (tx) => {
        expect(await tx.getMigration('m1')).toBeNull();
        expect(await tx.listFiles('m1')).toEqual([]);
        expect(await tx.listEvents('m1')).toEqual([]);
        expect(await tx.listFiles('m2')).toHaveLength(1);
        expect(await tx.listEvents('m2')).toHaveLength(1);
        await tx.putMigration(migration('m1'), 0);
        expect((await tx.appendEvent(event('m1', 'again'))).sequence).toBe(1);
      });
    });

    it('refuses to update a file of a deleted migration (MissingParent), and a stale version', async () => {
      const store = await fresh();
      const saved = await store.transaction(async (tx) => {
        await tx.putMigration(migration('m1'), 0);
        return tx.putFile(file('m1', 'full.bak'), 0);
      });
      await expect(
        store.transaction((tx) => tx.putFile({ ...saved, status: 'Uploading' }, 0)),
      ).rejects.toMatchObject({ name: 'StateConflictError' });
      await store.transaction((tx) => tx.deleteMigration('m1'));
      await expectCode(
        store.transaction((tx) => tx.putFile({ ...saved, status: 'Uploading' }, saved.version)),
        'MissingParent',
      );
    });

    it('rolls back every write of a transaction whose work throws, and rethrows', async () => {
      const store = await fresh();
      const failure = new Error('engine failed half-way');
      const outcome = store.transaction(async (tx) => {
        await tx.putMigration(migration('m1'), 0);
        await tx.appendEvent(event('m1', 'lost'));
        throw failure;
      });
      await expect(outcome).rejects.toBe(failure);
      expect(await store.transaction((tx) => tx.getMigration('m1'))).toBeNull();
      await store.transaction((tx) => tx.putMigration(migration('m1'), 0));
      const events = await store.transaction((tx) => tx.listEvents('m1'));
      expect(events).toEqual([]);
    });

    it('keeps calls still running when the work failed out of the database', async () => {
      const store = await fresh();
      await store.transaction((tx) => tx.putMigration(migration('m1'), 0));
      const outcome = store.transaction(async (tx) => {
        await Promise.all([
          tx.putFile(file('no-such-migration', 'full.bak'), 0),
          (async () => {
            for (let i = 0; i < 5; i += 1) await tx.appendEvent(event('m1', `straggler ${i}`));
          })(),
        ]);
      });
      await expectCode(outcome, 'MissingParent');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.transaction((tx) => tx.listEvents('m1'))).toEqual([]);
    });

    it('lets exactly one of two stores win a race to update the same version', async () => {
      const a = await fresh();
      const b = await location.open();
      await a.transaction((tx) => tx.putMigration(migration('m1'), 0));
      const move = (store: StateStore, status: 'Restoring' | 'Canceling') =>
        store.transaction((tx) => tx.putMigration(migration('m1', { migrationStatus: status }), 1));
      const results = await Promise.allSettled([move(a, 'Restoring'), move(b, 'Canceling')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(StateConflictError);
      expect((await a.transaction((tx) => tx.getMigration('m1')))?.version).toBe(2);
    });

    it('refuses a transaction object used after its transaction, nesting (not later work), and a closed store', async () => {
      const store = await fresh();
      const escaped = await store.transaction((tx) => Promise.resolve(tx));
      await expectCode(escaped.listServices(), 'TransactionEnded');
      await expectCode(
        store.transaction(() => store.transaction((tx) => tx.listServices())),
        'NestedTransaction',
      );
      let later: Promise<unknown> = Promise.resolve();
      await store.transaction((tx) => {
        later = new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
          store.transaction((inner) => inner.putService(service('after-outer-ended'), 0)),
        );
        return tx.listServices();
      });
      await later;
      expect(await store.transaction((tx) => tx.getService('after-outer-ended'))).not.toBeNull();
      await store.close();
      await expectCode(
        store.transaction((tx) => tx.listServices()),
        'StoreClosed',
      );
    });
  });
}
