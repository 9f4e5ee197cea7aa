/**
 * The in-process integration runtime: interrupted uploads resume from the staged blocks, a blob
 * already committed from the same bytes is not written again, a changed file is uploaded anew;
 * listings stat only the files asked about; watching a folder is a hint that never fails.
 */
import { createHash, randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LocalFolderSource } from '../../src/runtime/index.js';
import { LocalFolderBlobStore, type BlobStore } from '../../src/storage/index.js';

/** The paths `stat`, `lstat` and `readdir` were called on (`node:fs/promises` is wrapped here). */
const statted = vi.hoisted(() => new Array<string>());
const lstatted = vi.hoisted(() => new Array<string>());
const readFolders = vi.hoisted(() => new Array<string>());
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const stat = (path: string) => {
    statted.push(path);
    return actual.stat(path);
  };
  const lstat = (path: string) => {
    lstatted.push(path);
    return actual.lstat(path);
  };
  const readdir = (...args: Parameters<typeof actual.readdir>) => {
    readFolders.push(String(args[0]));
    return actual.readdir(...args);
  };
  return { ...actual, stat, lstat, readdir };
});

const blockBytes = 64 * 1024;
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

/** A store that counts staged blocks and fails the staging after `failAfter` of them (a crash). */
function countingStore(inner: BlobStore, failAfter = Infinity): BlobStore & { staged: number } {
  const counter = {
    staged: 0,
    description: inner.description,
    list: inner.list.bind(inner),
    properties: inner.properties.bind(inner),
    openRead: inner.openRead.bind(inner),
    stagedBlocks: inner.stagedBlocks.bind(inner),
    commitBlocks: inner.commitBlocks.bind(inner),
    delete: inner.delete.bind(inner),
    async stageBlock(name: string, id: string, data: Uint8Array) {
      if (counter.staged >= failAfter) throw new Error('the process died here');
      counter.staged += 1;
      await inner.stageBlock(name, id, data);
    },
  };
  return counter;
}

