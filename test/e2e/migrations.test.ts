/**
 * End to end, through the real process: `sqlmig up` runs as a child process with its own data folder,
 * a backup folder receives a real chain from the corpus file by file, and the migration is driven with
 * the `sqlmig migration …` commands a user types (and read through the typed client in between).
 * The engine looks every 100 ms here (the hidden `--poll-interval-ms`), so a run takes seconds.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { MigrationResource } from '../../src/client/index.js';
import { corpusFile, corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';
import {
  arrive,
  killAll,
  sqlmig,
  sqlmigJson,
  startService,
  waitFor,
  type ServiceProcess,
} from '../support/service-process.js';

if (!hasBackupCorpus) console.warn(`Skipping the end-to-end tests: ${corpusSkipReason}.`);

const chain = (name: string) => corpusFile(`appveyor-lab/RestoreTimeClean/${name}`);
const otherDatabase = corpusFile('appveyor-lab/singlerestore/singlerestore.bak');

/** Every backup file the migration shows, by name: status and ignore reason. */
function filesOf(m: MigrationResource): Map<string, { status: string; reason: string | null }> {
  const out = new Map<string, { status: string; reason: string | null }>();
  const d = m.properties.migrationStatusDetails;
  for (const set of d?.activeBackupSets ?? [])
    for (const f of set.listOfBackupFiles)
      out.set(f.fileName, { status: f.status, reason: f.ignoreReason });
  for (const f of d?.invalidFiles ?? [])
    out.set(f.fileName, { status: 'Ignored', reason: f.reason });
  return out;
}

/** A copy of a corpus backup with one byte of its first descriptor block (TAPE) flipped. */
async function corruptCopy(source: string, to: string): Promise<void> {
  const bytes = await readFile(source);
  bytes[20] = (bytes[20] ?? 0) ^ 0x5a;
  await writeFile(to, bytes);
}

