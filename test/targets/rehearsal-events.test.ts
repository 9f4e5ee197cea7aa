/**
 * The rehearsal target driven by events rather than by `tick`: `blobCommitted` notices, wake-ups at
 * each set's finishing time, `onProgress` listeners, per-folder scans side by side, the safety-net
 * poll and `close`. Backups are synthetic (test/support/synthetic-backup.ts) in the in-memory store,
 * seen through a wrapper that records and can hold up its listings and property reads.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { ByteSource } from '../../src/backup/index.js';
import type {
  BlobProperties,
  BlobStore,
  CommitOptions,
  StagedBlock,
} from '../../src/storage/index.js';
import {
  createRehearsalTarget,
  type RehearsalOptions,
  type RehearsalTarget,
  type RestoreDetails,
} from '../../src/targets/index.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { syntheticBackupBytes, type SyntheticSet } from '../support/synthetic-backup.js';

const full: SyntheticSet = {
  databaseName: 'Sales',
  serverName: 'SQL01',
  userName: 'dba',
  type: 'D',
  backupSetGuid: '5a0c4e1f-2b3d-4c5e-8f60-7a8b9c0d1e2f',
  firstLsn: 52_000_000_010_000_001n,
  lastLsn: 52_000_000_012_000_001n,
  checkpointLsn: 52_000_000_010_000_001n,
  databaseBackupLsn: 0n,
  startDate: '2026-03-01T22:00:05',
  finishDate: '2026-03-01T22:01:00',
};
const log1: SyntheticSet = {
  ...full,
  type: 'L',
  backupSetGuid: '5a0c4e1f-2b3d-4c5e-8f60-7a8b9c0d1e30',
  firstLsn: full.lastLsn,
  lastLsn: full.lastLsn + 1_000_000n,
  databaseBackupLsn: full.firstLsn,
};
const bytesOf = (set: SyntheticSet): Uint8Array =>
  syntheticBackupBytes({ mediaSetId: 'b0a7c0de-0000-4000-8000-000000000001', sets: [set] });
const fullBytes = bytesOf(full);

/** A promise with its resolver outside, to hold a listing until the test lets it go. */
class Gate {
  readonly promise: Promise<void>;
  open!: () => void;
  constructor() {
    this.promise = new Promise<void>((resolve) => {
      this.open = resolve;
    });
  }
}

/**
 * The in-memory store, with every `list` and `properties` call recorded (`list A/`,
 * `properties A/full.bak`) and held while a gate is set for it.
 */
class WatchedStore implements BlobStore {
  readonly inner = new MemoryBlobStore();
  readonly description = 'a watched in-memory blob store (test stand-in)';
  /** Calls, in the order they started. */
  readonly calls: string[] = [];
  /** Calls (named as recorded) that wait for the promise. */
  readonly gates = new Map<string, Promise<void>>();
  readonly #waiters: { call: string; resolve: () => void }[] = [];
  /** When set, `properties` rejects with it (a storage outage). */
  failProperties: Error | null = null;

  /** Resolves when a call named `call` starts (after this call). */
  nextCall(call: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ call, resolve }));
  }

  async list(prefix: string): Promise<BlobProperties[]> {
    await this.#enter(`list ${prefix}`);
    return this.inner.list(prefix);
  }
  async properties(name: string): Promise<BlobProperties | null> {
    await this.#enter(`properties ${name}`);
    if (this.failProperties) throw this.failProperties;
    return this.inner.properties(name);
  }
  openRead(name: string): Promise<ByteSource> {
    return this.inner.openRead(name);
  }
  stageBlock(name: string, blockId: string, data: Uint8Array): Promise<void> {
    return this.inner.stageBlock(name, blockId, data);
  }
  stagedBlocks(name: string): Promise<StagedBlock[]> {
    return this.inner.stagedBlocks(name);
  }
  commitBlocks(name: string, ids: readonly string[], o?: CommitOptions): Promise<BlobProperties> {
    return this.inner.commitBlocks(name, ids, o);
  }
  delete(name: string): Promise<void> {
    return this.inner.delete(name);
  }

  async #enter(call: string): Promise<void> {
    this.calls.push(call);
    for (const waiter of this.#waiters.filter((w) => w.call === call)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    await this.gates.get(call);
  }
}