describe('LocalFolderSource uploads', () => {
  let root = '';
  let store: LocalFolderBlobStore;
  let source: LocalFolderSource;
  // 21 blocks: the last, half a block, is too large to ride with the one before (`blockLength`).
  const content = randomBytes(20 * blockBytes + blockBytes / 2);
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqlmig-runtime-'));
    store = new LocalFolderBlobStore(join(root, 'blobs'));
    source = new LocalFolderSource(join(root, 'share'), { blockSizeBytes: blockBytes });
    await mkdir(join(root, 'share'));
    await writeFile(join(root, 'share', 'full.bak'), content);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('resumes an interrupted upload from the blocks already staged', async () => {
    const dying = countingStore(store, 7);
    await expect(
      source.upload('full.bak', dying, 'Sales/full.bak', () => undefined),
    ).rejects.toThrow(/died/);
    const again = countingStore(store);
    const outcome = await source.upload('full.bak', again, 'Sales/full.bak', () => undefined);
    expect(again.staged).toBe(21 - 7);
    expect(outcome.dataRead).toBe(content.length);
    expect(outcome.dataWritten).toBe(content.length - 7 * blockBytes);
    expect(md5(await readFile(join(root, 'blobs', 'Sales', 'full.bak')))).toBe(md5(content));
  });

  it.each([
    // [file, its size, blocks staged before the crash, blocks in all, bytes written on resuming]
    ['a block and a few bytes, staged as one', blockBytes + 5, 1, 1, 0],
    ['three blocks and a few bytes, two staged', 3 * blockBytes + 5, 2, 3, blockBytes + 5],
    // The last block, larger than the others, does not pass for the block size.
    ['three blocks and a few bytes, all staged', 3 * blockBytes + 5, 3, 3, 0],
  ])(
    'resumes a file of %s from the blocks already staged',
    async (_, size, stagedBefore, blocks, written) => {
      const file = randomBytes(size);
      await writeFile(join(root, 'share', 'odd.bak'), file);
      // The commit fails after every block was staged (or after some): the blocks stay staged.
      const dying = countingStore(store, stagedBefore);
      const failing: BlobStore = {
        ...dying,
        stageBlock: dying.stageBlock.bind(dying),
        commitBlocks: () => Promise.reject(new Error('the process died here')),
      };
      await expect(
        source.upload('odd.bak', failing, 'Sales/odd.bak', () => undefined),
      ).rejects.toThrow(/died/);
      const again = countingStore(store);
      const outcome = await source.upload('odd.bak', again, 'Sales/odd.bak', () => undefined);
      expect(again.staged).toBe(blocks - stagedBefore);
      expect(outcome.dataWritten).toBe(written);
      expect(md5(await readFile(join(root, 'blobs', 'Sales', 'odd.bak')))).toBe(md5(file));
    },
  );

  it('writes nothing when the blob already holds the file (committed before a crash)', async () => {
    await source.upload('full.bak', store, 'Sales/full.bak', () => undefined);
    const again = countingStore(store);
    const outcome = await source.upload('full.bak', again, 'Sales/full.bak', () => undefined);
    expect(again.staged).toBe(0);
    expect(outcome).toMatchObject({
      dataRead: content.length,
      dataWritten: 0,
      contentMd5: md5(content),
    });
  });

  it('on a first attempt, looks for neither staged blocks nor a committed blob', async () => {
    await source.upload('full.bak', store, 'Sales/full.bak', () => undefined);
    const again = countingStore(store);
    const outcome = await source.upload(
      'full.bak',
      again,
      'Sales/full.bak',
      () => undefined,
      undefined,
      { firstAttempt: true },
    );
    expect(again.staged).toBe(21);
    expect(outcome).toMatchObject({ dataWritten: content.length, contentMd5: md5(content) });
    expect(md5(await readFile(join(root, 'blobs', 'Sales', 'full.bak')))).toBe(md5(content));
  });

  it('uploads a file again when the blob holds other bytes', async () => {
    await source.upload('full.bak', store, 'Sales/full.bak', () => undefined);
    const changed = Buffer.from(content);
    changed[5] = (changed[5] ?? 0) ^ 1;
    await writeFile(join(root, 'share', 'full.bak'), changed);
    const again = countingStore(store);
    const outcome = await source.upload('full.bak', again, 'Sales/full.bak', () => undefined);
    expect(again.staged).toBe(21);
    expect(outcome.dataWritten).toBe(changed.length);
    expect(md5(await readFile(join(root, 'blobs', 'Sales', 'full.bak')))).toBe(md5(changed));
  });

  it('never reuses a staged block whose bytes changed (a store that does not check the blob MD5)', async () => {
    // The Azure store keeps whatever blob MD5 it is given; the block ids alone must prevent stale blocks.
    const unchecked: BlobStore = {
      ...countingStore(store),
      commitBlocks: (name, ids, options) =>
        store.commitBlocks(name, ids, {
          ...(options?.metadata ? { metadata: options.metadata } : {}),
        }),
    };
    await expect(
      source.upload('full.bak', countingStore(store, 5), 'Sales/full.bak', () => undefined),
    ).rejects.toThrow(/died/);
    const rewritten = randomBytes(content.length);
    await writeFile(join(root, 'share', 'full.bak'), rewritten);
    const outcome = await source.upload('full.bak', unchecked, 'Sales/full.bak', () => undefined);
    expect(outcome.dataWritten).toBe(rewritten.length);
    expect(md5(await readFile(join(root, 'blobs', 'Sales', 'full.bak')))).toBe(md5(rewritten));
  });

  it('checks the committed blob, and deletes one that does not hold the file', async () => {
    // A store whose commit keeps only the first block: the upload must not count as done.
    const faulty: BlobStore = {
      ...countingStore(store),
      commitBlocks: (name, ids) => store.commitBlocks(name, ids.slice(0, 1)),
    };
    const failure = source.upload('full.bak', faulty, 'Sales/full.bak', () => undefined);
    await expect(failure).rejects.toThrow(
      `full.bak: after the commit, ${store.description} reports ${blockBytes} bytes with MD5 ${md5(content.subarray(0, blockBytes))} for Sales/full.bak, not the ${content.length} bytes with MD5 ${md5(content)} uploaded. The blob was deleted; it is uploaded again.`,
    );
    expect(await store.properties('Sales/full.bak')).toBeNull();
    const outcome = await source.upload('full.bak', store, 'Sales/full.bak', () => undefined);
    expect(outcome.contentMd5).toBe(md5(content));
  });
});