describe.skipIf(!hasBackupCorpus)('sqlmig up, driven by the sqlmig commands', () => {
  let root = '';
  let dataDir = '';
  let folder = '';
  let service: ServiceProcess;
  const cli = (...args: string[]) => sqlmig([...args, '--data-dir', dataDir]);
  const show = (name: string) =>
    sqlmigJson<MigrationResource>(['migration', 'show', name, '--data-dir', dataDir]);
  const get = (name: string) => service.client.getMigration('default', name);
  const statusOf = async (name: string, file: string) => filesOf(await get(name)).get(file)?.status;
  const describeMigration = (name: string) => async () =>
    `${JSON.stringify(await get(name), null, 1)}\n--- service output ---\n${service.output()}`;
  const until = <T>(what: string, name: string, probe: () => Promise<T | undefined | false>) =>
    waitFor(what, probe, { timeoutMs: 20_000, describe: describeMigration(name) });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqlmig-e2e-'));
    dataDir = join(root, 'data');
    folder = join(root, 'share', 'Sales');
    await mkdir(folder, { recursive: true });
    service = await startService({ dataDir, args: ['--poll-interval-ms', '100'] });
  });
  afterEach(async () => {
    await service.stop();
    await rm(root, { recursive: true, force: true });
  });
  afterAll(killAll);

  it('online: files arrive one by one, each is restored, others are ignored or invalid, cutover waits for the logs', async () => {
    const started = await cli(
      'migration',
      'start',
      '--target-db',
      'Sales',
      '--source-db',
      'RestoreTimeClean',
      '--backup-folder',
      folder,
      '--mode',
      'online',
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const watching = sqlmig(
      ['migration', 'watch', 'Sales', '--interval', '200', '--data-dir', dataDir],
      40_000,
    );

    await arrive(folder, chain('RestoreTimeClean.bak'));
    await arrive(folder, otherDatabase);
    await corruptCopy(
      chain('RestoreTimeClean_3.trn'),
      join(folder, 'RestoreTimeClean_damaged.trn'),
    );
    await writeFile(join(folder, 'notes.txt'), 'not a backup');
    await until(
      'the full to be restored',
      'Sales',
      async () => (await statusOf('Sales', 'RestoreTimeClean.bak')) === 'Restored',
    );
    let m = await show('Sales');
    expect(m.properties.migrationStatus).toBe('InProgress');
    expect(m.properties.migrationStatusDetails?.isFullBackupRestored).toBe(true);
    let files = filesOf(m);
    expect(files.get('singlerestore.bak')).toEqual({
      status: 'Ignored',
      reason: 'BackupOfAnotherDatabase',
    });
    const invalid = m.properties.migrationStatusDetails?.invalidFiles ?? [];
    expect(invalid.map((f) => [f.fileName, f.reason]).sort()).toEqual([
      ['RestoreTimeClean_damaged.trn', 'CorruptBackupFile'],
      ['notes.txt', 'NotABackupFile'],
      ['singlerestore.bak', 'BackupOfAnotherDatabase'],
    ]);
    expect(invalid.find((f) => f.fileName === 'RestoreTimeClean_damaged.trn')?.message).toMatch(
      /checksum/,
    );

    // The differential, then the older logs it makes useless, then the newer logs out of order.
    await arrive(folder, chain('RestoreTimeClean2.bak'));
    await until('the differential to be taken in', 'Sales', async () => {
      const status = await statusOf('Sales', 'RestoreTimeClean2.bak');
      return status !== undefined && status !== 'Arrived';
    });
    for (const name of [
      'RestoreTimeClean_1.trn',
      'RestoreTimeClean_2.trn',
      'RestoreTimeClean_3.trn',
    ])
      await arrive(folder, chain(name));
    await arrive(folder, chain('RestoreTimeClean2_1.trn'));
    await until(
      'the first log after the differential to be restored',
      'Sales',
      async () => (await statusOf('Sales', 'RestoreTimeClean2_1.trn')) === 'Restored',
    );
    // 2_3 arrives before 2_2: it waits behind the gap, so a log is pending and cutover is refused.
    await arrive(folder, chain('RestoreTimeClean2_3.trn'));
    await until(
      'the out-of-order log to be uploaded',
      'Sales',
      async () => (await statusOf('Sales', 'RestoreTimeClean2_3.trn')) === 'Uploaded',
    );
    m = await show('Sales');
    expect(m.properties.migrationStatusDetails?.pendingLogBackupsCount).toBe(1);
    const refused = await cli('migration', 'cutover', 'Sales');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /Cutover is not possible yet: 1 log backup\(s\) are not restored/,
    );

    // 2_2 is copied in two halves, the way a slow copy lands: read again once it is whole.
    const whole = await readFile(chain('RestoreTimeClean2_2.trn'));
    await writeFile(join(folder, 'RestoreTimeClean2_2.trn'), whole.subarray(0, 40_000));
    await new Promise((r) => setTimeout(r, 400));
    expect(await statusOf('Sales', 'RestoreTimeClean2_2.trn')).toBeUndefined();
    await writeFile(join(folder, 'RestoreTimeClean2_2.trn'), whole);
    await until('every log to be restored', 'Sales', async () => {
      const current = await get('Sales');
      return (
        current.properties.migrationStatusDetails?.migrationState === 'ReadyForCutover' &&
        filesOf(current).get('RestoreTimeClean2_3.trn')?.status === 'Restored'
      );
    });
    const accepted = await cli('migration', 'cutover', 'Sales');
    expect(accepted.stderr).toBe('');
    expect(accepted.stdout).toMatch(/Cutover of Sales accepted: Completing/);

    const watched = await watching;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/Succeeded/);
    m = await show('Sales');
    expect(m.properties.migrationStatus).toBe('Succeeded');
    expect(m.properties.endedOn).not.toBeNull();
    files = filesOf(m);
    expect(Object.fromEntries(files)).toEqual({
      'RestoreTimeClean.bak': { status: 'Restored', reason: null },
      'RestoreTimeClean2.bak': { status: 'Restored', reason: null },
      'RestoreTimeClean2_1.trn': { status: 'Restored', reason: null },
      'RestoreTimeClean2_2.trn': { status: 'Restored', reason: null },
      'RestoreTimeClean2_3.trn': { status: 'Restored', reason: null },
      'RestoreTimeClean_1.trn': { status: 'Ignored', reason: 'LogBackupCoveredByBase' },
      'RestoreTimeClean_2.trn': { status: 'Ignored', reason: 'LogBackupCoveredByBase' },
      'RestoreTimeClean_3.trn': { status: 'Ignored', reason: 'LogBackupCoveredByBase' },
      'singlerestore.bak': { status: 'Ignored', reason: 'BackupOfAnotherDatabase' },
      'RestoreTimeClean_damaged.trn': { status: 'Ignored', reason: 'CorruptBackupFile' },
      'notes.txt': { status: 'Ignored', reason: 'NotABackupFile' },
    });

    // Each restored file went Arrived → Uploading → Uploaded → (Restoring →) Restored, in that order.
    const { value: events } = await service.client.events('default', 'Sales');
    const order = ['Arrived', 'Uploading', 'Uploaded', 'Restoring', 'Restored'];
    for (const [name, file] of files) {
      if (file.status !== 'Restored') continue;
      const steps = events
        .filter((e) => e.kind.startsWith('File') && e.kind !== 'FileUpdated')
        .filter((e) => (e as { data?: { file?: string } }).data?.file === name)
        .map((e) => e.kind.slice('File'.length));
      expect(steps.slice(0, 3), name).toEqual(['Arrived', 'Uploading', 'Uploaded']);
      expect(steps.at(-1), name).toBe('Restored');
      const ranks = steps.map((s) => order.indexOf(s));
      expect(ranks, name).toEqual([...ranks].sort((a, b) => a - b));
    }
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['Created', 'InProgress', 'TargetStarted', 'Completing', 'Succeeded']),
    );
  }, 60_000);

  it('offline with the last backup named: files arrive one by one, it cuts over by itself', async () => {
    const started = await cli(
      'migration',
      'start',
      '--target-db',
      'Sales',
      '--source-db',
      'RestoreTimeClean',
      '--backup-folder',
      folder,
      '--mode',
      'offline',
      '--last-backup',
      'RestoreTimeClean2_3.trn',
    );
    expect(started.code).toBe(0);
    const watching = sqlmig(
      ['migration', 'watch', 'Sales', '--interval', '200', '--data-dir', dataDir],
      40_000,
    );
    await writeFile(join(folder, 'notes.txt'), 'not a backup');
    // The restore starts once the last backup named is there (its name in the container is known
    // only then): until it arrives, the others are uploaded and wait.
    for (const name of [
      'RestoreTimeClean.bak',
      'RestoreTimeClean2.bak',
      'RestoreTimeClean2_1.trn',
      'RestoreTimeClean2_2.trn',
    ]) {
      await arrive(folder, chain(name));
      await until(
        `${name} to be uploaded`,
        'Sales',
        async () => (await statusOf('Sales', name)) === 'Uploaded',
      );
    }
    expect((await get('Sales')).properties.migrationStatus).toBe('InProgress');
    const refused = await cli('migration', 'cutover', 'Sales');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/offline migration cuts over by itself/);
    await arrive(folder, chain('RestoreTimeClean2_3.trn'));
    const watched = await watching;
    expect(watched.code).toBe(0);
    const m = await show('Sales');
    expect(m.properties.migrationStatus).toBe('Succeeded');
    expect(Object.fromEntries(filesOf(m))).toEqual({
      'RestoreTimeClean.bak': { status: 'Restored', reason: null },
      'RestoreTimeClean2.bak': { status: 'Restored', reason: null },
      'RestoreTimeClean2_1.trn': { status: 'Restored', reason: null },
      'RestoreTimeClean2_2.trn': { status: 'Restored', reason: null },
      'RestoreTimeClean2_3.trn': { status: 'Restored', reason: null },
      'notes.txt': { status: 'Ignored', reason: 'NotABackupFile' },
    });
    const { value: events } = await service.client.events('default', 'Sales');
    expect(events.map((e) => e.kind)).not.toContain('Completing');
    expect(events.at(-1)?.kind).toBe('Succeeded');
  }, 60_000);

  it('offline with the last backup inferred: the folder holds the chain, it cuts over by itself', async () => {
    for (const name of [
      'RestoreTimeClean.bak',
      'RestoreTimeClean_1.trn',
      'RestoreTimeClean2.bak',
      'RestoreTimeClean2_1.trn',
      'RestoreTimeClean2_2.trn',
    ])
      await arrive(folder, chain(name));
    await arrive(folder, otherDatabase);
    const started = await cli(
      'migration',
      'start',
      '--target-db',
      'Sales',
      '--source-db',
      'RestoreTimeClean',
      '--backup-folder',
      folder,
      '--mode',
      'offline',
    );
    expect(started.code).toBe(0);
    const watched = await sqlmig(
      ['migration', 'watch', 'Sales', '--interval', '200', '--data-dir', dataDir],
      30_000,
    );
    expect(watched.code).toBe(0);
    const m = await show('Sales');
    expect(m.properties.migrationStatus).toBe('Succeeded');
    expect(m.properties.migrationStatusDetails?.lastRestoredFilename).toBe(
      'RestoreTimeClean2_2.trn',
    );
    expect(filesOf(m).get('RestoreTimeClean_1.trn')).toEqual({
      status: 'Ignored',
      reason: 'LogBackupCoveredByBase',
    });
    expect(filesOf(m).get('singlerestore.bak')?.reason).toBe('BackupOfAnotherDatabase');
  }, 60_000);

  it('cancel: stops the restore, drops the target database, and a new migration may use its name', async () => {
    const start = () =>
      cli(
        'migration',
        'start',
        '--target-db',
        'Sales',
        '--source-db',
        'RestoreTimeClean',
        '--backup-folder',
        folder,
        '--mode',
        'online',
      );
    expect((await start()).code).toBe(0);
    await arrive(folder, chain('RestoreTimeClean.bak'));
    await until(
      'the full to be restored',
      'Sales',
      async () => (await statusOf('Sales', 'RestoreTimeClean.bak')) === 'Restored',
    );
    // A log beyond a gap: uploaded, it waits, and the cancel finds it not restored.
    await arrive(folder, chain('RestoreTimeClean2_3.trn'));
    await until(
      'the log beyond the gap to be uploaded',
      'Sales',
      async () => (await statusOf('Sales', 'RestoreTimeClean2_3.trn')) === 'Uploaded',
    );
    const canceled = await cli('migration', 'cancel', 'Sales');
    expect(canceled.stderr).toBe('');
    expect(canceled.stdout).toMatch(/Cancel of Sales accepted: Cancel(ing|ed)\./);
    const watched = await sqlmig(
      ['migration', 'watch', 'Sales', '--interval', '200', '--data-dir', dataDir],
      20_000,
    );
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/Canceled/);
    const m = await show('Sales');
    expect(m.properties.migrationStatus).toBe('Canceled');
    expect(m.properties.endedOn).not.toBeNull();
    expect(Object.fromEntries(filesOf(m))).toEqual({
      'RestoreTimeClean.bak': { status: 'Restored', reason: null },
      'RestoreTimeClean2_3.trn': { status: 'Canceled', reason: null },
    });
    const again = await cli('migration', 'cancel', 'Sales');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already ended \(Canceled\)/);

    // The target database was dropped: a new migration to the same name starts, and is not refused.
    await service.client.deleteMigration('default', 'Sales');
    expect((await start()).code).toBe(0);
    await until(
      'the new migration to restore the full',
      'Sales',
      async () => (await statusOf('Sales', 'RestoreTimeClean.bak')) === 'Restored',
    );
    expect((await get('Sales')).properties.migrationFailureError).toBeNull();
  }, 60_000);
});
