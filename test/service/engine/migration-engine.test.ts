import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { readBackupFile } from '../../../src/backup/index.js';
import type { FileRecord, StateStore } from '../../../src/service/state/index.js';
import type { StartRestore } from '../../../src/targets/index.js';
import { postgresForTests, type TestPostgres } from '../../support/postgres.js';
import { postgresHarness, type StoreHarness } from '../../support/state-stores.js';
import { corpusFile, corpusSkipReason, hasBackupCorpus } from '../../support/corpus.js';
import { engineHarness, type EngineHarness } from '../../support/engine-harness.js';
import { writeSyntheticBackup } from '../../support/synthetic-backup.js';

if (!hasBackupCorpus) console.warn(`Skipping the engine tests: ${corpusSkipReason}.`);

const chain = (name: string) => corpusFile(`appveyor-lab/RestoreTimeClean/${name}`);
const statusOf = (files: readonly FileRecord[], name: string) =>
  files.find((f) => f.fileName === name)?.status;
const reasonOf = (files: readonly FileRecord[], name: string) =>
  files.find((f) => f.fileName === name)?.document.ignoreReason;

const postgres = postgresForTests();
if (!postgres.available) console.warn(`Engine tests on PostgreSQL skipped: ${postgres.reason}`);

describe.skipIf(!hasBackupCorpus)('the migration engine on SQLite', () => {
  describeEngine(() => undefined);
});

describe.skipIf(!hasBackupCorpus || !postgres.available)(
  `the migration engine on PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`,
  () => {
    let server: TestPostgres | undefined;
    let stores: StoreHarness | undefined;
    beforeAll(async () => {
      if (!postgres.available) return;
      server = await postgres.start();
      stores = await postgresHarness(server);
    }, 60_000);
    afterEach(async () => {
      await stores?.cleanup();
    });
    afterAll(async () => {
      await stores?.dispose();
      await server?.stop();
    }, 60_000);
    describeEngine(() => async () => {
      if (!stores) throw new Error('PostgreSQL did not start');
      return (await stores.fresh()).open();
    });
  },
);

