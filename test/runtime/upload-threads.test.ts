/**
 * Uploads on the upload thread: the same blob and MD5 as in-thread, progress reported across the
 * thread, large uploads in turns and small ones beside them, a stop keeps the staged blocks,
 * failures keep their message (and a store error its code). Header reads on the thread give what
 * the same reads give in-thread, of real backups from the corpus and of files that are none.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  isBackupReadError,
  memorySource,
  readBackupFile,
  readBackupMedia,
} from '../../src/backup/index.js';
import { LocalFolderSource } from '../../src/runtime/local-folder-source.js';
import { UploadThreads, type UploadThreadsOptions } from '../../src/runtime/upload-threads.js';
import { isBlobStoreError, LocalFolderBlobStore } from '../../src/storage/index.js';
import { corpusFile, corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';

const blockBytes = 64 * 1024;
let root: string;
let threads: UploadThreads;
let store: LocalFolderBlobStore;
let source: LocalFolderSource;

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');
const bytesOf = (size: number, seed: number) =>
  Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed * 7) % 251);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sqlmig-threads-'));
  await mkdir(join(root, 'share'));
  threads = new UploadThreads({ threads: 2 });
  store = new LocalFolderBlobStore(join(root, 'blobs'));
  source = new LocalFolderSource(join(root, 'share'), {
    blockSizeBytes: blockBytes,
    uploadThreads: threads,
  });
});
afterEach(async () => {
  await threads.close();
  await rm(root, { recursive: true, force: true });
});

/** `use` with a source whose uploads run on threads of their own, made with `options`. */
async function onThreadsOfItsOwn(
  options: UploadThreadsOptions,
  use: (share: LocalFolderSource) => Promise<void>,
): Promise<void> {
  const own = new UploadThreads(options);
  try {
    await use(
      new LocalFolderSource(join(root, 'share'), {
        blockSizeBytes: blockBytes,
        uploadThreads: own,
      }),
    );
  } finally {
    await own.close();
  }
}

