/**
 * The migration engine driving the Managed Instance target against the Log Replay Service stand-in
 * (test support, named as such: an HTTPS server with the ARM calls and a token endpoint, backed by the
 * rehearsal engine). The real target code and pipeline talk to it; the engine, the state store and the
 * local folder runtime are the real ones. Online with cutover, offline with autocomplete, cancel, and
 * a blocked restore whose reason the migration shows. The stand-in's restores are ticked by hand.
 */
import { mkdir, mkdtemp, copyFile, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LocalFolderSource } from '../../src/runtime/index.js';
import { MigrationEngine, statusDetails } from '../../src/service/engine/index.js';
import {
  openStateStore,
  type FileRecord,
  type MigrationRecord,
  type StateStore,
} from '../../src/service/state/index.js';
import { corpusFile, hasBackupCorpus } from '../support/corpus.js';
import { LrsStandIn } from '../support/lrs-stand-in/lrs-stand-in.js';
import { standInContainerUrl, targetOnStandIn } from '../support/lrs-stand-in/stand-in-target.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';

const chain = (name: string) => corpusFile(`appveyor-lab/RestoreTimeClean/${name}`);

interface Rig {
  readonly root: string;
  readonly folder: string;
  readonly state: StateStore;
  readonly standIn: LrsStandIn;
  readonly agent: Agent;
  readonly engine: MigrationEngine;
  readonly clock: { now(): Date; advance(ms: number): void };
}

let rig: Rig;

beforeEach(async () => {
  const root = await mkdtemp(join(tmpdir(), 'sqlmig-mi-engine-'));
  const folder = join(root, 'backups');
  await mkdir(folder);
  let now = Date.UTC(2026, 10, 1, 8, 0, 0);
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const blobs = new MemoryBlobStore();
  const standIn = await LrsStandIn.start({
    containerUrl: standInContainerUrl,
    rehearsal: { store: blobs, clock, restoreBytesPerSecond: 1024 ** 4 },
  });
  const agent = new Agent({ ca: standIn.certPem, keepAlive: false });
  const target = targetOnStandIn(standIn, agent, { clock });
  const state = await openStateStore({ dataDir: join(root, 'state') });
  await state.migrate();
  const engine = new MigrationEngine({
    store: state,
    target,
    blobStore: blobs,
    sourceFor: () => new LocalFolderSource(folder, { blockSizeBytes: 256 * 1024 }),
    clock,
  });
  rig = { root, folder, state, standIn, agent, engine, clock };
});

afterEach(async () => {
  await rig.engine.stop();
  await rig.state.close();
  await rig.standIn.close();
  rig.agent.destroy();
  await rm(rig.root, { recursive: true, force: true });
});

const arrive = (name: string) => copyFile(chain(name), join(rig.folder, name));

async function read(id: string): Promise<[MigrationRecord, FileRecord[]]> {
  const { migration, files } = await rig.engine.details(id);
  return [migration, files];
}

/** Engine tick, uploads drained, a second of the stand-in's restores, engine tick. */
async function round(id: string): Promise<void> {
  await rig.engine.tick(id);
  await rig.engine.drain();
  rig.clock.advance(1000);
  await rig.standIn.rehearsal.tick();
  await rig.engine.tick(id);
  await rig.engine.drain();
}

async function until(
  id: string,
  done: (m: MigrationRecord, files: FileRecord[]) => boolean,
  limit = 40,
): Promise<[MigrationRecord, FileRecord[]]> {
  for (let i = 0; i < limit; i++) {
    const [m, files] = await read(id);
    if (done(m, files)) return [m, files];
    await round(id);
  }
  const [m, files] = await read(id);
  throw new Error(
    `not reached after ${limit} rounds: ${m.migrationStatus}; ${files.map((f) => `${f.fileName}=${f.status}`).join(', ')}; ${JSON.stringify(m.document['stepError'] ?? null)}`,
  );
}

const create = (mode: 'online' | 'offline', lastBackupName: string | null = null) =>
  rig.engine.create({
    serviceName: 'default',
    targetDbName: 'Sales',
    sourceDatabaseName: 'RestoreTimeClean',
    kind: 'SqlMi',
    scope: 'stand-in managed instance',
    mode,
    backupFolder: rig.folder,
    lastBackupName,
  });

const restored = (files: FileRecord[], names: string[]) =>
  names.every((n) => files.find((f) => f.fileName === n)?.status === 'Restored');

describe.skipIf(!hasBackupCorpus)(
  'migrations to a Managed Instance (Log Replay Service stand-in)',
  () => {
    it('online: restores continuously through Log Replay Service, cuts over, Succeeded', async () => {
      await arrive('RestoreTimeClean.bak');
      await arrive('RestoreTimeClean_1.trn');
      const created = await create('online');
      await until(created.id, (_, files) =>
        restored(files, ['RestoreTimeClean.bak', 'RestoreTimeClean_1.trn']),
      );
      const start = rig.standIn.starts.at(-1)?.body.properties;
      expect(start).toMatchObject({ createMode: 'RestoreExternalBackup' });
      expect(start?.autoCompleteRestore ?? false).toBe(false);
      await arrive('RestoreTimeClean_2.trn');
      await arrive('RestoreTimeClean_3.trn');
      const [ready] = await until(created.id, (_, files) =>
        restored(files, ['RestoreTimeClean_2.trn', 'RestoreTimeClean_3.trn']),
      );
      const cut = await rig.engine.cutover(ready.id, ready.migrationOperationId);
      expect(cut.migrationStatus).toBe('Completing');
      const [done] = await until(created.id, (m) => m.migrationStatus === 'Succeeded');
      expect(done.endedOn).not.toBeNull();
      const completes = rig.standIn.requests.filter(
        (r) => r.startsWith('POST') && r.endsWith('/completeRestore'),
      );
      expect(completes).toHaveLength(1);
    });

    it('offline: starts with autocomplete and the last backup, and ends by itself', async () => {
      for (const name of [
        'RestoreTimeClean.bak',
        'RestoreTimeClean_1.trn',
        'RestoreTimeClean_2.trn',
      ])
        await arrive(name);
      const created = await create('offline', 'RestoreTimeClean_2.trn');
      await until(created.id, (m) => m.migrationStatus === 'Succeeded');
      const start = rig.standIn.starts.at(-1)?.body.properties;
      expect(start).toMatchObject({
        autoCompleteRestore: true,
        lastBackupName: 'RestoreTimeClean_2.log',
      });
    });

    it('shows why a restore is blocked, and cancel deletes the database', async () => {
      await arrive('RestoreTimeClean.bak');
      await arrive('RestoreTimeClean_2.trn'); // _1 missing: a gap
      const created = await create('online');
      const [blocked, files] = await until(
        created.id,
        (m, all) =>
          restored(all, ['RestoreTimeClean.bak']) &&
          statusDetails(m, all).restoreBlockingReason !== null,
      );
      expect(statusDetails(blocked, files).restoreBlockingReason).toMatch(/./);
      expect(await rig.engine.cancel(blocked.id, blocked.migrationOperationId)).toMatchObject({
        migrationStatus: 'Canceling',
      });
      await until(created.id, (m) => m.migrationStatus === 'Canceled');
      expect(rig.standIn.requests.some((r) => /^DELETE .*\/databases\/Sales$/.test(r))).toBe(true);
      expect(await rig.standIn.rehearsal.databaseExists('Sales')).toBe(false);
    });
  },
);