/** The engine's behaviour on the state store that `storeFactory` gives (undefined: SQLite). */
function describeEngine(storeFactory: () => (() => Promise<StateStore>) | undefined): void {
  let h: EngineHarness;
  beforeEach(async () => {
    h = await engineHarness(storeFactory());
  });
  afterEach(async () => {
    await h.close();
  });

  it('migrates an online chain arriving file by file, refuses cutover while a log is pending, then succeeds', async () => {
    const migration = await h.create();
    await h.arrive(chain('RestoreTimeClean.bak'));
    await h.write('notes.txt', 'not a backup');
    await h.arrive(corpusFile('appveyor-lab/singlerestore/singlerestore.bak'));
    let [m, files] = await h.until(
      migration.id,
      (_, f) => statusOf(f, 'RestoreTimeClean.bak') === 'Restored',
    );
    expect(m.migrationStatus).toBe('InProgress');
    expect(reasonOf(files, 'singlerestore.bak')).toBe('BackupOfAnotherDatabase');
    expect(reasonOf(files, 'notes.txt')).toBe('NotABackupFile');

    await h.arrive(chain('RestoreTimeClean2.bak'));
    await h.arrive(chain('RestoreTimeClean_1.trn'));
    await h.arrive(chain('RestoreTimeClean2_1.trn'));
    [m, files] = await h.until(
      migration.id,
      (_, f) => statusOf(f, 'RestoreTimeClean2_1.trn') === 'Restored',
    );
    expect(reasonOf(files, 'RestoreTimeClean_1.trn')).toBe('LogBackupCoveredByBase');

    await h.arrive(chain('RestoreTimeClean2_2.trn'));
    await h.engine.tick(migration.id);
    const details = await h.engine.details(migration.id);
    expect(details.details.pendingLogBackupsCount).toBe(1);
    await expect(h.engine.cutover(migration.id, m.migrationOperationId)).rejects.toMatchObject({
      code: 'CutoverNotAllowed',
    });

    [m] = await h.until(
      migration.id,
      (_, f) => statusOf(f, 'RestoreTimeClean2_2.trn') === 'Restored',
    );
    await h.engine.cutover(migration.id, m.migrationOperationId);
    [m, files] = await h.until(migration.id, (mm) => mm.migrationStatus === 'Succeeded');
    expect(
      files
        .filter((f) => f.status === 'Restored')
        .map((f) => f.fileName)
        .sort(),
    ).toEqual([
      'RestoreTimeClean.bak',
      'RestoreTimeClean2.bak',
      'RestoreTimeClean2_1.trn',
      'RestoreTimeClean2_2.trn',
    ]);
    expect(m.endedOn).not.toBeNull();
    const events = await h.store.transaction((tx) => tx.listEvents(migration.id));
    const statuses = events
      .filter((e) => !e.kind.startsWith('File') && typeof e.data.status === 'string')
      .map((e) => e.data.status);
    expect(statuses).toEqual(expect.arrayContaining(['InProgress', 'Completing', 'Succeeded']));
    // Each file moves forward only: Arrived → Uploading → Uploaded → (Restoring →) Restored.
    const order = ['Arrived', 'Uploading', 'Uploaded', 'Restoring', 'Restored'];
    const fileSteps = events
      .filter(
        (e) =>
          e.data.file === 'RestoreTimeClean.bak' &&
          e.kind.startsWith('File') &&
          e.kind !== 'FileUpdated',
      )
      .map((e) => String(e.data.to));
    expect(fileSteps.slice(0, 3)).toEqual(['Arrived', 'Uploading', 'Uploaded']);
    expect(fileSteps.at(-1)).toBe('Restored');
    expect(fileSteps.map((step) => order.indexOf(step))).toEqual(
      [...fileSteps.map((step) => order.indexOf(step))].sort((a, b) => a - b),
    );
  });

  it("starts the restore with the base full's file list, for the target's checks", async () => {
    const started: StartRestore[] = [];
    const start = h.target.start.bind(h.target);
    h.target.start = (request) => {
      started.push(request);
      return start(request);
    };
    const migration = await h.create();
    await h.arrive(chain('RestoreTimeClean.bak'));
    await h.until(migration.id, (_, f) => statusOf(f, 'RestoreTimeClean.bak') === 'Restored');
    const read = await readBackupFile(chain('RestoreTimeClean.bak'));
    if ('error' in read) throw read.error;
    const files = read.media.sets[0]?.files ?? [];
    expect(files.map((f) => f.Type)).toEqual(['D', 'L']);
    expect(started).toHaveLength(1);
    expect(started[0]?.databaseFiles).toEqual(files);
  });

  it('uploads a log only once a full backup is uploaded: nothing restores before it', async () => {
    const migration = await h.create();
    await h.arrive(chain('RestoreTimeClean_1.trn'));
    await h.round(migration.id);
    await h.round(migration.id);
    const [, files] = await h.read(migration.id);
    expect(statusOf(files, 'RestoreTimeClean_1.trn')).toBe('Arrived');
    await h.arrive(chain('RestoreTimeClean.bak'));
    await h.until(migration.id, (_, f) => statusOf(f, 'RestoreTimeClean_1.trn') === 'Restored');
    const events = await h.store.transaction((tx) => tx.listEvents(migration.id));
    const at = (kind: string, file: string) =>
      events.findIndex((e) => e.kind === kind && e.data['file'] === file);
    expect(at('FileUploaded', 'RestoreTimeClean.bak')).toBeGreaterThan(-1);
    expect(at('FileUploading', 'RestoreTimeClean_1.trn')).toBeGreaterThan(
      at('FileUploaded', 'RestoreTimeClean.bak'),
    );
  });

  it('wakes by itself: a file arriving is taken in and uploaded with no tick asked for', async () => {
    const migration = await h.create();
    await h.engine.tick(migration.id); // InProgress, the folder watched from now on
    await h.arrive(chain('RestoreTimeClean.bak'));
    await h.arrive(chain('RestoreTimeClean_1.trn'));
    // The watcher wakes the migration (intake); each finished upload wakes it again (the next one).
    // (The full may have moved on: the restore starts once it is uploaded.)
    const uploaded = new Set(['Uploaded', 'Restoring', 'Restored']);
    const deadline = Date.now() + 20_000;
    let files: FileRecord[] = [];
    while (Date.now() < deadline) {
      [, files] = await h.read(migration.id);
      if (files.length === 2 && files.every((f) => uploaded.has(f.status))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(files.map((f) => f.fileName).sort()).toEqual([
      'RestoreTimeClean.bak',
      'RestoreTimeClean_1.trn',
    ]);
    expect(files.every((f) => uploaded.has(f.status))).toBe(true);
  });

  it('cuts an offline migration over by itself once the last backup is restored', async () => {
    for (const name of [
      'RestoreTimeClean.bak',
      'RestoreTimeClean2.bak',
      'RestoreTimeClean2_1.trn',
      'RestoreTimeClean2_2.trn',
      'RestoreTimeClean2_3.trn',
    ])
      await h.arrive(chain(name));
    const migration = await h.create({ mode: 'offline' });
    const [m, files] = await h.until(migration.id, (mm) => mm.migrationStatus === 'Succeeded');
    expect(files.map((f) => f.status)).toEqual([
      'Restored',
      'Restored',
      'Restored',
      'Restored',
      'Restored',
    ]);
    expect(m.document.inferredLastBackupName).toBe('RestoreTimeClean2_3.trn');
  });

  it('takes the last restored file by LSN when several are restored in one poll, and cuts over there', async () => {
    for (const name of [
      'RestoreTimeClean.bak',
      'RestoreTimeClean2.bak',
      'RestoreTimeClean2_1.trn',
      'RestoreTimeClean2_2.trn',
      'RestoreTimeClean2_3.trn',
    ])
      await h.arrive(chain(name));
    const migration = await h.create();
    const [restored, files] = await h.until(
      migration.id,
      (_, f) => f.length === 5 && f.every((file) => file.status === 'Restored'),
    );
    // One poll restored several sets: they share their restoredOn time.
    expect(new Set(files.map((f) => f.document.restoredOn)).size).toBeLessThan(files.length);
    const { details } = await h.engine.details(migration.id);
    expect(details.lastRestoredFilename).toBe('RestoreTimeClean2_3.trn');
    await h.engine.cutover(migration.id, restored.migrationOperationId);
    const [m] = await h.until(migration.id, (mm) => mm.migrationStatus === 'Succeeded');
    expect(m.document.cutoverLastBackupName).toBe('Sales/RestoreTimeClean2_3.log');
  });

  it('accepts a cutover sent while a tick is under way (it waits for the tick: no conflict)', async () => {
    await h.arrive(chain('RestoreTimeClean.bak'));
    const migration = await h.create();
    const [ready] = await h.until(
      migration.id,
      (_, f) => statusOf(f, 'RestoreTimeClean.bak') === 'Restored',
    );
    await h.arrive(chain('RestoreTimeClean2.bak'));
    h.clock.advance(1000);
    await h.target.tick(h.clock.now());
    // The tick reads the migration, then writes the new restore details; the cutover lands between.
    const [ticked, cut] = await Promise.allSettled([
      h.engine.tick(migration.id),
      h.engine.cutover(migration.id, ready.migrationOperationId),
    ]);
    expect(ticked.status).toBe('fulfilled');
    expect(cut.status).toBe('fulfilled');
    const [m] = await h.until(migration.id, (mm) => mm.migrationStatus === 'Succeeded');
    expect(m.document.cutoverLastBackupName).toBe('Sales/RestoreTimeClean.bak');
  });

  it('offline with the last backup named: starts the restore once that file is read, then cuts over by itself', async () => {
    await h.arrive(chain('RestoreTimeClean.bak'));
    const migration = await h.create({
      mode: 'offline',
      lastBackupName: 'RestoreTimeClean2_3.trn',
    });
    await h.until(migration.id, (_, f) => statusOf(f, 'RestoreTimeClean.bak') === 'Uploaded');
    await h.arrive(chain('RestoreTimeClean2.bak'));
    await h.arrive(chain('RestoreTimeClean2_1.trn'));
    for (let i = 0; i < 3; i++) await h.round(migration.id);
    let [m, files] = await h.read(migration.id);
    expect(m.migrationStatus).toBe('InProgress');
    expect(m.document.targetPhase).toBe('NotStarted');
    expect(statusOf(files, 'RestoreTimeClean2_1.trn')).toBe('Uploaded');
    await h.arrive(chain('RestoreTimeClean2_2.trn'));
    await h.arrive(chain('RestoreTimeClean2_3.trn'));
    [m, files] = await h.until(migration.id, (mm) => mm.migrationStatus !== 'InProgress');
    expect(m.migrationFailureError?.message ?? null).toBeNull();
    expect(m.migrationStatus).toBe('Succeeded');
    expect(files.map((f) => [f.fileName, f.status]).sort()).toEqual([
      ['RestoreTimeClean.bak', 'Restored'],
      ['RestoreTimeClean2.bak', 'Restored'],
      ['RestoreTimeClean2_1.trn', 'Restored'],
      ['RestoreTimeClean2_2.trn', 'Restored'],
      ['RestoreTimeClean2_3.trn', 'Restored'],
    ]);
  });

  it('offline: fails, saying why, when the last backup named is not a backup of the database', async () => {
    await h.arrive(chain('RestoreTimeClean.bak'));
    await h.arrive(corpusFile('appveyor-lab/singlerestore/singlerestore.bak'));
    const migration = await h.create({ mode: 'offline', lastBackupName: 'singlerestore.bak' });
    const [m] = await h.until(migration.id, (mm) => mm.migrationStatus === 'Failed');
    expect(m.migrationFailureError?.code).toBe('InvalidLastBackup');
    expect(m.migrationFailureError?.message).toMatch(/BackupOfAnotherDatabase/);
  });

  it('reads an empty file again when it fills: a copy just begun is not ignored for good', async () => {
    const migration = await h.create();
    await h.write('RestoreTimeClean.bak', new Uint8Array(0));
    await h.round(migration.id);
    let [, files] = await h.read(migration.id);
    expect(statusOf(files, 'RestoreTimeClean.bak')).toBe('Arrived');
    expect(files[0]?.document.waitingReason).toBe('IncompleteBackupFile');
    h.clock.advance(1000);
    await h.arrive(chain('RestoreTimeClean.bak'));
    [, files] = await h.until(
      migration.id,
      (_, f) => statusOf(f, 'RestoreTimeClean.bak') === 'Restored',
    );
    expect(reasonOf(files, 'RestoreTimeClean.bak')).toBeNull();
  });

  /** A full backup of database Big, `mib` MiB of pages: an upload that takes a while. */
  const bigFull = (mib: number) =>
    writeSyntheticBackup(join(h.backups, 'Big_full.bak'), {
      mediaSetId: 'b1900000-0000-4000-8000-000000000000',
      sets: [
        {
          databaseName: 'Big',
          serverName: 'SQL01',
          userName: 'dba',
          type: 'D',
          backupSetGuid: 'b1900000-0000-4000-8000-000000000001',
          firstLsn: 70_000_000_001_000_001n,
          lastLsn: 70_000_000_002_000_001n,
          checkpointLsn: 70_000_000_001_000_001n,
          databaseBackupLsn: 0n,
          startDate: '2026-11-01T01:00:00',
          finishDate: '2026-11-01T01:05:00',
          dataBytes: mib * 1024 * 1024,
        },
      ],
    });
  const committed = (blob: string) => existsSync(join(h.blobsRoot, ...blob.split('/')));

  it('cancel stops an upload in flight at its next block instead of waiting for the rest', async () => {
    await bigFull(64);
    const migration = await h.create({ sourceDatabaseName: 'Big' });
    await h.engine.tick(migration.id); // the upload starts in the background
    await h.engine.cancel(migration.id, migration.migrationOperationId);
    await h.engine.tick(migration.id);
    const [m, files] = await h.read(migration.id);
    expect(m.migrationStatus).toBe('Canceled');
    expect(statusOf(files, 'Big_full.bak')).toBe('Canceled');
    expect(committed('Sales/Big_full.bak')).toBe(false);
    const events = await h.store.transaction((tx) => tx.listEvents(migration.id));
    expect(events.filter((e) => e.data.file === 'Big_full.bak').map((e) => e.kind)).toEqual([
      'FileArrived',
      'FileUploading',
    ]);
  });

  it('after a restart, resumes an upload from its staged blocks and takes the restore up where it was', async () => {
    await bigFull(64);
    const migration = await h.create({ sourceDatabaseName: 'Big' });
    await h.engine.tick(migration.id);
    for (let i = 0; i < 400; i++) {
      // Stopped once some blocks are staged (the live progress says how far the upload is).
      const { details } = await h.engine.details(migration.id);
      const live = details.activeBackupSets[0]?.listOfBackupFiles[0];
      if (live && live.dataWritten >= 1024 * 1024) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await h.restart();
    let [, files] = await h.read(migration.id);
    expect(statusOf(files, 'Big_full.bak')).toBe('Uploading');
    expect(committed('Sales/Big_full.bak')).toBe(false);
    [, files] = await h.until(migration.id, (_, f) => statusOf(f, 'Big_full.bak') === 'Restored');
    const full = files.find((f) => f.fileName === 'Big_full.bak');
    expect(full?.document.dataWritten).toBeLessThan(Number(full?.document.size));
    expect(full?.document.dataRead).toBe(full?.document.size);

    await h.restart();
    await h.round(migration.id);
    const [m] = await h.read(migration.id);
    await h.engine.cutover(migration.id, m.migrationOperationId);
    await h.restart(); // the new target knows nothing: the cutover is sent again
    const [done] = await h.until(migration.id, (mm) => mm.migrationStatus === 'Succeeded');
    const events = await h.store.transaction((tx) => tx.listEvents(done.id));
    const resumed = events.filter((e) => e.kind === 'TargetResumed');
    expect(resumed.map((e) => e.data.lastRestoredFileName)).toEqual([
      'Sales/Big_full.bak',
      'Sales/Big_full.bak',
    ]);
    expect(events.filter((e) => e.kind === 'TargetStarting')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'Succeeded')).toHaveLength(1);
  });

  it('cancels: stops the restore, drops the database, and marks the files canceled', async () => {
    await h.arrive(chain('RestoreTimeClean.bak'));
    const migration = await h.create();
    await h.until(migration.id, (_, f) => statusOf(f, 'RestoreTimeClean.bak') === 'Restored');
    await h.arrive(chain('RestoreTimeClean2.bak'));
    await h.engine.tick(migration.id);
    await h.engine.cancel(migration.id, migration.migrationOperationId);
    const [m] = await h.until(migration.id, (mm) => mm.migrationStatus === 'Canceled');
    expect(m.endedOn).not.toBeNull();
    expect(await h.target.databaseExists('Sales')).toBe(false);
  });

  it('never overwrites an existing target database', async () => {
    for (const name of ['RestoreTimeClean.bak']) await h.arrive(chain(name));
    const first = await h.create({ mode: 'offline' });
    await h.until(first.id, (mm) => mm.migrationStatus === 'Succeeded');
    const second = await h.create({ serviceName: 'other', mode: 'offline' });
    const [m] = await h.until(second.id, (mm) => mm.migrationStatus === 'Failed');
    expect(m.migrationFailureError?.code).toBe('TargetDatabaseExists');
  });

  it('refuses a second running migration to the same database from another service (one blob folder)', async () => {
    await h.arrive(chain('RestoreTimeClean.bak'));
    const first = await h.create();
    const refused = h.create({ serviceName: 'other', targetDbName: 'SALES' });
    await expect(refused).rejects.toMatchObject({ code: 'MigrationExists' });
    await expect(refused).rejects.toThrow(/Service default is already migrating to database Sales/);
    await h.engine.cancel(first.id, first.migrationOperationId);
    await h.until(first.id, (mm) => mm.migrationStatus === 'Canceled');
    const second = await h.create({ serviceName: 'other' });
    expect(second.migrationStatus).toBe('Creating');
  });

  it('shows why a step keeps failing, and clears it when the step works again', async () => {
    await h.arrive(chain('RestoreTimeClean.bak'));
    const migration = await h.create();
    await h.until(migration.id, (_, f) => statusOf(f, 'RestoreTimeClean.bak') === 'Restored');
    await h.restart();
    const folder = join(h.blobsRoot, 'Sales');
    await rename(folder, `${folder}.away`); // the uploaded backups are gone from the container
    for (let i = 0; i < 2; i++)
      await expect(h.engine.tick(migration.id)).rejects.toThrow(/cannot take up the restore/);
    let { details } = await h.engine.details(migration.id);
    expect(details.restoreBlockingReason).toMatch(/cannot take up the restore of Sales/);
    await rename(`${folder}.away`, folder);
    await h.engine.tick(migration.id);
    ({ details } = await h.engine.details(migration.id));
    expect(details.restoreBlockingReason).toBeNull();
    const events = await h.store.transaction((tx) => tx.listEvents(migration.id));
    expect(events.filter((e) => e.kind === 'StepFailed').map((e) => e.data.step)).toEqual([
      'target',
    ]);
    expect(events.filter((e) => e.kind === 'StepRecovered')).toHaveLength(1);
  });

  it('cancels a migration older than 30 days, with that reason', async () => {
    await h.arrive(chain('RestoreTimeClean.bak'));
    const migration = await h.create();
    await h.until(migration.id, (_, f) => statusOf(f, 'RestoreTimeClean.bak') === 'Restored');
    h.clock.advance(31 * 24 * 60 * 60 * 1000);
    const [m] = await h.until(migration.id, (mm) => mm.migrationStatus === 'Canceled');
    expect(m.migrationFailureError?.code).toBe('MigrationExpired');
  });
}