describe('uploads on the upload thread', () => {
  it('writes the blob with its MD5, reporting progress, for one block and for several', async () => {
    for (const [name, size] of [
      ['log.trn', 1000],
      ['full.bak', 3 * blockBytes + 5],
    ] as const) {
      const content = bytesOf(size, size);
      await writeFile(join(root, 'share', name), content);
      const seen: number[] = [];
      const outcome = await source.upload(name, store, `Sales/${name}`, (p) =>
        seen.push(p.dataRead),
      );
      expect(outcome).toMatchObject({
        dataRead: size,
        dataWritten: size,
        contentMd5: md5(content),
      });
      expect(seen.at(-1)).toBe(size);
      expect(await readFile(join(root, 'blobs', 'Sales', name))).toEqual(Buffer.from(content));
      // The main thread's store sees what the thread committed.
      expect(await store.properties(`Sales/${name}`)).toMatchObject({
        size,
        contentMd5: md5(content),
      });
    }
  });

  it('stops when asked, keeping the staged blocks; the next attempt resumes from them', async () => {
    const content = bytesOf(40 * blockBytes, 3);
    await writeFile(join(root, 'share', 'full.bak'), content);
    const aborter = new AbortController();
    const stopped = source.upload(
      'full.bak',
      store,
      'Sales/full.bak',
      (p) => {
        if (p.dataRead >= 4 * blockBytes) aborter.abort(new Error('stop here'));
      },
      aborter.signal,
    );
    await expect(stopped).rejects.toThrow('stop here');
    const staged = await store.stagedBlocks('Sales/full.bak');
    expect(staged.length).toBeGreaterThanOrEqual(4);
    const outcome = await source.upload('full.bak', store, 'Sales/full.bak', () => undefined);
    expect(outcome.dataWritten).toBe(content.length - staged.length * blockBytes);
    expect(outcome.contentMd5).toBe(md5(content));
  });

  it('fails with the reason: a missing file, a store error with its code', async () => {
    await expect(
      source.upload('gone.bak', store, 'Sales/gone.bak', () => undefined),
    ).rejects.toThrow(/ENOENT|no such file/);
    await writeFile(join(root, 'share', 'log.trn'), bytesOf(100, 1));
    // A blob name the local store refuses: its BlobStoreError crosses the thread with its code.
    await expect(
      source.upload('log.trn', store, `Sales/${'x'.repeat(1100)}.trn`, () => undefined),
    ).rejects.toMatchObject({ name: 'BlobStoreError', code: 'InvalidBlobName' });
  });

  it('spreads uploads at once over its threads, each ending with its own blob', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `log${i}.trn`);
    for (const [i, name] of names.entries())
      await writeFile(join(root, 'share', name), bytesOf(2 * blockBytes + i, i));
    const outcomes = await Promise.all(
      names.map((name) => source.upload(name, store, `Sales/${name}`, () => undefined)),
    );
    for (const [i, outcome] of outcomes.entries())
      expect(outcome.contentMd5).toBe(md5(bytesOf(2 * blockBytes + i, i)));
    expect(() => new UploadThreads({ threads: 0 })).toThrow(RangeError);
  });

  it('takes large uploads in turns, and small files in turns of their own', async () => {
    await onThreadsOfItsOwn(
      { threads: 1, largeUploadsAtOnce: 1, smallFileBytes: 2 * blockBytes },
      async (share) => {
        await writeFile(join(root, 'share', 'a.bak'), bytesOf(60 * blockBytes, 1));
        await writeFile(join(root, 'share', 'b.bak'), bytesOf(60 * blockBytes, 2));
        await writeFile(join(root, 'share', 'c.trn'), bytesOf(blockBytes, 3));
        const events: string[] = [];
        const upload = (name: string) =>
          share
            .upload(name, store, `Sales/${name}`, () => events.push(name))
            .then(() => events.push(`${name} done`));
        const large = [upload('a.bak'), upload('b.bak')];
        await upload('c.trn');
        await Promise.all(large);
        // One large upload at a time: all of one's progress, then all of the other's.
        const order = events.filter((e) => e.endsWith('.bak'));
        const [first] = order;
        const switches = order.filter((e, i) => i > 0 && e !== order[i - 1]).length;
        expect(switches).toBe(1);
        // The small file went by while the second large one waited for its turn.
        const second = first === 'a.bak' ? 'b.bak' : 'a.bak';
        expect(events.indexOf('c.trn done')).toBeLessThan(events.indexOf(second));
        expect(await store.properties('Sales/b.bak')).toMatchObject({
          contentMd5: md5(bytesOf(60 * blockBytes, 2)),
        });
      },
    );
  });

  it('ends at once an upload stopped while it waits for its turn', async () => {
    await onThreadsOfItsOwn({ threads: 1, largeUploadsAtOnce: 1 }, async (share) => {
      await writeFile(join(root, 'share', 'a.bak'), bytesOf(200 * blockBytes, 1));
      await writeFile(join(root, 'share', 'b.bak'), bytesOf(200 * blockBytes, 2));
      const events: string[] = [];
      const first = share
        .upload('a.bak', store, 'Sales/a.bak', () => undefined)
        .then(() => events.push('a done'));
      const aborter = new AbortController();
      const waiting = share
        .upload('b.bak', store, 'Sales/b.bak', () => events.push('b progress'), aborter.signal)
        .catch((error: unknown) => {
          events.push('b stopped');
          throw error;
        });
      await new Promise((resolve) => setTimeout(resolve, 20));
      aborter.abort(new Error('canceled while waiting'));
      await expect(waiting).rejects.toThrow('canceled while waiting');
      await first;
      expect(events).toEqual(['b stopped', 'a done']);
      expect(await store.stagedBlocks('Sales/b.bak')).toEqual([]);
    });
  });

  it('a thread that dies fails only its own uploads, and the next upload starts it again', async () => {
    const content = bytesOf(30 * blockBytes, 5);
    await writeFile(join(root, 'share', 'full.bak'), content);
    const big = source.upload('full.bak', store, 'Sales/full.bak', () => undefined);
    // A request the thread cannot even begin (a block size out of range): it throws outside any
    // upload, and the thread dies of it.
    const broken = threads.upload(
      {
        folder: join(root, 'share'),
        name: 'x.bak',
        storeRoot: store.root,
        blobName: 'Sales/x.bak',
        blockSizeBytes: 1,
        firstAttempt: true,
      },
      () => undefined,
    );
    await expect(broken).rejects.toThrow(/upload thread/);
    expect((await big).contentMd5).toBe(md5(content));
    await writeFile(join(root, 'share', 'log.trn'), bytesOf(500, 9));
    const again = await source.upload('log.trn', store, 'Sales/log.trn', () => undefined);
    expect(again.contentMd5).toBe(md5(bytesOf(500, 9)));
  });

  it('starts its threads when asked, before any upload, and none once closed', async () => {
    expect(threads.running).toBe(0);
    threads.start();
    expect(threads.running).toBe(2);
    await threads.close();
    expect(threads.running).toBe(0);
    threads.start();
    expect(threads.running).toBe(0);
  });

  it('runs two threads by default, one on a machine with a single core', async () => {
    const own = new UploadThreads();
    try {
      own.start();
      expect(own.running).toBe(Math.min(2, availableParallelism()));
    } finally {
      await own.close();
    }
  });

  it('refuses uploads once closed', async () => {
    await threads.close();
    await writeFile(join(root, 'share', 'log.trn'), bytesOf(100, 1));
    await expect(source.upload('log.trn', store, 'Sales/log.trn', () => undefined)).rejects.toThrow(
      /closed/,
    );
  });
});

