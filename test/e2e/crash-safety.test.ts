/**
 * Crash safety, tested: `sqlmig up` runs an online migration in a child process and is killed with
 * SIGKILL at seeded random points — right after the migration starts, twice in the middle of a large
 * full backup's upload, during the full's (simulated) restore, while logs arrive, right after the
 * cutover is accepted and while it completes — and restarted on the same data folder each time. The
 * migration must end Succeeded with nothing lost or done twice: each file ends Restored or Ignored
 * once, no file status goes backwards, no terminal event repeats, the target is started once and
 * taken up (not restarted) after each crash, the blobs are byte-identical to the source files, and the
 * full's last upload resumed from its staged blocks.
 *
 * The seed is printed; set SQLMIG_CRASH_SEED to replay a run.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BackupFileInfo, MigrationResource } from '../../src/client/index.js';
import {
  openStateStore,
  type EventRecord,
  type FileRecord,
  type MigrationRecord,
} from '../../src/service/state/index.js';
import { seededRandom } from '../support/seeded-random.js';
import {
  arrive,
  killAll,
  sqlmig,
  startService,
  waitFor,
  type ServiceProcess,
} from '../support/service-process.js';
import { writeSyntheticBackup, type SyntheticSet } from '../support/synthetic-backup.js';

const seed = Number(process.env.SQLMIG_CRASH_SEED ?? 20261126);
const MiB = 1024 * 1024;
const fullBytes = 96 * MiB;
const blockBytes = MiB;
const restoreBytesPerSecond = 64 * MiB;
const logCount = 6;
const db = 'CrashDb';

const fullName = `${db}_full.bak`;
const logName = (i: number) => `${db}_log_${i}.trn`;
const chainNames = [fullName, ...Array.from({ length: logCount }, (_, i) => logName(i + 1))];

/** A full of `fullBytes` and `logCount` logs chained after it, another database's full, a text file. */
async function writeSources(folder: string): Promise<void> {
  const base = {
    databaseName: db,
    serverName: 'SQL01\\PROD',
    userName: 'CONTOSO\\dba',
    checksums: true,
  };
  const full: SyntheticSet = {
    ...base,
    type: 'D',
    backupSetGuid: 'c4a50000-0000-4000-8000-000000000000',
    firstLsn: 50_000_000_001_000_001n,
    lastLsn: 50_000_000_002_000_001n,
    checkpointLsn: 50_000_000_001_000_001n,
    databaseBackupLsn: 0n,
    startDate: '2026-11-01T01:00:00',
    finishDate: '2026-11-01T01:05:00',
    dataBytes: fullBytes,
  };
  await writeSyntheticBackup(join(folder, fullName), {
    mediaSetId: 'c4a5d000-0000-4000-8000-000000000000',
    sets: [full],
  });
  let first = full.lastLsn;
  for (let i = 1; i <= logCount; i++) {
    const last = first + 1_000_000n;
    await writeSyntheticBackup(join(folder, logName(i)), {
      mediaSetId: `c4a5d000-0000-4000-8000-00000000000${i}`,
      sets: [
        {
          ...base,
          type: 'L',
          backupSetGuid: `c4a50000-0000-4000-8000-00000000000${i}`,
          firstLsn: first,
          lastLsn: last,
          checkpointLsn: full.checkpointLsn,
          databaseBackupLsn: full.checkpointLsn,
          startDate: `2026-11-01T0${i}:15:00`,
          finishDate: `2026-11-01T0${i}:15:02`,
        },
      ],
    });
    first = last;
  }
  await writeSyntheticBackup(join(folder, 'OtherDb_full.bak'), {
    mediaSetId: 'c4a5d000-0000-4000-8000-0000000000ff',
    sets: [{ ...full, databaseName: 'OtherDb', dataBytes: 0 }],
  });
  await writeFile(join(folder, 'readme.txt'), 'backups of CrashDb, nightly\n');
}

