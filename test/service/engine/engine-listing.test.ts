/**
 * How often the engine lists a migration's folder: at every tick asked for, at every periodic tick
 * when the source cannot watch the folder, and at every fifth when it can (its watcher wakes the
 * migration at once; the periodic listing is the safety net for an event it missed). A watcher's
 * event is looked at alone: the entry it names, not the whole folder.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LocalFolderSource } from '../../../src/runtime/index.js';
import { MigrationEngine, type BackupSource } from '../../../src/service/engine/index.js';
import { openStateStore, type StateStore } from '../../../src/service/state/index.js';
import { LocalFolderBlobStore } from '../../../src/storage/index.js';
import { createRehearsalTarget, type RehearsalTarget } from '../../../src/targets/index.js';

let root: string;
let store: StateStore;
let target: RehearsalTarget;
let lists: number;
/** The entries each `listNamed` call was asked about. */
let named: string[][];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sqlmig-listing-'));
  await mkdir(join(root, 'backups'));
  store = await openStateStore({ dataDir: join(root, 'state') });
  await store.migrate();
  target = createRehearsalTarget({ store: new LocalFolderBlobStore(join(root, 'blobs')) });
  lists = 0;
  named = [];
});
afterEach(async () => {
  await target.close();
  await store.close();
  await rm(root, { recursive: true, force: true });
});

/** The local folder source, its listings counted; with or without its watcher. */
function countingSource(watching: boolean): BackupSource {
  const inner = new LocalFolderSource(join(root, 'backups'));
  return {
    description: inner.description,
    list: (wanted) => {
      lists += 1;
      return inner.list(wanted);
    },
    readHeaders: (name) => inner.readHeaders(name),
    upload: (...args) => inner.upload(...args),
    ...(watching
      ? {
          watch: (onChange: (entry: string | null) => void) => inner.watch(onChange),
          listNamed: (entries: readonly string[]) => {
            named.push([...entries]);
            return inner.listNamed(entries);
          },
        }
      : {}),
  };
}

async function started(watching: boolean): Promise<MigrationEngine> {
  const engine = new MigrationEngine({
    store,
    target,
    blobStore: new LocalFolderBlobStore(join(root, 'blobs')),
    sourceFor: () => countingSource(watching),
  });
  await engine.create({
    serviceName: 'default',
    targetDbName: 'Sales',
    sourceDatabaseName: 'Sales',
    kind: 'Rehearsal',
    scope: 'rehearsal',
    mode: 'online',
    backupFolder: join(root, 'backups'),
  });
  await engine.tickAll(); // InProgress; the first tick lists the folder
  return engine;
}

describe('listing a migration folder', () => {
  it('lists a watched folder at every fifth periodic tick, and at every tick asked for', async () => {
    const engine = await started(true);
    try {
      const before = lists;
      for (let i = 0; i < 10; i++) await engine.tickAll();
      expect(lists - before).toBe(2);
      const [migration] = await store.transaction((tx) => tx.listMigrations());
      await engine.tick(migration?.id ?? '');
      expect(lists - before).toBe(3);
    } finally {
      await engine.stop();
    }
  });

  it("looks at the entry a watcher's event names, not at the whole folder", async () => {
    const engine = await started(true);
    try {
      const before = lists;
      await writeFile(join(root, 'backups', 'Sales_log_1.trn'), 'not a backup yet');
      const [migration] = await store.transaction((tx) => tx.listMigrations());
      const id = migration?.id ?? '';
      await vi.waitFor(async () => {
        const files = await store.transaction((tx) => tx.listFiles(id));
        expect(files.map((f) => f.fileName)).toEqual(['Sales_log_1.trn']);
      }, 10_000);
      expect(named.flat()).toContain('Sales_log_1.trn');
      expect(lists - before).toBe(0);
    } finally {
      await engine.stop();
    }
  });

  it('lists the folder when a watched event names a subfolder', async () => {
    const engine = await started(true);
    try {
      const before = lists;
      await mkdir(join(root, 'backups', 'night'));
      await vi.waitFor(() => {
        expect(named.flat()).toContain('night');
        expect(lists - before).toBe(1);
      }, 10_000);
    } finally {
      await engine.stop();
    }
  });

  it('lists a folder it cannot watch at every periodic tick', async () => {
    const engine = await started(false);
    try {
      const before = lists;
      for (let i = 0; i < 10; i++) await engine.tickAll();
      expect(lists - before).toBe(10);
    } finally {
      await engine.stop();
    }
  });
});