/**
 * Resolves with the details of `databaseName` at the first progress notice for it after which they
 * satisfy `check`; rejects after a generous timeout (the wait is for an event, not a fixed sleep).
 */
function progressUntil(
  target: RehearsalTarget,
  databaseName: string,
  check: (details: RestoreDetails) => boolean,
  timeoutMs = 5000,
): Promise<RestoreDetails> {
  return new Promise<RestoreDetails>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no progress notice for ${databaseName} met the check in ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = target.onProgress((name) => {
      if (name !== databaseName) return;
      void target.details(name).then((details) => {
        if (!check(details)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(details);
      }, reject);
    });
  });
}

const targets: RehearsalTarget[] = [];
function newTarget(store: BlobStore, options: Partial<RehearsalOptions> = {}): RehearsalTarget {
  const target = createRehearsalTarget({ store, ...options });
  targets.push(target);
  return target;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(targets.splice(0).map((target) => target.close()));
});

describe('the rehearsal target driven by events', () => {
  it('scans the folder holding a committed blob at once, that folder only, and tells listeners', async () => {
    const store = new WatchedStore();
    await store.inner.put('A/full.bak', fullBytes);
    await store.inner.put('B/full.bak', fullBytes);
    const target = newTarget(store);
    await target.start({ databaseName: 'DbA', folder: 'A' });
    await target.start({ databaseName: 'DbB', folder: 'B' });
    const heard: string[] = [];
    target.onProgress((name) => heard.push(name));
    const restored = progressUntil(target, 'DbA', (d) => d.lastRestoredFileName === 'A/full.bak');

    target.blobCommitted('A/full.bak');
    target.blobCommitted('AB/full.bak'); // a folder whose name only starts the same: no restore's
    target.blobCommitted('Elsewhere/full.bak');
    expect(heard).toEqual([]); // never inside the caller's call

    const details = await restored;
    expect(details).toMatchObject({ status: 'Restoring', numberOfFilesRestored: 1 });
    expect(store.calls).toEqual(['list A/']); // its first scan lists it whole
    expect(heard).toContain('DbA');
    expect(heard).not.toContain('DbB');
    expect((await target.details('DbB')).numberOfFilesDetected).toBe(0);
  });

  it('reports a set finishing later when it finishes, from its own wake-up, without listing again', async () => {
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    // The full takes 80 ms of simulated restore.
    const target = newTarget(store, { restoreBytesPerSecond: fullBytes.length * 12.5 });
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    const restoring = progressUntil(
      target,
      'Sales',
      (d) => d.currentRestoringFileName === 'Sales/full.bak',
    );
    const restored = progressUntil(
      target,
      'Sales',
      (d) => d.lastRestoredFileName === 'Sales/full.bak',
    );
    const began = Date.now();
    target.blobCommitted('Sales/full.bak');

    expect((await restoring).numberOfFilesRestoring).toBe(1);
    const details = await restored;
    const set = details.fullBackupSets[0];
    const started = Date.parse(set?.restoreStartedOn ?? '');
    const finished = Date.parse(set?.restoreFinishedOn ?? '');
    expect(finished - started).toBe(80);
    expect(started).toBeGreaterThanOrEqual(began);
    expect(Date.now()).toBeGreaterThanOrEqual(finished); // reported once done, not before
    expect(store.calls).toEqual(['list Sales/']);
  });

  it('coalesces notices into one scan, reads only the blobs they name, and one more scan after', async () => {
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    const target = newTarget(store);
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    const fullRestored = progressUntil(
      target,
      'Sales',
      (d) => d.lastRestoredFileName === 'Sales/full.bak',
    );
    for (let i = 0; i < 10; i += 1) target.blobCommitted('Sales/full.bak');
    await fullRestored;
    expect(store.calls).toEqual(['list Sales/']); // never listed before: listed whole, once

    await store.inner.put('Sales/log1.log', bytesOf(log1));
    await store.inner.put('Sales/notes.log', new TextEncoder().encode('not a backup'));
    const gate = new Gate();
    store.gates.set('properties Sales/log1.log', gate.promise);
    const reading = store.nextCall('properties Sales/log1.log');
    for (let i = 0; i < 10; i += 1) {
      target.blobCommitted('Sales/log1.log');
      target.blobCommitted('Sales/notes.log');
    }
    await reading;
    await store.inner.put('Sales/more.log', new TextEncoder().encode('not one either'));
    for (let i = 0; i < 10; i += 1) target.blobCommitted('Sales/more.log');
    const allSeen = progressUntil(target, 'Sales', (d) => d.numberOfFilesDetected === 4);
    gate.open();

    await allSeen;
    expect(store.calls).toEqual([
      'list Sales/',
      'properties Sales/log1.log',
      'properties Sales/notes.log',
      'properties Sales/more.log',
    ]);
  });

  it('reports a failed read of a noticed blob, and lists the folder whole at the next scan', async () => {
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    const target = newTarget(store);
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    const listed = progressUntil(target, 'Sales', (d) => d.numberOfFilesDetected === 1);
    target.blobCommitted('Sales/full.bak');
    await listed;

    await store.inner.put('Sales/log1.log', bytesOf(log1));
    store.failProperties = new Error('connection reset');
    const failed = progressUntil(target, 'Sales', (d) => d.blockReason !== null);
    target.blobCommitted('Sales/log1.log');
    expect((await failed).blockReason).toMatch(/^BlobStorageFailure \(rehearsal.*connection reset/);

    store.failProperties = null;
    const recovered = progressUntil(
      target,
      'Sales',
      (d) => d.blockReason === null && d.numberOfFilesDetected === 2,
    );
    target.blobCommitted('Sales/other.log');
    await recovered;
    expect(store.calls).toEqual([
      'list Sales/',
      'properties Sales/log1.log',
      'list Sales/', // not 'properties Sales/other.log': the failed read may have missed log1
    ]);
  });

  it('scans folders side by side: a slow listing does not hold up another folder', async () => {
    const store = new WatchedStore();
    await store.inner.put('A/full.bak', fullBytes);
    await store.inner.put('B/full.bak', fullBytes);
    const target = newTarget(store);
    await target.start({ databaseName: 'DbA', folder: 'A' });
    await target.start({ databaseName: 'DbB', folder: 'B' });
    const slowA = new Gate();
    store.gates.set('list A/', slowA.promise);
    const listingA = store.nextCall('list A/');
    target.blobCommitted('A/full.bak');
    await listingA;

    const seenB = progressUntil(target, 'DbB', (d) => d.numberOfFilesDetected === 1);
    target.blobCommitted('B/full.bak');
    expect((await seenB).currentRestoringFileName ?? (await seenB).lastRestoredFileName).toBe(
      'B/full.bak',
    );
    expect((await target.details('DbA')).numberOfFilesDetected).toBe(0); // still listing

    const seenA = progressUntil(target, 'DbA', (d) => d.numberOfFilesDetected === 1);
    slowA.open();
    await seenA;
  });

  it('builds details once per change: the same object until the restore moves', async () => {
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    const clock = { ms: Date.UTC(2026, 2, 2, 8), now: () => new Date(clock.ms) };
    const target = newTarget(store, { clock });
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    await target.tick();
    const restoring = await target.details('Sales');
    expect(await target.details('Sales')).toBe(restoring);

    clock.ms += 1000;
    await target.tick();
    const restored = await target.details('Sales');
    expect(restored).not.toBe(restoring);
    expect(restored.lastRestoredFileName).toBe('Sales/full.bak');
    clock.ms += 1000;
    await target.tick(); // nothing new in the folder, nothing restoring: nothing changed
    expect(await target.details('Sales')).toBe(restored);

    await store.inner.put('Sales/log1.log', bytesOf(log1));
    await target.tick();
    expect((await target.details('Sales')).currentRestoringFileName).toBe('Sales/log1.log');
  });

  it('cuts over after a scan of the same folder under way, and completes on its own', async () => {
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    const target = newTarget(store);
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    const fullRestored = progressUntil(
      target,
      'Sales',
      (d) => d.lastRestoredFileName === 'Sales/full.bak',
    );
    target.blobCommitted('Sales/full.bak');
    await fullRestored;

    await store.inner.put('Sales/log1.log', bytesOf(log1));
    const gate = new Gate();
    store.gates.set('properties Sales/log1.log', gate.promise);
    const reading = store.nextCall('properties Sales/log1.log');
    target.blobCommitted('Sales/log1.log');
    await reading;
    let cutOver = false;
    const completing = target.complete('Sales', 'Sales/log1.log').then(() => {
      cutOver = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(cutOver).toBe(false); // waits for the scan under way
    expect(store.calls).toEqual(['list Sales/', 'properties Sales/log1.log']);

    const completed = progressUntil(target, 'Sales', (d) => d.status === 'Completed');
    gate.open();
    await completing;
    expect(store.calls).toEqual(['list Sales/', 'properties Sales/log1.log', 'list Sales/']);
    const details = await completed;
    expect(details).toMatchObject({
      lastRestoredFileName: 'Sales/log1.log',
      percentCompleted: 100,
    });
  });

  it('rebuilds a restore once when two resumes of it come at once', async () => {
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    const target = newTarget(store);
    const gate = new Gate();
    store.gates.set('list Sales/', gate.promise);
    const listing = store.nextCall('list Sales/');
    const request = { databaseName: 'Sales', folder: 'Sales' };
    const first = target.resume(request, 'Sales/full.bak');
    const second = target.resume({ ...request, databaseName: 'SALES' }, 'Sales/full.bak');
    await listing;
    gate.open();
    await Promise.all([first, second]);
    expect(store.calls).toEqual(['list Sales/']);
    expect((await target.details('Sales')).lastRestoredFileName).toBe('Sales/full.bak');
  });

  it('calls listeners later, once per change of a turn, until unsubscribed; a throwing one goes to onError', async () => {
    const store = new WatchedStore();
    const errors: unknown[] = [];
    const target = newTarget(store, { onError: (error) => errors.push(error) });
    const first: string[] = [];
    const unsubscribeFirst = target.onProgress((name) => first.push(name));
    target.onProgress(() => {
      throw new Error('listener bug');
    });
    const last: string[] = [];
    let heard = new Gate();
    target.onProgress((name) => {
      last.push(name);
      heard.open();
    });

    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    await target.start({ databaseName: 'Other', folder: 'Other' });
    await target.stop('Other');
    expect(first).toEqual([]);
    await heard.promise;
    expect(first).toEqual(['Sales', 'Other']);
    expect(last).toEqual(['Sales', 'Other']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['listener bug', 'listener bug']);

    unsubscribeFirst();
    heard = new Gate();
    await target.stop('Sales');
    await heard.promise;
    expect(last).toEqual(['Sales', 'Other', 'Sales']);
    expect(first).toEqual(['Sales', 'Other']);
  });

  it('in real-timer mode, a restore started scans its folder at once, without notice or poll', async () => {
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    const target = newTarget(store, { pollIntervalMs: 60_000 });
    target.startPolling();
    const restored = progressUntil(
      target,
      'Sales',
      (d) => d.lastRestoredFileName === 'Sales/full.bak',
    );
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    await restored;
    expect(store.calls).toEqual(['list Sales/']);
  });

  it("reads a notice's blob at once while listings fill every slot", async () => {
    const store = new WatchedStore();
    const target = newTarget(store);
    await target.start({ databaseName: 'DbK', folder: 'K' });
    await target.tick(); // K's first scan, the whole folder: from now on a notice reads one blob
    const held = new Gate();
    const folders = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'];
    for (const folder of folders) {
      store.gates.set(`list ${folder}/`, held.promise);
      await target.start({ databaseName: `Db${folder}`, folder });
    }
    store.calls.length = 0;
    // A first notice of each lists its folder whole, a few at a time: all the slots are taken.
    for (const folder of folders) target.blobCommitted(`${folder}/full.bak`);
    await vi.waitFor(() => {
      expect(store.calls.filter((c) => c.startsWith('list ')).length).toBe(8);
    });
    target.blobCommitted('K/x.bak');
    await vi.waitFor(() => {
      expect(store.calls).toContain('properties K/x.bak');
    });
    expect(store.calls.filter((c) => c.startsWith('list ')).length).toBe(8); // still held
    held.open();
    await vi.waitFor(() => {
      expect(store.calls.filter((c) => c.startsWith('list ')).length).toBe(10);
    });
  });

  it('polls by listing the folders not listed of late, two at a time', async () => {
    vi.useFakeTimers();
    const store = new WatchedStore();
    const target = newTarget(store, { pollIntervalMs: 1000 });
    for (const folder of ['A', 'B', 'C', 'D'])
      await target.start({ databaseName: `Db${folder}`, folder });
    target.startPolling();
    const slow = new Gate();
    for (const folder of ['A', 'B', 'C', 'D']) store.gates.set(`list ${folder}/`, slow.promise);

    await vi.advanceTimersByTimeAsync(1000);
    expect(store.calls).toEqual(['list A/', 'list B/']); // the others wait their turn
    slow.open();
    await vi.advanceTimersByTimeAsync(1);
    expect(store.calls).toEqual(['list A/', 'list B/', 'list C/', 'list D/']);

    store.calls.length = 0;
    await vi.advanceTimersByTimeAsync(599);
    target.blobCommitted('A/x.bak'); // a notice reads the blob it names, not the folder
    await vi.advanceTimersByTimeAsync(400);
    expect(store.calls).toEqual(['properties A/x.bak', 'list A/', 'list B/', 'list C/', 'list D/']);

    store.calls.length = 0;
    await vi.advanceTimersByTimeAsync(600);
    await target.tick(); // lists them all: the next poll has nothing to do
    await vi.advanceTimersByTimeAsync(400);
    expect(store.calls).toEqual(['list A/', 'list B/', 'list C/', 'list D/']);
  });

  it('with a clock set by hand, a wake-up does not move a restore: tick does', async () => {
    vi.useFakeTimers();
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    const clock = { ms: Date.UTC(2026, 2, 2, 8), now: () => new Date(clock.ms) };
    const durationMs = 500;
    const target = newTarget(store, { clock, restoreBytesPerSecond: fullBytes.length * 2 });
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    await target.tick();
    expect((await target.details('Sales')).currentRestoringFileName).toBe('Sales/full.bak');
    expect(vi.getTimerCount()).toBe(1); // the wake-up at the set's end

    await vi.advanceTimersByTimeAsync(durationMs + 10);
    expect((await target.details('Sales')).currentRestoringFileName).toBe('Sales/full.bak');
    expect(vi.getTimerCount()).toBe(0); // not armed again while the clock stands still

    clock.ms += durationMs + 1;
    await target.tick();
    expect((await target.details('Sales')).lastRestoredFileName).toBe('Sales/full.bak');
  });

  it('waits again when a wake-up comes before the set has finished by the target clock', async () => {
    // Timers are faked, the real time (performance.now) is not: no real time passes, as when Node
    // fires a timer early because its loop time was stale when the timer was set.
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    let lagMs = 0;
    const clock = { now: () => new Date(Date.now() - lagMs) };
    const durationMs = 100;
    const target = newTarget(store, { clock, restoreBytesPerSecond: fullBytes.length * 10 });
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    await target.tick();
    expect((await target.details('Sales')).currentRestoringFileName).toBe('Sales/full.bak');

    lagMs = durationMs; // at the wake-up, the target's clock reads what it read when it was set
    await vi.advanceTimersByTimeAsync(durationMs);
    expect((await target.details('Sales')).currentRestoringFileName).toBe('Sales/full.bak');
    expect(vi.getTimerCount()).toBe(1); // set again for the rest

    lagMs = 0;
    await vi.advanceTimersByTimeAsync(durationMs);
    expect((await target.details('Sales')).lastRestoredFileName).toBe('Sales/full.bak');
  });

  it('close clears the poll and every wake-up, and waits for a scan under way', async () => {
    vi.useFakeTimers();
    const store = new WatchedStore();
    await store.inner.put('Sales/full.bak', fullBytes);
    await store.inner.put('Slow/full.bak', fullBytes);
    const target = newTarget(store, { restoreBytesPerSecond: 1024, pollIntervalMs: 60_000 });
    await target.start({ databaseName: 'Sales', folder: 'Sales' });
    await target.start({ databaseName: 'Slow', folder: 'Slow' });
    await target.tick(); // both restoring for seconds: a wake-up each
    target.startPolling();
    expect(vi.getTimerCount()).toBe(3);

    const slow = new Gate();
    store.gates.set('properties Slow/full.bak', slow.promise);
    const reading = store.nextCall('properties Slow/full.bak');
    target.blobCommitted('Slow/full.bak');
    await reading;
    let closed = false;
    const closing = target.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(closed).toBe(false);
    slow.open();
    await closing;
    expect(vi.getTimerCount()).toBe(0);
  });
});