const md5 = async (path: string) =>
  createHash('md5')
    .update(await readFile(path))
    .digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash safety of the embedded service', () => {
  let sources = '';
  beforeAll(async () => {
    sources = await mkdtemp(join(tmpdir(), 'sqlmig-crash-sources-'));
    await writeSources(sources);
  });
  afterAll(async () => {
    await killAll();
    await rm(sources, { recursive: true, force: true });
  });
  const args = [
    '--poll-interval-ms',
    '50',
    '--restore-bytes-per-second',
    String(restoreBytesPerSecond),
    '--upload-block-bytes',
    String(blockBytes),
  ];

  it(`finishes an online migration killed at random points (seed ${seed})`, async () => {
    const startedAt = Date.now();
    const random = seededRandom(seed);
    const between = (low: number, high: number) => low + random.below(high - low + 1);
    const root = await mkdtemp(join(tmpdir(), 'sqlmig-crash-'));
    const folder = join(root, 'share', db);
    const dataDir = join(root, 'data');
    await mkdir(folder, { recursive: true });
    const slowArgs = [...args.slice(2), '--poll-interval-ms', '1000'];
    const kills: string[] = [];
    let service: ServiceProcess = await startService({ dataDir, args });
    let lastOutput = '';
    const crash = async (where: string, restartArgs = args) => {
      await service.kill('SIGKILL');
      lastOutput = service.output();
      kills.push(`${where} (${Date.now() - startedAt} ms)`);
      service = await startService({ dataDir, args: restartArgs });
    };
    const get = () => service.client.getMigration('default', db);
    const fileOf = (m: MigrationResource, name: string): BackupFileInfo | undefined =>
      m.properties.migrationStatusDetails?.activeBackupSets
        .flatMap((s) => s.listOfBackupFiles)
        .find((f) => f.fileName === name);
    const until = <T>(what: string, probe: () => Promise<T | undefined | false>) =>
      waitFor(what, probe, {
        timeoutMs: 20_000,
        intervalMs: 10,
        describe: async () =>
          `kills so far: ${kills.join('; ')}\n${JSON.stringify((await get()).properties.migrationStatusDetails, null, 1)}\n--- output ---\n${service.output()}\n--- before the last kill ---\n${lastOutput}`,
      });
    const status = async (name: string) => fileOf(await get(), name)?.status;
    const committed = (blob: string) => existsSync(join(dataDir, 'blobs', db, blob));

    try {
      // 1. Killed right after the migration is created (its first tick may be under way).
      await arrive(folder, join(sources, 'readme.txt'));
      await arrive(folder, join(sources, 'OtherDb_full.bak'));
      await arrive(folder, join(sources, fullName));
      const started = await sqlmig([
        'migration',
        'start',
        '--target-db',
        db,
        '--source-db',
        db,
        '--backup-folder',
        folder,
        '--mode',
        'online',
        '--data-dir',
        dataDir,
      ]);
      expect(started.stderr).toBe('');
      await sleep(between(0, 60));
      await crash('right after the migration started');

      // 2. Twice in the middle of the full's upload: after k MiB read, then after k MiB written.
      const readMiB = between(4, 24);
      await until(`the full's upload to read ${readMiB} MiB`, async () => {
        const f = fileOf(await get(), fullName);
        return f?.status === 'Uploading' && f.dataRead >= readMiB * MiB;
      });
      await crash(`uploading the full, ${readMiB} MiB read`);
      expect(committed(fullName)).toBe(false);
      const writtenMiB = between(2, 12);
      await until(`the resumed upload to write ${writtenMiB} MiB`, async () => {
        const f = fileOf(await get(), fullName);
        return f?.status === 'Uploading' && f.dataWritten >= writtenMiB * MiB;
      });
      await crash(`uploading the full again, ${writtenMiB} MiB more written`);
      expect(committed(fullName)).toBe(false);

      // 3. During the full's restore (about 1.5 s at the simulated speed).
      await until('the full to be restoring', async () => (await status(fullName)) === 'Restoring');
      await sleep(between(0, 800));
      await crash('restoring the full');
      await until('the full to be restored', async () => (await status(fullName)) === 'Restored');

      // 4. Logs arrive in groups of one to three (several restored in one poll share their time);
      // the service dies shortly after two of the groups land.
      const groups: number[][] = [];
      for (let next = 1; next <= logCount;) {
        const size = Math.min(between(1, 3), logCount - next + 1);
        groups.push(Array.from({ length: size }, (_, k) => next + k));
        next += size;
      }
      const dying = new Set<number>();
      while (dying.size < Math.min(2, groups.length)) dying.add(between(0, groups.length - 1));
      for (const [index, group] of groups.entries()) {
        for (const i of group) await arrive(folder, join(sources, logName(i)));
        const names = group.map(logName).join(', ');
        if (dying.has(index)) {
          await sleep(between(0, 300));
          await crash(`after ${names} arrived`);
        }
        await until(`${names} to be restored`, async () => {
          const m = await get();
          return group.every((i) => fileOf(m, logName(i))?.status === 'Restored');
        });
      }

      // 5. The cutover. The engine then looks only every second (a restart with a slower poll), so
      // that the kills land while the migration is Completing: right after the cutover is accepted,
      // and after the restarted service has sent it again.
      const readyForCutover = () =>
        until('the migration to be ready for cutover', async () => {
          const m = await get();
          return m.properties.migrationStatusDetails?.migrationState === 'ReadyForCutover';
        });
      await readyForCutover();
      await crash('idle, ready for cutover', slowArgs);
      await readyForCutover();
      // Through the client (the command is tested in migrations.test.ts): the kill follows the
      // answer within milliseconds, before the engine's next look could finish the cutover.
      const accepted = await service.client.cutover('default', db);
      expect(accepted.properties.migrationStatus).toBe('Completing');
      await sleep(between(0, 20));
      const { value: seen } = await service.client.events('default', db);
      expect(seen.map((e) => e.kind)).not.toContain('Succeeded');
      await crash('right after the cutover was accepted', slowArgs);
      // The restarted service takes the restore up, sends the cutover again, and is killed at once
      // (it may have finished meanwhile: then this is a kill just after success).
      await until('the restarted service to take the restore up', async () => {
        const { value } = await service.client.events('default', db, seen.at(-1)?.sequence ?? 0);
        return value.some((e) => e.kind === 'TargetResumed');
      });
      await sleep(between(0, 30));
      const state = (await get()).properties.migrationStatus;
      await crash(
        state === 'Completing'
          ? 'completing, after the restarted service took the restore up'
          : `just after the restarted service finished (${state})`,
      );
      const done = await until('the migration to succeed', async () => {
        const m = await get();
        return m.properties.migrationStatus === 'Succeeded' && m;
      });
      expect(done.properties.endedOn).not.toBeNull();
    } finally {
      await service.stop();
    }

    // What the data folder holds now, read with the service stopped.
    const store = await openStateStore({ dataDir });
    let migration: MigrationRecord;
    let files: FileRecord[];
    let events: EventRecord[];
    try {
      const found = await store.transaction((tx) => tx.findMigration('default', db));
      if (!found) throw new Error('the migration is gone');
      migration = found;
      [files, events] = await store.transaction(async (tx) => [
        await tx.listFiles(found.id),
        await tx.listEvents(found.id),
      ]);
    } finally {
      await store.close();
    }
    console.log(
      `crash test, seed ${seed}: ${kills.length} kills in ${Date.now() - startedAt} ms:\n  ${kills.join('\n  ')}`,
    );
    expect(kills).toHaveLength(9);
    expect(migration.migrationStatus).toBe('Succeeded');

    // Every file ends Restored or Ignored, with the right reason.
    expect(Object.fromEntries(files.map((f) => [f.fileName, f.status]))).toEqual({
      ...Object.fromEntries(chainNames.map((n) => [n, 'Restored'])),
      'OtherDb_full.bak': 'Ignored',
      'readme.txt': 'Ignored',
    });
    const reasons = Object.fromEntries(files.map((f) => [f.fileName, f.document.ignoreReason]));
    expect(reasons['OtherDb_full.bak']).toBe('BackupOfAnotherDatabase');
    expect(reasons['readme.txt']).toBe('NotABackupFile');

    // No file goes backwards; each status is reached once.
    const rank: Record<string, number> = {
      Arrived: 0,
      Uploading: 1,
      Uploaded: 2,
      Restoring: 3,
      Restored: 4,
      Ignored: 4,
    };
    for (const file of files) {
      const steps = events
        .filter((e) => e.data.file === file.fileName && e.kind.startsWith('File'))
        .filter((e) => e.kind !== 'FileUpdated')
        .map((e) => e.kind.slice('File'.length));
      expect(steps[0], file.fileName).toBe('Arrived');
      const ranks = steps.map((s) => rank[s] ?? -1);
      expect(ranks, `${file.fileName}: ${steps.join(' → ')}`).toEqual(
        [...ranks].sort((a, b) => a - b),
      );
      expect(new Set(steps).size, `${file.fileName}: ${steps.join(' → ')}`).toBe(steps.length);
    }

    // The migration's own events: each once; the target started once, taken up after each crash.
    const count = (kind: string) => events.filter((e) => e.kind === kind).length;
    for (const kind of ['Created', 'InProgress', 'TargetStarting', 'TargetStarted'])
      expect(count(kind), kind).toBe(1);
    for (const kind of ['Completing', 'CutoverSent', 'Succeeded'])
      expect(count(kind), kind).toBe(1);
    for (const kind of ['Failed', 'Canceling', 'Canceled']) expect(count(kind), kind).toBe(0);
    expect(events.at(-1)?.kind).toBe('Succeeded');

    // Restored in chain order, and each restart took the restore up after the last file restored.
    const restored = events.filter((e) => e.kind === 'FileRestored').map((e) => e.data.file);
    expect(restored).toEqual(chainNames);
    const blobOf = new Map(files.map((f) => [f.fileName, f.document.blobName as string | null]));
    const resumed = events.filter((e) => e.kind === 'TargetResumed');
    // (A process killed before its first tick took nothing up: not every restart leaves an event.)
    expect(resumed.length).toBeGreaterThanOrEqual(3);
    expect(resumed.some((e) => typeof e.data.lastRestoredFileName === 'string')).toBe(true);
    for (const event of resumed) {
      const before = events
        .filter((e) => e.kind === 'FileRestored' && e.sequence < event.sequence)
        .map((e) => String(e.data.file));
      expect(event.data.lastRestoredFileName, event.message).toBe(
        before.length > 0 ? blobOf.get(before.at(-1) ?? '') : null,
      );
    }

    // The blobs are the source files, byte for byte, and nothing else is in the folder.
    const blobFolder = join(dataDir, 'blobs', db);
    const blobNames = chainNames.map((n) => blobOf.get(n) ?? '');
    expect((await readdir(blobFolder)).sort()).toEqual(
      blobNames.map((b) => b.slice(db.length + 1)).sort(),
    );
    for (const name of chainNames)
      expect(await md5(join(dataDir, 'blobs', blobOf.get(name) ?? '')), name).toBe(
        await md5(join(sources, name)),
      );

    // The full's last upload resumed from blocks staged before the crash: it wrote less than all.
    const full = files.find((f) => f.fileName === fullName);
    expect(full?.document.dataRead).toBe((await readFile(join(sources, fullName))).length);
    expect(full?.document.dataWritten).toBeLessThan(fullBytes);

    await rm(root, { recursive: true, force: true });
  }, 90_000);

  it(`finishes a cancel when the service is killed right after accepting it (seed ${seed})`, async () => {
    const random = seededRandom(seed + 1);
    const between = (low: number, high: number) => low + random.below(high - low + 1);
    const root = await mkdtemp(join(tmpdir(), 'sqlmig-crash-cancel-'));
    const folder = join(root, 'share', db);
    const dataDir = join(root, 'data');
    await mkdir(folder, { recursive: true });
    let service = await startService({ dataDir, args });
    const get = () => service.client.getMigration('default', db);
    const until = <T>(what: string, probe: () => Promise<T | undefined | false>) =>
      waitFor(what, probe, {
        timeoutMs: 20_000,
        intervalMs: 10,
        describe: async () => `${JSON.stringify(await get(), null, 1)}\n${service.output()}`,
      });
    try {
      await arrive(folder, join(sources, fullName));
      await arrive(folder, join(sources, logName(1)));
      const started = await sqlmig([
        'migration',
        'start',
        '--target-db',
        db,
        '--source-db',
        db,
        '--backup-folder',
        folder,
        '--data-dir',
        dataDir,
      ]);
      expect(started.stderr).toBe('');
      const readMiB = between(4, 24);
      await until(`the full's upload to read ${readMiB} MiB`, async () => {
        const m = await get();
        const full = m.properties.migrationStatusDetails?.activeBackupSets
          .flatMap((set) => set.listOfBackupFiles)
          .find((f) => f.fileName === fullName);
        return full?.status === 'Uploading' && full.dataRead >= readMiB * MiB;
      });
      // Through the client, not the command, so that the cancel lands while the full uploads (the
      // command's own start takes longer than the rest of the upload on a busy machine).
      const canceled = await service.client.cancel('default', db);
      expect(canceled.properties.migrationStatus).toMatch(/^Cancel(ing|ed)$/);
      await sleep(between(0, 30));
      await service.kill('SIGKILL');
      service = await startService({ dataDir, args });
      await until('the migration to be canceled', async () => {
        return (await get()).properties.migrationStatus === 'Canceled';
      });
      // Killed once more: a canceled migration stays as it is.
      await service.kill('SIGKILL');
      service = await startService({ dataDir, args });
      await sleep(300);
    } finally {
      await service.stop();
    }
    const store = await openStateStore({ dataDir });
    try {
      const [files, events] = await store.transaction(async (tx) => {
        const found = await tx.findMigration('default', db);
        if (!found) throw new Error('the migration is gone');
        expect(found.migrationStatus).toBe('Canceled');
        return [await tx.listFiles(found.id), await tx.listEvents(found.id)] as const;
      });
      expect(files.map((f) => [f.fileName, f.status]).sort()).toEqual([
        [fullName, 'Canceled'],
        [logName(1), 'Canceled'],
      ]);
      const kinds = events.map((e) => e.kind);
      expect(kinds.filter((k) => k === 'Canceling')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'Canceled')).toHaveLength(1);
      expect(kinds).not.toContain('Succeeded');
      expect(kinds).not.toContain('TargetStarting');
      expect(kinds.at(-1)).toBe('Canceled');
      expect(existsSync(join(dataDir, 'blobs', db, fullName))).toBe(false);
    } finally {
      await store.close();
    }
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it('runs one service per data folder, and takes over the lock left by a killed one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sqlmig-crash-lock-'));
    const first = await startService({ dataDir, args });
    const second = await sqlmig(['up', '--data-dir', dataDir, '--port', '0'], 15_000);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Another sqlmig service (process ${first.pid})`);
    await first.kill('SIGKILL');
    const third = await startService({ dataDir, args });
    expect((await third.client.listMigrations('default')).value).toEqual([]);
    await third.stop();
    expect(existsSync(join(dataDir, 'service.lock'))).toBe(false);
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);
});
