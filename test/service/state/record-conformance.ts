/**
 * Conformance, part two: each record type's reads and optimistic writes. Called by
 * state-store-conformance.ts with a function that opens a store on a fresh location.
 */
import { describe, expect, it } from 'vitest';

import {
  StateConflictError,
  type MigrationFilter,
  type StateStore,
} from '../../../src/service/state/index.js';
import {
  expectCode,
  file,
  migration,
  migrationSession,
  node,
  sealed,
  service,
} from './state-fixtures.js';

export function describeRecordConformance(fresh: () => Promise<StateStore>): void {
  describe('records', () => {
    it('stores services with their sealed keys as given, and bumps the version on each write', async () => {
      const store = await fresh();
      const created = await store.transaction((tx) => tx.putService(service('svc'), 0));
      expect(created).toEqual({ ...service('svc'), version: 1 });
      const rotated = await store.transaction((tx) =>
        tx.putService({ ...service('svc'), authKey1: sealed('rotated') }, 1),
      );
      expect(rotated.version).toBe(2);
      await store.transaction((tx) => tx.putService(service('another'), 0));
      expect(await store.transaction((tx) => tx.getService('svc'))).toEqual(rotated);
      expect(await store.transaction((tx) => tx.getService('nope'))).toBeNull();
      const names = await store.transaction(async (tx) =>
        (await tx.listServices()).map((s) => s.name),
      );
      expect(names).toEqual(['another', 'svc']);
      expect(await store.transaction((tx) => tx.deleteService('svc'))).toBe(true);
      expect(await store.transaction((tx) => tx.deleteService('svc'))).toBe(false);
    });

    it('refuses stale and duplicate writes with StateConflictError', async () => {
      const store = await fresh();
      await store.transaction((tx) => tx.putService(service('svc'), 0));
      await store.transaction((tx) => tx.putService(service('svc'), 1));
      const conflict = (expected: number, name = 'svc') =>
        store.transaction((tx) => tx.putService(service(name), expected)).catch((e: unknown) => e);
      expect(await conflict(0)).toMatchObject({ expectedVersion: 0, actualVersion: 2 });
      expect(await conflict(1)).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
      const missing = await conflict(3, 'ghost');
      expect(missing).toBeInstanceOf(StateConflictError);
      expect(missing).toMatchObject({ entity: 'Service', key: 'ghost', actualVersion: null });
      await expectCode(
        store.transaction((tx) => tx.putService(service('svc'), -1)),
        'InvalidArgument',
      );
    });

    it('stores nodes under their service and removes them with it', async () => {
      const store = await fresh();
      await expectCode(
        store.transaction((tx) => tx.putNode(node('svc', 'n1'), 0)),
        'MissingParent',
      );
      await store.transaction(async (tx) => {
        await tx.putService(service('svc'), 0);
        await tx.putNode(node('svc', 'n2'), 0);
        await tx.putNode(node('svc', 'n1'), 0);
      });
      const seen = await store.transaction((tx) =>
        tx.putNode(node('svc', 'n1', { lastSeenAt: '2025-02-01T00:00:00.000Z' }), 1),
      );
      const nodes = await store.transaction((tx) => tx.listNodes('svc'));
      expect(nodes).toEqual([seen, { ...node('svc', 'n2'), version: 1 }]);
      expect(await store.transaction((tx) => tx.deleteNode('svc', 'n2'))).toBe(true);
      await store.transaction((tx) => tx.deleteService('svc'));
      expect(await store.transaction((tx) => tx.listNodes('svc'))).toEqual([]);
    });

    it('stores migrations field for field and finds them by target database', async () => {
      const store = await fresh();
      const failed = migration('m1', {
        migrationStatus: 'Failed',
        endedOn: '2025-01-03T00:00:00.000Z',
        migrationFailureError: { code: 'RestoreFailed', message: 'Log 12 does not follow log 11.' },
      });
      await store.transaction((tx) => tx.putMigration(migration('m1'), 0));
      const saved = await store.transaction((tx) => tx.putMigration(failed, 1));
      expect(saved).toEqual({ ...failed, version: 2 });
      expect(await store.transaction((tx) => tx.getMigration('m1'))).toEqual(saved);
      expect(await store.transaction((tx) => tx.findMigration('dms-east', 'Target-m1'))).toEqual(
        saved,
      );
      expect(await store.transaction((tx) => tx.findMigration('dms-west', 'Target-m1'))).toBeNull();
    });

    it('allows one migration per target database and service', async () => {
      const store = await fresh();
      await store.transaction((tx) =>
        tx.putMigration(migration('m1', { targetDbName: 'Sales' }), 0),
      );
      await store.transaction((tx) => tx.putMigration(migration('m2'), 0));
      const taken = await expectCode(
        store.transaction((tx) => tx.putMigration(migration('m3', { targetDbName: 'Sales' }), 0)),
        'DuplicateTargetDatabase',
      );
      expect(taken.message).toContain('migration m1 to target database Sales');
      await expectCode(
        store.transaction((tx) => tx.putMigration(migration('m2', { targetDbName: 'Sales' }), 1)),
        'DuplicateTargetDatabase',
      );
      const elsewhere = migration('m4', { serviceName: 'dms-west', targetDbName: 'Sales' });
      await expect(store.transaction((tx) => tx.putMigration(elsewhere, 0))).resolves.toBeTruthy();
    });

    it('filters migrations by service and status, oldest first', async () => {
      const store = await fresh();
      await store.transaction(async (tx) => {
        const at = (day: number): string => `2025-01-0${day}T00:00:00.000Z`;
        await tx.putMigration(
          migration('c', { createdAt: at(3), migrationStatus: 'Succeeded' }),
          0,
        );
        await tx.putMigration(migration('a', { createdAt: at(1) }), 0);
        await tx.putMigration(migration('b', { createdAt: at(2), serviceName: 'dms-west' }), 0);
      });
      const ids = (filter?: MigrationFilter) =>
        store.transaction(async (tx) => (await tx.listMigrations(filter)).map((m) => m.id));
      expect(await ids()).toEqual(['a', 'b', 'c']);
      expect(await ids({ serviceName: 'dms-east' })).toEqual(['a', 'c']);
      expect(await ids({ statuses: ['InProgress', 'Restoring'] })).toEqual(['a', 'b']);
      expect(await ids({ serviceName: 'dms-west', statuses: ['Succeeded'] })).toEqual([]);
      expect(await ids({ statuses: [] })).toEqual([]);
    });

    it('stores files per migration, in name order, optimistically', async () => {
      const store = await fresh();
      await expectCode(
        store.transaction((tx) => tx.putFile(file('m1', 'full.bak'), 0)),
        'MissingParent',
      );
      await store.transaction(async (tx) => {
        await tx.putMigration(migration('m1'), 0);
        await tx.putFile(file('m1', 'log/2.trn'), 0);
        await tx.putFile(file('m1', 'full.bak'), 0);
      });
      const uploaded = file('m1', 'full.bak', { status: 'Uploaded', document: { sizeBytes: 7 } });
      await store.transaction((tx) => tx.putFile(uploaded, 1));
      const stale = await store
        .transaction((tx) => tx.putFile(uploaded, 1))
        .catch((e: unknown) => e);
      expect(stale).toMatchObject({ entity: 'File', key: 'm1/full.bak', actualVersion: 2 });
      const files = await store.transaction((tx) => tx.listFiles('m1'));
      expect(files).toEqual([
        { ...uploaded, version: 2 },
        { ...file('m1', 'log/2.trn'), version: 1 },
      ]);
    });

    it('stores migration sessions field for field, newest first, optimistically', async () => {
      const store = await fresh();
      await store.transaction(async (tx) => {
        await tx.putMigrationSession(migrationSession('s1'), 0);
        await tx.putMigrationSession(
          migrationSession('s2', { updatedAt: '2025-01-03T00:00:00.000Z' }),
          0,
        );
      });
      const moved = migrationSession('s1', {
        updatedAt: '2025-01-04T00:00:00.000Z',
        step: 'summary',
        status: 'Started',
        document: { nested: { list: [1, null, 'x'] }, text: 'héllo' },
      });
      const saved = await store.transaction((tx) => tx.putMigrationSession(moved, 1));
      expect(saved).toEqual({ ...moved, version: 2 });
      expect(await store.transaction((tx) => tx.getMigrationSession('s1'))).toEqual(saved);
      expect(await store.transaction((tx) => tx.getMigrationSession('nope'))).toBeNull();
      const ids = await store.transaction(async (tx) =>
        (await tx.listMigrationSessions()).map((s) => s.id),
      );
      expect(ids).toEqual(['s1', 's2']);
      const stale = await store
        .transaction((tx) => tx.putMigrationSession(moved, 1))
        .catch((e: unknown) => e);
      expect(stale).toMatchObject({ entity: 'Migration session', key: 's1', actualVersion: 2 });
      expect(await store.transaction((tx) => tx.deleteMigrationSession('s1'))).toBe(true);
      expect(await store.transaction((tx) => tx.deleteMigrationSession('s1'))).toBe(false);
      expect(await store.transaction((tx) => tx.listMigrationSessions())).toHaveLength(1);
    });
  });
}
