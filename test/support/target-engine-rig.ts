/**
 * TEST SUPPORT — the migration engine over a given restore target, for tests of the real targets
 * (Managed Instance against the Log Replay Service stand-in, SQL Server over a scripted connection):
 * SQLite state and a backup folder in a temporary folder, a clock moved by hand, the local folder
 * runtime, and rounds of ticks until a migration reaches what a test waits for.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LocalFolderSource } from '../../src/runtime/index.js';
import { MigrationEngine, type CreateMigration } from '../../src/service/engine/index.js';
import {
  openStateStore,
  type FileRecord,
  type MigrationRecord,
} from '../../src/service/state/index.js';
import type { BlobStore } from '../../src/storage/index.js';
import type { RestoreTarget } from '../../src/targets/index.js';
import { chain } from './chain-files.js';

export interface ManualClock {
  now(): Date;
  advance(ms: number): void;
}

export interface TargetEngineRig {
  readonly engine: MigrationEngine;
  readonly clock: ManualClock;
  /** Copies a file of the corpus chain into the backup folder. */
  arrive(name: string): Promise<void>;
  /** A migration of RestoreTimeClean to Sales from the backup folder. */
  create(
    input: Pick<CreateMigration, 'kind' | 'scope' | 'mode'> & Partial<CreateMigration>,
  ): Promise<MigrationRecord>;
  /** Rounds (engine tick, uploads drained, a second passed, `between`, engine tick) until `done`. */
  until(
    id: string,
    done: (migration: MigrationRecord, files: FileRecord[]) => boolean,
    limit?: number,
  ): Promise<[MigrationRecord, FileRecord[]]>;
  close(): Promise<void>;
}

export async function targetEngineRig(options: {
  readonly blobs: BlobStore;
  /** The target, made with the rig's clock. */
  readonly target: (clock: ManualClock) => RestoreTarget | Promise<RestoreTarget>;
  /** What moves the target on in each round, after the clock (the stand-in's tick, a pause). */
  readonly between: () => Promise<void>;
}): Promise<TargetEngineRig> {
  const root = await mkdtemp(join(tmpdir(), 'sqlmig-target-engine-'));
  const folder = join(root, 'backups');
  await mkdir(folder);
  let now = Date.UTC(2026, 10, 1, 8, 0, 0);
  const clock: ManualClock = { now: () => new Date(now), advance: (ms) => void (now += ms) };
  const target = await options.target(clock);
  const state = await openStateStore({ dataDir: join(root, 'state') });
  await state.migrate();
  const engine = new MigrationEngine({
    store: state,
    target,
    blobStore: options.blobs,
    sourceFor: () => new LocalFolderSource(folder, { blockSizeBytes: 256 * 1024 }),
    clock,
  });
  const read = async (id: string): Promise<[MigrationRecord, FileRecord[]]> => {
    const { migration, files } = await engine.details(id);
    return [migration, files];
  };
  return {
    engine,
    clock,
    arrive: (name) => copyFile(chain(name), join(folder, name)),
    create: (input) =>
      engine.create({
        serviceName: 'default',
        targetDbName: 'Sales',
        sourceDatabaseName: 'RestoreTimeClean',
        backupFolder: folder,
        ...input,
      }),
    async until(id, done, limit = 60) {
      for (let i = 0; i < limit; i++) {
        const [migration, files] = await read(id);
        if (done(migration, files)) return [migration, files];
        await engine.tick(id);
        await engine.drain();
        clock.advance(1000);
        await options.between();
        await engine.tick(id);
        await engine.drain();
      }
      const [migration, files] = await read(id);
      throw new Error(
        `not reached after ${limit} rounds: ${migration.migrationStatus}; ${files.map((f) => `${f.fileName}=${f.status}`).join(', ')}; ${JSON.stringify(migration.document['stepError'] ?? null)}`,
      );
    },
    async close() {
      await engine.stop();
      await state.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Whether every file named shows Restored. */
export const filesRestored = (files: readonly FileRecord[], names: readonly string[]) =>
  names.every((n) => files.find((f) => f.fileName === n)?.status === 'Restored');
