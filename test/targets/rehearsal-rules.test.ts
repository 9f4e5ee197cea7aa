/**
 * The rehearsal target on synthetic backups (test/support/synthetic-backup.ts), for what the corpus
 * lacks: a differential of another full, appended media, a missing stripe, a folder with no full, and
 * files that are no backups; plus storage failures, the real-timer mode and option checks.
 */
import { describe, expect, it, vi } from 'vitest';

import {
  createRehearsalTarget,
  isRestoreTargetError,
  type RestoreTargetErrorCode,
} from '../../src/targets/index.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import {
  salesFull,
  syntheticBackupBytes,
  type SyntheticMedia,
  type SyntheticSet,
} from '../support/synthetic-backup.js';

import { rig } from './rehearsal-fixture.js';

const full = salesFull;
const log = (n: number): SyntheticSet => ({
  ...full,
  type: 'L',
  backupSetGuid: `9a8b7c6d-5e4f-4a3b-9c2d-1e0f0011220${n}`,
  firstLsn: 41_000_000_014_500_001n + BigInt(n - 1) * 1_000_000n,
  lastLsn: 41_000_000_014_500_001n + BigInt(n) * 1_000_000n,
  databaseBackupLsn: full.firstLsn,
});
const media = (sets: SyntheticSet[], more: Partial<SyntheticMedia> = {}): Uint8Array =>
  syntheticBackupBytes({ mediaSetId: 'c0ffee00-1234-4321-abcd-0123456789ab', sets, ...more });

async function refusal(promise: Promise<unknown>): Promise<RestoreTargetErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isRestoreTargetError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

const start = { databaseName: 'Sales', folder: 'Sales' };

describe('the rehearsal target on synthetic backups', () => {
  it('reports a differential of another full, appended media and non-backups as unrestorable', async () => {
    const { store, target, at } = rig();
    await store.put('Sales/full.bak', media([full]));
    await store.put(
      'Sales/diff.diff',
      media([
        {
          ...full,
          type: 'I',
          backupSetGuid: '11111111-2222-4333-8444-555555555555',
          firstLsn: 41_000_000_016_000_001n,
          lastLsn: 41_000_000_016_500_001n,
          differentialBase: {
            lsn: 40_000_000_000_000_001n,
            guid: 'deadbeef-0000-4000-8000-000000000000',
          },
        },
      ]),
    );
    await store.put('Sales/appended.log', media([log(1), log(2)]));
    await store.put('Sales/notes.bak', new TextEncoder().encode('not a backup'));
    await target.start(start);
    const details = await at(0);
    expect(details.unrestorableFiles.map((u) => [u.name, u.reason?.split(' ')[0]])).toEqual([
      ['Sales/appended.log', 'MultipleBackupSetsInFile'],
      ['Sales/diff.diff', 'BrokenRestorePlanWrongDiffBaseGUID'],
      ['Sales/notes.bak', 'NotABackupFile'],
    ]);
    expect(details).toMatchObject({
      currentRestoringFileName: 'Sales/full.bak',
      numberOfFilesDetected: 4,
      numberOfFilesUnrestorable: 3,
      blockReason: null,
    });
    expect(details.diffBackupSets).toEqual([]);
  });

  it('waits with a reason while no full backup, or not every stripe of it, is there', async () => {
    const { store, target, at } = rig();
    await store.put('Sales/log1.log', media([log(1)]));
    await target.start(start);
    let details = await at(0);
    expect(details.blockReason).toMatch(/^BrokenRestorePlanNoFullBackup \(rehearsal/);
    expect(details).toMatchObject({ numberOfFilesQueued: 1, currentRestoringFileName: null });

    const striped = (sequence: number): Uint8Array =>
      media([full], { familyCount: 2, familySequenceNumber: sequence });
    await store.put('Sales/full_1.bak', striped(1));
    details = await at(1000);
    expect(details.blockReason).toMatch(/^MissingStripeInBackupSet \(rehearsal/);
    expect(details.blockReason).toContain('media family 2 is missing');

    await store.put('Sales/full_2.bak', striped(2));
    details = await at(2000);
    expect(details).toMatchObject({
      blockReason: null,
      currentRestoringFileName: 'Sales/full_1.bak',
    });
    expect(details.fullBackupSets[0]).toMatchObject({ numberOfStripes: 2, status: 'Restoring' });
    expect(details.numberOfFilesRestoring).toBe(2);
  });

  it('reports a blob store outage and goes on when it ends', async () => {
    const { store, target, at } = rig();
    await store.put('Sales/full.bak', media([full]));
    await target.start(start);
    store.failListing = new Error('connection reset');
    expect((await at(0)).blockReason).toMatch(/^BlobStorageFailure \(rehearsal.*connection reset/);
    store.failListing = null;
    expect(await at(1000)).toMatchObject({
      blockReason: null,
      currentRestoringFileName: 'Sales/full.bak',
    });
  });

  it('runs on a timer in real-timer mode, and refuses work once closed', async () => {
    const store = new MemoryBlobStore();
    const target = createRehearsalTarget({ store, pollIntervalMs: 5 });
    expect(target.description).toMatch(/^Rehearsal.*nothing is restored/);
    await store.put('Sales/full.bak', media([full]));
    await store.put('Sales/log1.log', media([log(1)]));
    await target.start({ ...start, lastBackupName: 'log1.log' });
    target.startPolling();
    await vi.waitFor(
      async () => {
        expect((await target.details('Sales')).status).toBe('Completed');
      },
      { timeout: 5000, interval: 10 },
    );
    await target.close();
    expect(await refusal(target.start({ ...start, databaseName: 'Other' }))).toBe('TargetClosed');
  });

  it('checks its options and requests', async () => {
    const store = new MemoryBlobStore();
    expect(() => createRehearsalTarget({ store, restoreBytesPerSecond: 0 })).toThrow(
      /restoreBytesPerSecond/,
    );
    expect(() => createRehearsalTarget({ store, pollIntervalMs: -1 })).toThrow(/pollIntervalMs/);
    const target = createRehearsalTarget({ store });
    expect(await refusal(target.start({ databaseName: ' ', folder: 'Sales' }))).toBe(
      'InvalidRequest',
    );
    expect(await refusal(target.start({ ...start, lastBackupName: '' }))).toBe('InvalidRequest');
    expect(await refusal(target.details('Nothing'))).toBe('RestoreDetailsNotAvailableOrExpired');
    expect(await refusal(target.complete('Nothing', 'x.log'))).toBe(
      'ManagedDatabaseNotInRestoringState',
    );
  });
});