describe.skipIf(!hasBackupCorpus)(`header reads on the upload thread (${corpusSkipReason})`, () => {
  // A full, a log, a compressed backup and a striped one: what the thread reads must be what the
  // same read gives on the caller's thread, field for field (LSNs as bigints, dates as dates).
  const corpus = [
    'appveyor-lab/RestoreTimeClean/RestoreTimeClean.bak',
    'appveyor-lab/RestoreTimeClean/RestoreTimeClean_1.trn',
    'appveyor-lab/sql2008-backups/RestoreTimeStripe/Stripe2/RestoreTimeStripe1.bak',
    'appveyor-lab/backuppassword/passwd.bak',
  ];

  it("reads a source file's headers as readBackupFile does, errors included", async () => {
    for (const relative of corpus) {
      const path = corpusFile(relative);
      const inThread = await readBackupFile(path, { readWholeUpToBytes: 1024 * 1024 });
      expect(await threads.readHeaders(path)).toEqual(inThread);
    }
    await writeFile(join(root, 'share', 'notes.bak'), 'not a backup at all, just text');
    const foreign = await source.readHeaders('notes.bak');
    expect('error' in foreign && foreign.error.code).toBe('NotABackup');
    expect('error' in foreign && isBackupReadError(foreign.error)).toBe(true);
    const inThread = await readBackupFile(join(root, 'share', 'notes.bak'));
    expect('error' in inThread && inThread.error.message).toBe(
      'error' in foreign && foreign.error.message,
    );
  });

  it("reads a blob's properties and media as the rehearsal target does; a foreign blob and a missing one fail apart", async () => {
    for (const relative of corpus) {
      const bytes = await readFile(corpusFile(relative));
      const name = relative.split('/').at(-1) ?? '';
      const blobName = `Sales/${name}`;
      await writeFile(join(root, 'share', name), bytes);
      await source.upload(name, store, blobName, () => undefined);
      const expected = await readBackupMedia(memorySource(blobName, bytes));
      expect(await threads.readBlobMedia(store.root, blobName)).toEqual(expected);
    }
    await writeFile(join(root, 'share', 'notes.bak'), 'plain text, no backup');
    await source.upload('notes.bak', store, 'Sales/notes.bak', () => undefined);
    const foreign = await threads
      .readBlobMedia(store.root, 'Sales/notes.bak')
      .catch((e: unknown) => e);
    expect(isBackupReadError(foreign) && foreign.code).toBe('NotABackup');
    // Its properties, as the store gives them on this thread; none for a blob that is not there.
    expect(await threads.blobProperties(store.root, 'Sales/notes.bak')).toEqual(
      await store.properties('Sales/notes.bak'),
    );
    expect(await threads.blobProperties(store.root, 'Sales/gone.bak')).toBeNull();
    const missing = await threads
      .readBlobMedia(store.root, 'Sales/gone.bak')
      .catch((e: unknown) => e);
    expect(isBackupReadError(missing)).toBe(false);
    expect(isBlobStoreError(missing) && missing.code).toBe('BlobNotFound');
  });

  it('fails the reads under way when the thread is closed', async () => {
    const read = expect(threads.readHeaders(corpusFile(corpus[0] ?? ''))).rejects.toThrow(/closed/);
    await threads.close();
    await read;
    await expect(threads.readHeaders(corpusFile(corpus[0] ?? ''))).rejects.toThrow(/closed/);
  });
});
