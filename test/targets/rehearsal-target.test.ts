import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createRehearsalTarget } from '../../src/targets/index.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';

import { isRestoreTargetError, type RestoreTargetErrorCode } from '../../src/targets/index.js';
import { corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';
import { syntheticBackupBytes } from '../support/synthetic-backup.js';

import { blob, rig, setNames } from './rehearsal-fixture.js';

if (!hasBackupCorpus)
  console.warn(`Skipping the rehearsal target's corpus tests: ${corpusSkipReason}.`);

const continuous = { databaseName: 'Sales', folder: 'RestoreTimeClean' };

/** A full of RestoreTimeClean taken after the corpus chain (a stand-in for the next night's). */
function laterFull(): Uint8Array {
  return syntheticBackupBytes({
    mediaSetId: '6f1d2a3b-0000-4000-8000-00000000aa01',
    sets: [
      {
        databaseName: 'RestoreTimeClean',
        serverName: 'SQL2008',
        userName: 'dba',
        type: 'D',
        backupSetGuid: '6f1d2a3b-0000-4000-8000-00000000aa02',
        firstLsn: 26_000_000_001_000_001n,
        lastLsn: 26_000_000_002_000_001n,
        checkpointLsn: 26_000_000_001_000_001n,
        databaseBackupLsn: 0n,
        startDate: '2017-06-02T01:00:00',
        finishDate: '2017-06-02T01:00:05',
      },
    ],
  });
}

async function refusal(promise: Promise<unknown>): Promise<RestoreTargetErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isRestoreTargetError(error)) {
      expect(error.message).toContain('Rehearsal target');
      return error.code;
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe.skipIf(!hasBackupCorpus)('the rehearsal target on real backups (RestoreTimeClean)', () => {
  it('restores an online chain in order as its files arrive, then waits for the next', async () => {
    const { target, upload, at } = rig();
    await target.start(continuous);
    await upload('full');
    let details = await at(100);
    expect(details).toMatchObject({
      status: 'Restoring',
      blockReason: null,
      currentRestoringFileName: blob('full'),
      lastRestoredFileName: null,
      lastUploadedFileName: blob('full'),
      numberOfFilesDetected: 1,
      numberOfFilesRestoring: 1,
      percentCompleted: 0,
    });
    expect(details.fullBackupSets[0]?.restoreStartedOn).toBe('2026-03-02T08:00:00.100Z');

    details = await at(1500); // 1,460,736 bytes at 1 MiB/s: done at 1.494 s
    expect(details).toMatchObject({ currentRestoringFileName: null, numberOfFilesRestored: 1 });
    expect(details.lastRestoredFileName).toBe(blob('full'));
    expect(details.fullBackupSets[0]?.restoreFinishedOn).toBe('2026-03-02T08:00:01.494Z');

    await upload('log1');
    expect((await at(2000)).currentRestoringFileName).toBe(blob('log1'));
    await upload('log2', 'log3');
    await at(4000);
    details = await at(5000);
    const logs = details.logBackupSets;
    expect(logs.map((s) => [s.firstStripeName, s.status])).toEqual([
      [blob('log1'), 'Restored'],
      [blob('log2'), 'Restored'],
      [blob('log3'), 'Restored'],
    ]);
    expect(logs[2]?.restoreStartedOn).toBe(logs[1]?.restoreFinishedOn);

    // A differential of the same full arriving after logs were restored still brings the database
    // further (Log Replay Service's continuous mode takes new differentials and logs until cutover).
    await upload('diff', 'log21', 'log22', 'log23');
    expect((await at(6000)).currentRestoringFileName).toBe(blob('diff'));
    details = await at(8000);
    expect(details).toMatchObject({
      status: 'Restoring',
      blockReason: null,
      currentRestoringFileName: null,
      lastRestoredFileName: blob('log23'),
      numberOfFilesDetected: 8,
      numberOfFilesRestored: 8,
      percentCompleted: 100,
    });
    expect(setNames(details, 'Restored')).toEqual(
      ['full', 'diff', 'log1', 'log2', 'log3', 'log21', 'log22', 'log23'].map((f) =>
        blob(f as 'full'),
      ),
    );
    expect(await at(60_000)).toEqual(details);
  });

  it('plans from headers like Log Replay Service: the latest differential, logs it covers skipped', async () => {
    const { target, upload, at } = rig();
    await upload('log3', 'log21', 'diff', 'log1', 'full', 'log23', 'log2', 'log22');
    await target.start(continuous);
    let details = await at(10);
    expect(details).toMatchObject({ numberOfFilesQueued: 4, numberOfFilesSkipped: 3 });
    expect(details.percentCompleted).toBe(0);
    details = await at(1500);
    // Restored: the full (1,460,736 bytes) of a plan of 2,251,264 bytes → 64 %.
    expect(details.percentCompleted).toBe(64);
    details = await at(3000);
    expect(setNames(details, 'Restored')).toEqual([
      blob('full'),
      blob('diff'),
      blob('log21'),
      blob('log22'),
      blob('log23'),
    ]);
    expect(setNames(details, 'Skipped')).toEqual([blob('log1'), blob('log2'), blob('log3')]);
    expect(details).toMatchObject({ numberOfFilesRestored: 5, numberOfFilesSkipped: 3 });
    expect(details.unrestorableFiles).toEqual([]);
  });

  it('blocks behind a gap in the logs until the missing log arrives', async () => {
    const { target, upload, at } = rig();
    await upload('full', 'diff', 'log21', 'log23');
    await target.start(continuous);
    await at(0);
    let details = await at(5000);
    expect(details.lastRestoredFileName).toBe(blob('log21'));
    expect(details.blockReason).toMatch(/^BrokenRestorePlanGapInLogBackups \(rehearsal/);
    expect(details.blockReason).toContain('25000000020000001');
    expect(details).toMatchObject({ numberOfFilesQueued: 1, numberOfFilesRestored: 3 });
    expect(setNames(details, 'Queued')).toEqual([blob('log23')]);

    await upload('log22');
    details = await at(6000);
    expect(details.blockReason).toBeNull();
    details = await at(7000);
    expect(details.lastRestoredFileName).toBe(blob('log23'));
    expect(details.numberOfFilesRestored).toBe(5);
  });

  it('refuses to go on while the folder holds backups of another database', async () => {
    const { store, target, upload, uploadCorpus, at } = rig();
    await upload('full');
    const other = await uploadCorpus('appveyor-lab/singlerestore/singlerestore.bak');
    await target.start(continuous);
    let details = await at(0);
    expect(details.blockReason).toMatch(
      /^BackupsFromMultipleDatabasesDetectedInTheContainerFromTheStart \(rehearsal/,
    );
    expect(details.blockReason).toContain('RestoreTimeClean, singlerestore');
    expect(details).toMatchObject({ currentRestoringFileName: null, numberOfFilesQueued: 2 });

    await store.delete(other);
    expect((await at(1000)).currentRestoringFileName).toBe(blob('full'));

    await uploadCorpus('appveyor-lab/singlerestore/singlerestore.bak');
    await upload('log1');
    details = await at(5000);
    expect(details.lastRestoredFileName).toBe(blob('full'));
    expect(details.currentRestoringFileName).toBeNull();
    expect(details.blockReason).toMatch(
      /^BackupsFromMultipleDatabasesDetectedInTheContainerWhileRestoreInProgress \(rehearsal/,
    );
    expect(details.unrestorableFiles.map((u) => u.name)).toEqual([other]);
    expect(details.unrestorableFiles[0]?.reason).toMatch(/^BackupsFromMultipleDatabases/);

    await store.delete(other);
    details = await at(6000);
    expect(details.blockReason).toBeNull();
    expect(details.currentRestoringFileName).toBe(blob('log1'));
  });

  it('autocomplete (offline) completes once the last backup named is restored', async () => {
    const { target, upload, at } = rig();
    await upload('full', 'diff', 'log21', 'log22');
    await target.start({ ...continuous, lastBackupName: 'RestoreTimeClean2_3.log' });
    await at(0);
    let details = await at(5000);
    expect(details.status).toBe('Restoring');
    expect(details.lastRestoredFileName).toBe(blob('log22'));
    expect(details.blockReason).toMatch(/^LastBackupNotFound \(rehearsal/);

    await upload('log23');
    expect((await at(6000)).currentRestoringFileName).toBe(blob('log23'));
    details = await at(7000);
    expect(details).toMatchObject({
      status: 'Completed',
      blockReason: null,
      lastRestoredFileName: blob('log23'),
      percentCompleted: 100,
    });
    expect(await target.databaseExists('Sales')).toBe(true);
  });

  it('remembers the databases it completed across a restart, until a stop drops them', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sqlmig-rehearsal-'));
    try {
      const databasesFile = join(folder, 'rehearsal-databases.json');
      const { target, upload, at } = rig({ databasesFile });
      await upload('full', 'diff', 'log21', 'log22', 'log23');
      await target.start({ ...continuous, lastBackupName: blob('log23') });
      for (const ms of [0, 5000, 7000]) await at(ms);
      expect((await at(9000)).status).toBe('Completed');
      await target.close();
      expect(JSON.parse(await readFile(databasesFile, 'utf8'))).toMatchObject({
        databases: [{ databaseName: 'Sales' }],
      });

      // A restarted service: the database still exists (names compare case-insensitively).
      const restarted = createRehearsalTarget({ store: new MemoryBlobStore(), databasesFile });
      expect(await restarted.databaseExists('SALES')).toBe(true);
      expect(await refusal(restarted.start(continuous))).toBe('DatabaseExists');
      await restarted.stop('Sales');
      await restarted.close();
      const again = createRehearsalTarget({ store: new MemoryBlobStore(), databasesFile });
      expect(await again.databaseExists('Sales')).toBe(false);

      await writeFile(databasesFile, '{"databases": "Sales"}');
      expect(() => createRehearsalTarget({ store: new MemoryBlobStore(), databasesFile })).toThrow(
        /rehearsal-databases\.json: it does not hold a list of databases\. .*delete it to forget/,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('autocomplete fails when backups beyond the last one named are in the folder', async () => {
    const { target, upload, at } = rig();
    await upload('full', 'diff', 'log21', 'log22', 'log23');
    await target.start({ ...continuous, lastBackupName: blob('log22') });
    const details = await at(0);
    expect(details.status).toBe('Failed');
    expect(details.blockReason).toMatch(/^BackupsBeyondLastBackupName \(rehearsal/);
    expect(details.blockReason).toContain('RestoreTimeClean2_3.log');
  });

  it('cuts over at a file of the chain, and refuses one it cannot reach', async () => {
    const { target, upload, at } = rig();
    await target.start(continuous);
    expect(await refusal(target.complete('Sales', blob('full')))).toBe(
      'ExternalBackupRestoreHasNotBeenStarted',
    );
    await upload('full', 'log1', 'diff', 'log21', 'log22');
    await at(0);
    await at(5000);
    expect(await refusal(target.complete('Sales', blob('log21')))).toBe(
      'RequiredBackupIsNotLastRestored',
    );
    expect(await refusal(target.complete('Sales', blob('log1')))).toBe('BackupNotInRestoreChain');
    expect(await refusal(target.complete('Sales', 'RestoreTimeClean2_9.log'))).toBe(
      'BackupNotInRestoreChain',
    );
    await upload('log23');
    await target.complete('Sales', 'RestoreTimeClean2_3.log');
    expect(await refusal(target.complete('Sales', blob('log23')))).toBe(
      'ExternalBackupAlreadySignaledToComplete',
    );
    expect((await target.details('Sales')).status).toBe('Completing');
    expect((await at(6000)).currentRestoringFileName).toBe(blob('log23'));
    const details = await at(7000);
    expect(details).toMatchObject({ status: 'Completed', lastRestoredFileName: blob('log23') });
    expect(await refusal(target.complete('Sales', blob('log23')))).toBe(
      'ManagedDatabaseNotInRestoringState',
    );
  });

  it('never overwrites: a running or completed rehearsal database refuses a new start', async () => {
    const { target, upload, at } = rig();
    await upload('full');
    await target.start(continuous);
    expect(await refusal(target.start(continuous))).toBe('RestoreAlreadyRunning');
    await at(0);
    await at(2000);
    await target.complete('Sales', blob('full'));
    expect((await at(2001)).status).toBe('Completed');
    expect(await refusal(target.start({ ...continuous, databaseName: 'SALES' }))).toBe(
      'DatabaseExists',
    );
    expect(await target.databaseExists('sales')).toBe(true);
  });

  it('stop cancels the restore and drops the database', async () => {
    const { target, upload, at } = rig();
    await upload('full', 'log1');
    await target.start(continuous);
    await at(100);
    await target.stop('Sales');
    const details = await target.details('Sales');
    expect(details).toMatchObject({ status: 'Stopped', currentRestoringFileName: null });
    expect(await target.databaseExists('Sales')).toBe(false);
    await target.stop('Sales');
    await target.stop('NeverStarted');
    await target.start(continuous);
    expect((await at(200)).status).toBe('Restoring');
  });

  it('resume after a restart rebuilds the restore from the folder and goes on', async () => {
    const first = rig();
    await first.upload('full', 'log1', 'log2');
    await first.target.start(continuous);
    await first.at(0);
    await first.at(3000);
    await first.upload('log3', 'diff', 'log21');
    // The nightly full goes on on the source: a later full arrives; the restore stays on its base.
    await first.store.put('RestoreTimeClean/RestoreTimeClean_nightly.bak', laterFull());
    expect(setNames(await first.at(3001), 'Skipped')).toEqual([
      'RestoreTimeClean/RestoreTimeClean_nightly.bak',
      blob('log3'),
    ]);

    // The service restarts: a new target over the same store, told the last file restored.
    const second = rig();
    for (const blobProps of await first.store.list('')) {
      const source = await first.store.openRead(blobProps.name);
      await second.store.put(blobProps.name, await source.read(0, source.size));
    }
    second.clock.ms = first.clock.ms;
    await second.target.resume(continuous, blob('log2'));
    let details = await second.target.details('Sales');
    expect(setNames(details, 'Restored')).toEqual([blob('full'), blob('log1'), blob('log2')]);
    expect(details.fullBackupSets[0]?.restoreStartedOn).toBeNull();
    expect((await second.at(9000)).currentRestoringFileName).toBe(blob('diff'));
    details = await second.at(12_000);
    expect(setNames(details, 'Restored')).toEqual([
      blob('full'),
      blob('diff'),
      blob('log1'),
      blob('log2'),
      blob('log21'),
    ]);
    expect(setNames(details, 'Skipped')).toEqual([
      'RestoreTimeClean/RestoreTimeClean_nightly.bak',
      blob('log3'),
    ]);

    await second.target.resume(continuous, blob('full')); // already running: nothing happens
    expect(
      await refusal(second.target.resume({ ...continuous, databaseName: 'Other' }, 'x.log')),
    ).toBe('ResumeStateMismatch');
  });

  it('refuses a folder path containing "backup", as Log Replay Service does', async () => {
    const { target } = rig();
    for (const folder of ['backups/Sales', 'Sales_Backup', 'BACKUP']) {
      expect(await refusal(target.start({ databaseName: 'Sales', folder }))).toBe(
        'BackupWordInPath',
      );
    }
    await target.start({ databaseName: 'Sales', folder: '/RestoreTimeClean/' });
  });

  it('reports files it does not read, and reads headers by ranges, not whole blobs', async () => {
    const { store, target, upload, at } = rig();
    await upload('full');
    await store.put('RestoreTimeClean/readme.txt', new TextEncoder().encode('notes'));
    await store.put('RestoreTimeClean/old/RestoreTimeClean_9.log', new Uint8Array(10));
    await target.start(continuous);
    const details = await at(0);
    expect(details.numberOfFilesDetected).toBe(3);
    expect(details.numberOfFilesUnrestorable).toBe(2);
    expect(details.unrestorableFiles.map((u) => [u.name, u.reason?.split(' ')[0]])).toEqual([
      ['RestoreTimeClean/old/RestoreTimeClean_9.log', 'NestedFolders'],
      ['RestoreTimeClean/readme.txt', 'UnsupportedFileExtension'],
    ]);
    expect(details.currentRestoringFileName).toBe(blob('full'));
    expect(store.bytesRead).toBeLessThan(128 * 1024);
  });
});