describe('LocalFolderSource upload digests', () => {
  let root = '';
  let store: LocalFolderBlobStore;
  let source: LocalFolderSource;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqlmig-runtime-'));
    store = new LocalFolderBlobStore(join(root, 'blobs'));
    source = new LocalFolderSource(join(root, 'share'), { blockSizeBytes: blockBytes });
    await mkdir(join(root, 'share'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['an empty file', 0, 0],
    ['a file of one short block', 1000, 1],
    ['a file of exactly one block', blockBytes, 1],
    ['a file of three blocks', 2 * blockBytes + blockBytes / 2, 3],
    ['a file a few bytes over two blocks (they ride with the last)', 2 * blockBytes + 5, 2],
    ['a file a sixteenth of a block over one', blockBytes + blockBytes / 16, 1],
    ['a file a byte more than that', blockBytes + blockBytes / 16 + 1, 2],
  ])('uploads %s with its MD5', async (_, size, blocks) => {
    const content = randomBytes(size);
    await writeFile(join(root, 'share', 'f.bak'), content);
    const counted = countingStore(store);
    const outcome = await source.upload('f.bak', counted, 'Sales/f.bak', () => undefined);
    expect(counted.staged).toBe(blocks);
    expect(outcome).toMatchObject({ dataRead: size, dataWritten: size, contentMd5: md5(content) });
    expect(md5(await readFile(join(root, 'blobs', 'Sales', 'f.bak')))).toBe(md5(content));
    expect(await store.properties('Sales/f.bak')).toMatchObject({
      size,
      contentMd5: md5(content),
      metadata: { sourceFile: 'f.bak' },
    });
  });
});

