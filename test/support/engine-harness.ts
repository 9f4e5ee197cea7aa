/**
 * TEST SUPPORT — the embedded mode's parts wired in process for engine tests: SQLite state, a local
 * folder blob store, the rehearsal target (ticked by hand) and the local folder integration runtime.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { LocalFolderSource } from '../../src/runtime/index.js';
import {
  MigrationEngine,
  type BackupSource,
  type CreateMigration,
} from '../../src/service/engine/index.js';
import {
  openStateStore,
  type FileRecord,
  type MigrationRecord,
  type StateStore,
} from '../../src/service/state/index.js';
import { LocalFolderBlobStore } from '../../src/storage/index.js';
import { createRehearsalTarget, type RehearsalTarget } from '../../src/targets/index.js';

export interface EngineHarness {
  readonly root: string;
  readonly backups: string;
  readonly store: StateStore;
  /** The blob store's folder (a committed blob is the file `<blobsRoot>/<blob name>`). */
  readonly blobsRoot: string;
  /** The target and engine of the current "process" (replaced by `restart`). */
  readonly target: RehearsalTarget;
  readonly engine: MigrationEngine;
  readonly clock: { now(): Date; advance(ms: number): void };
  /**
   * A service restart: the engine stops (uploads stop at their next block), then a new engine and a
   * new rehearsal target (which remembers nothing) take over the same store and blobs.
   */
  restart(): Promise<void>;
  create(input?: Partial<CreateMigration>): Promise<MigrationRecord>;
  /** Copies a file into the backup folder (optionally under another name). */
  arrive(source: string, as?: string): Promise<void>;
  write(name: string, content: string | Uint8Array): Promise<void>;
  /** Engine tick, uploads drained, target tick, engine tick: one round of everything. */
  round(id: string): Promise<void>;
  /** Rounds until `done` holds (at most `limit` rounds). */
  until(
    id: string,
    done: (migration: MigrationRecord, files: FileRecord[]) => boolean,
    limit?: number,
  ): Promise<[MigrationRecord, FileRecord[]]>;
  read(id: string): Promise<[MigrationRecord, FileRecord[]]>;
  close(): Promise<void>;
}

/**
 * `openStore` gives the state store to use (a PostgreSQL one, say); by default SQLite in a temp folder.
 * `wrapSource` stands between the engine and the backup folder (a test that holds an upload back).
 */
export async function engineHarness(
  openStore?: () => Promise<StateStore>,
  { wrapSource }: { readonly wrapSource?: (source: BackupSource) => BackupSource } = {},
): Promise<EngineHarness> {
  const root = await mkdtemp(join(tmpdir(), 'sqlmig-engine-'));
  const backups = join(root, 'SalesBackupFolder'.replace('Backup', 'Bak'));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(backups, { recursive: true });
  let now = Date.parse('2026-11-01T08:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const store = openStore
    ? await openStore()
    : await openStateStore({ dataDir: join(root, 'state') });
  if (!openStore) await store.migrate();
  const blobsRoot = join(root, 'blobs');
  const blobs = new LocalFolderBlobStore(blobsRoot);
  const newTarget = () =>
    createRehearsalTarget({ store: blobs, restoreBytesPerSecond: 1024 ** 4, clock });
  const newEngine = (target: RehearsalTarget) =>
    new MigrationEngine({
      store,
      target,
      blobStore: blobs,
      sourceFor: () => {
        const source = new LocalFolderSource(backups, { blockSizeBytes: 256 * 1024 });
        return wrapSource ? wrapSource(source) : source;
      },
      clock,
    });
  let target = newTarget();
  let engine = newEngine(target);
  const read = (id: string) =>
    engine
      .details(id)
      .then(({ migration, files }) => [migration, files] as [MigrationRecord, FileRecord[]]);
  const round = async (id: string) => {
    await engine.tick(id);
    await engine.drain();
    clock.advance(1000);
    await target.tick(clock.now());
    await engine.tick(id);
    await engine.drain();
  };
  return {
    root,
    backups,
    store,
    blobsRoot,
    get target() {
      return target;
    },
    get engine() {
      return engine;
    },
    clock,
    async restart() {
      await engine.stop();
      await target.close();
      target = newTarget();
      engine = newEngine(target);
    },
    create: (input = {}) =>
      engine.create({
        serviceName: 'default',
        targetDbName: 'Sales',
        sourceDatabaseName: 'RestoreTimeClean',
        kind: 'Rehearsal',
        scope: 'rehearsal',
        mode: 'online',
        backupFolder: backups,
        ...input,
      }),
    arrive: (source, as) => copyFile(source, join(backups, as ?? basename(source))),
    write: (name, content) => writeFile(join(backups, name), content),
    round,
    read,
    async until(id, done, limit = 30) {
      for (let i = 0; i < limit; i++) {
        const [migration, files] = await read(id);
        if (done(migration, files)) return [migration, files];
        await round(id);
      }
      const [migration, files] = await read(id);
      throw new Error(
        `not reached after ${limit} rounds: ${migration.migrationStatus}; ${files.map((f) => `${f.fileName}=${f.status}`).join(', ')}`,
      );
    },
    async close() {
      await engine.stop();
      await target.close();
      if (!openStore) await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