describe('LocalFolderSource listing and watching', () => {
  let root = '';
  let share = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqlmig-runtime-'));
    share = join(root, 'share');
    await mkdir(join(share, 'sub'), { recursive: true });
    for (const name of ['a.bak', 'b.trn', 'sub/c.trn', '.hidden']) {
      await writeFile(join(share, ...name.split('/')), name);
    }
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists every file without a predicate', async () => {
    const files = await new LocalFolderSource(share).list();
    expect(files.map((f) => [f.name, f.size])).toEqual([
      ['a.bak', 5],
      ['b.trn', 5],
      ['sub/c.trn', 9],
    ]);
    expect(files[0]?.modifiedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('asks the predicate about each file found, and stats only the files it wants', async () => {
    const asked: string[] = [];
    statted.length = 0;
    const files = await new LocalFolderSource(share).list((name) => {
      asked.push(name);
      return name !== 'b.trn';
    });
    expect(files.map((f) => f.name)).toEqual(['a.bak', 'sub/c.trn']);
    expect(asked.sort()).toEqual(['a.bak', 'b.trn', 'sub/c.trn']);
    expect(statted.map((p) => p.slice(share.length + 1).replaceAll('\\', '/')).sort()).toEqual([
      'a.bak',
      'sub/c.trn',
    ]);
  });

  it('leaves out a file removed between the listing and its stat', async () => {
    const files = await new LocalFolderSource(share).list((name) => {
      // Asked before the file is stat'ed: removing it here is a file removed in between.
      if (name === 'a.bak') unlinkSync(join(share, 'a.bak'));
      return true;
    });
    expect(files.map((f) => f.name)).not.toContain('a.bak');
    expect(files.map((f) => f.name)).toContain('b.trn');
  });

  it('looks at the named entries only, as the listing would show them', async () => {
    await writeFile(join(share, '.b.trn'), 'hidden');
    statted.length = 0;
    lstatted.length = 0;
    readFolders.length = 0;
    const files = await new LocalFolderSource(share).listNamed([
      'b.trn',
      'a.bak',
      'b.trn',
      'gone.trn',
      '.hidden',
      'sub/c.trn',
    ]);
    expect(files?.map((f) => [f.name, f.size])).toEqual([
      ['a.bak', 5],
      ['b.trn', 5],
    ]);
    // Each plain name looked at once; hidden names and paths into subfolders not at all; the
    // folder itself not read.
    const looked = lstatted.map((p) => p.slice(share.length + 1).replaceAll('\\', '/'));
    expect(looked.sort()).toEqual(['a.bak', 'b.trn', 'gone.trn']);
    expect(statted).toEqual([]);
    expect(readFolders).toEqual([]);
    const listed = await new LocalFolderSource(share).list();
    expect(files).toEqual(listed.filter((f) => f.name === 'a.bak' || f.name === 'b.trn'));
  });

  it('answers null for a named subfolder: its files are found by listing', async () => {
    expect(await new LocalFolderSource(share).listNamed(['a.bak', 'sub'])).toBeNull();
  });

  it('leaves out a named link, as the listing does', async () => {
    await symlink(join(share, 'a.bak'), join(share, 'link.bak'));
    const source = new LocalFolderSource(share);
    expect(await source.listNamed(['link.bak'])).toEqual([]);
    expect((await source.list()).map((f) => f.name)).not.toContain('link.bak');
  });

  /** Resolves with the entry of the watch's first call back; rejects after a generous delay. */
  function firstChange(source: LocalFolderSource): {
    changed: Promise<string | null>;
    close: () => void;
  } {
    let close: () => void = () => undefined;
    const changed = new Promise<string | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('no change reported in 10 s'));
      }, 10_000);
      close = source.watch((entry) => {
        clearTimeout(timer);
        resolve(entry);
      });
    });
    return { changed, close };
  }

  it('calls back with the entry when a file is created in the folder', async () => {
    const { changed, close } = firstChange(new LocalFolderSource(share));
    try {
      await writeFile(join(share, 'new.trn'), 'x');
      // Linux names the entry (inotify); the engine lists the folder when a system does not.
      expect(await changed).toBe('new.trn');
    } finally {
      close();
    }
  });

  it('calls back with the entry when a file is renamed into the folder', async () => {
    await writeFile(join(root, 'outside.trn'), 'x');
    const { changed, close } = firstChange(new LocalFolderSource(share));
    try {
      await rename(join(root, 'outside.trn'), join(share, 'moved.trn'));
      expect(await changed).toBe('moved.trn');
    } finally {
      close();
    }
  });

  it('does not throw watching a folder that does not exist; closing twice is fine', () => {
    const source = new LocalFolderSource(join(root, 'not-yet'));
    const close = source.watch(() => {
      throw new Error('never called');
    });
    close();
    close();
  });

  it('survives the folder being removed while watched, and a callback that throws', async () => {
    const calls: number[] = [];
    const close = new LocalFolderSource(share).watch(() => {
      calls.push(calls.length);
      throw new Error('a careless callback');
    });
    await writeFile(join(share, 'new.trn'), 'x');
    await rm(share, { recursive: true, force: true });
    await vi.waitFor(() => {
      expect(calls.length).toBeGreaterThan(0);
    }, 10_000);
    close();
    close();
  });
});
