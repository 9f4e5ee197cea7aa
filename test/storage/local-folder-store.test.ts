import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  LocalFolderBlobStore,
  type LocalFileHandle,
  type LocalStoreFs,
} from '../../src/storage/index.js';
import {
  bytesOf,
  concat,
  describeBlobStoreConformance,
  md5Of,
  readAll,
  upload,
} from './blob-store-conformance.js';

async function tempFolder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sqlmig-blob-'));
}

describeBlobStoreConformance('LocalFolderBlobStore', async () => {
  const folder = await tempFolder();
  return {
    store: new LocalFolderBlobStore(folder),
    reopen: () => new LocalFolderBlobStore(folder),
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
});

/** Every file under `folder`, relative, with `/`: what the store left on the disk. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(folder.length + 1)
        .replaceAll('\\', '/'),
    )
    .sort();
}

function ioError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated failure, write`), { code, syscall: 'write' });
}

/**
 * `node:fs/promises`, except that writes to files whose path passes `failing` throw `code` once
 * `allowedBytes` have been written: a disk filling up (ENOSPC), a quota (EDQUOT), a dying disk (EIO).
 */
function failingFs(code: string, failing: (path: string) => boolean, allowedBytes = 0) {
  let written = 0;
  const fs: LocalStoreFs = {
    ...nodeFs,
    async open(path, flags) {
      const handle = await nodeFs.open(path, flags);
      if (!failing(path)) return handle;
      const wrapped: LocalFileHandle = {
        read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
        async write(buffer, offset, length, position) {
          if (written + length > allowedBytes) throw ioError(code);
          written += length;
          return handle.write(buffer, offset, length, position);
        },
        stat: () => handle.stat(),
        truncate: (length) => handle.truncate(length),
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
      return wrapped;
    },
  };
  return fs;
}

/** `node:fs/promises`, counting the reads of sidecar files (`.sqlmig-meta/…`). */
function sidecarCountingFs() {
  const reads = { sidecar: 0 };
  const fs: LocalStoreFs = {
    ...nodeFs,
    readFile(path, encoding) {
      if (path.includes(`${sep}.sqlmig-meta${sep}`)) reads.sidecar += 1;
      return nodeFs.readFile(path, encoding);
    },
  };
  return { fs, reads };
}

/** `node:fs/promises`, counting the staged block files opened for reading (a commit reading them back). */
function blockReadCountingFs() {
  const opened = { blocks: 0 };
  const fs: LocalStoreFs = {
    ...nodeFs,
    open(path, flags) {
      if (path.endsWith('.block') && flags === 'r') opened.blocks += 1;
      return nodeFs.open(path, flags);
    },
  };
  return { fs, opened };
}

/** The one staged block file of the only blob with staged blocks. */
async function onlyStagedFile(folder: string): Promise<string> {
  const blocks = (await filesUnder(folder)).filter((f) => f.endsWith('.block'));
  expect(blocks).toHaveLength(1);
  return join(folder, ...(blocks[0] ?? '').split('/'));
}

describe('LocalFolderBlobStore on disk', () => {
  let folder: string;
  let store: LocalFolderBlobStore;
  beforeEach(async () => {
    folder = await tempFolder();
    store = new LocalFolderBlobStore(folder);
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('stores a committed blob as a plain file at its name', async () => {
    const [a, b] = [bytesOf(100, 1), bytesOf(200, 2)];
    await upload(store, 'Sales/full.bak', a, b);
    expect(new Uint8Array(await readFile(join(folder, 'Sales', 'full.bak')))).toEqual(concat(a, b));
    expect(store.description).toBe(`local folder ${folder}`);
  });

  it('refuses a range that is not whole numbers; closing twice is harmless', async () => {
    await upload(store, 'r.bak', bytesOf(10, 1));
    const source = await store.openRead('r.bak');
    expect(source.name).toBe(join(folder, 'r.bak'));
    for (const [offset, length] of [
      [-1, 5],
      [0, 1.5],
      [Number.NaN, 1],
    ] as const) {
      await expect(source.read(offset, length)).rejects.toMatchObject({ code: 'InvalidArgument' });
    }
    await source.close();
    await source.close();
  });

  it('keeps staged blocks on disk, and ignores a block whose writing was cut short', async () => {
    await store.stageBlock('Sales/full.bak', 'a', bytesOf(10, 1));
    await store.stageBlock('Sales/full.bak', 'b', bytesOf(20, 2));
    // A process killed while writing block "c" leaves its temporary file behind; and a block file
    // of another name in the staging folder is no block of this blob.
    const [blockFile] = await readdir(join(folder, '.sqlmig-staging'));
    await writeFile(join(folder, '.sqlmig-tmp', 'cut-short.tmp'), 'xx');
    await writeFile(join(folder, '.sqlmig-staging', 'cut-short.tmp'), 'xx');
    await writeFile(join(folder, '.sqlmig-staging', `0${(blockFile ?? '').slice(1)}`), 'xx');
    const restarted = new LocalFolderBlobStore(folder);
    expect(await restarted.stagedBlocks('Sales/full.bak')).toEqual([
      { id: 'a', size: 10 },
      { id: 'b', size: 20 },
    ]);
    await restarted.stageBlock('Sales/full.bak', 'c', bytesOf(30, 3));
    expect((await restarted.stagedBlocks('Sales/full.bak')).map((s) => s.id)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('moves a block staged again to the end, leaving one file for it', async () => {
    await store.stageBlock('x.bak', 'a', bytesOf(10, 1));
    await store.stageBlock('x.bak', 'b', bytesOf(20, 2));
    await store.stageBlock('x.bak', 'a', bytesOf(30, 3));
    expect(await new LocalFolderBlobStore(folder).stagedBlocks('x.bak')).toEqual([
      { id: 'b', size: 20 },
      { id: 'a', size: 30 },
    ]);
    expect((await filesUnder(folder)).filter((f) => f.endsWith('.block'))).toHaveLength(2);
  });

  it('writes everything when the file system writes less than asked', async () => {
    const short: LocalStoreFs = {
      ...nodeFs,
      async open(path, flags) {
        const handle = await nodeFs.open(path, flags);
        return {
          read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
          write: (buffer, offset, length, position) =>
            handle.write(buffer, offset, Math.min(length, 999), position),
          stat: () => handle.stat(),
          truncate: (length) => handle.truncate(length),
          sync: () => handle.sync(),
          close: () => handle.close(),
        };
      },
    };
    const shortStore = new LocalFolderBlobStore(folder, { fs: short });
    const [a, b] = [bytesOf(10_000, 1), bytesOf(5_000, 2)];
    await upload(shortStore, 'short.bak', a, b);
    expect(await readAll(store, 'short.bak')).toEqual(concat(a, b));
  });

  it('loses no block staged at the same time as others', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `b${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id, i) => store.stageBlock('p.bak', id, bytesOf(10 + i, i))));
    const staged = await new LocalFolderBlobStore(folder).stagedBlocks('p.bak');
    expect(staged.map((s) => s.id).sort()).toEqual(ids);
    expect(new Set(staged.map((s) => s.id)).size).toBe(20);
  });

  it('refuses a commit whose content does not have the MD5 given, changing nothing', async () => {
    await upload(store, 'Sales/full.bak', bytesOf(10, 1));
    await store.stageBlock('Sales/full.bak', 'a', bytesOf(50, 2));
    await expect(
      store.commitBlocks('Sales/full.bak', ['a'], { contentMd5: md5Of(bytesOf(50, 3)) }),
    ).rejects.toMatchObject({
      code: 'ContentMismatch',
      message: expect.stringContaining(md5Of(bytesOf(50, 2))) as unknown,
    });
    expect(await readAll(store, 'Sales/full.bak')).toEqual(bytesOf(10, 1));
    expect(await store.stagedBlocks('Sales/full.bak')).toEqual([{ id: 'a', size: 50 }]);
    expect(await readdir(join(folder, '.sqlmig-tmp'))).toEqual([]);
  });

  it('records the MD5 it computed when the commit gives none', async () => {
    await store.stageBlock('x.bak', 'a', bytesOf(10, 1));
    const committed = await store.commitBlocks('x.bak', ['a']);
    expect(committed.contentMd5).toBe(md5Of(bytesOf(10, 1)));
    expect(await store.properties('x.bak')).toEqual(committed);
  });

  it('commits one block by moving its staged file into place, without reading it back', async () => {
    const { fs, opened } = blockReadCountingFs();
    const counted = new LocalFolderBlobStore(folder, { fs });
    const content = bytesOf(70_000, 1);
    await counted.stageBlock('Sales/log1.trn', '000000', content);
    const staged = await stat(await onlyStagedFile(folder));
    const committed = await counted.commitBlocks('Sales/log1.trn', ['000000'], {
      contentMd5: md5Of(content),
      metadata: { sourceFile: 'log1.trn' },
    });
    expect(opened.blocks).toBe(0); // its MD5 was taken as it was staged
    const placed = await stat(join(folder, 'Sales', 'log1.trn'));
    if (process.platform !== 'win32') expect(placed.ino).toBe(staged.ino); // renamed, not copied
    expect(await readAll(counted, 'Sales/log1.trn')).toEqual(content);
    expect(committed).toMatchObject({ size: 70_000, contentMd5: md5Of(content) });
    expect(await new LocalFolderBlobStore(folder).properties('Sales/log1.trn')).toEqual(committed);
    expect((await filesUnder(folder)).filter((f) => !f.startsWith('.sqlmig-meta/'))).toEqual([
      'Sales/log1.trn',
    ]);
  });

  it("joins several blocks onto the first one's file, trusting the digests it was given", async () => {
    const { fs, opened } = blockReadCountingFs();
    const counted = new LocalFolderBlobStore(folder, { fs });
    const [a, b] = [bytesOf(300_000, 1), bytesOf(5_000, 2)];
    await counted.stageBlock('Sales/full.bak', 'a', a, { contentMd5: md5Of(a) });
    const first = await stat(await onlyStagedFile(folder));
    await counted.stageBlock('Sales/full.bak', 'b', b, { contentMd5: md5Of(b) });
    const committed = await counted.commitBlocks('Sales/full.bak', ['a', 'b'], {
      contentMd5: md5Of(a, b),
    });
    expect(opened.blocks).toBe(1); // b, to append it; a's bytes are neither read nor copied
    const placed = await stat(join(folder, 'Sales', 'full.bak'));
    if (process.platform !== 'win32') expect(placed.ino).toBe(first.ino);
    expect(committed).toMatchObject({ size: 305_000, contentMd5: md5Of(a, b) });
    expect(md5Of(await readAll(counted, 'Sales/full.bak'))).toBe(md5Of(a, b));
    expect((await filesUnder(folder)).filter((f) => !f.startsWith('.sqlmig-meta/'))).toEqual([
      'Sales/full.bak',
    ]);
  });

  it('hashes blocks given with their digests when the commit gives no MD5 for the whole', async () => {
    const [a, b] = [bytesOf(3000, 1), bytesOf(10, 2)];
    await store.stageBlock('x.bak', 'a', a, { contentMd5: md5Of(a) });
    await store.stageBlock('x.bak', 'b', b, { contentMd5: md5Of(b) });
    expect(await store.commitBlocks('x.bak', ['a', 'b'])).toMatchObject({
      contentMd5: md5Of(a, b),
    });
  });

  it('gives the first block back when a join fails, so that the next commit finds it', async () => {
    const [a, b] = [bytesOf(4000, 1), bytesOf(2000, 2)];
    await store.stageBlock('x.bak', 'a', a);
    await store.stageBlock('x.bak', 'b', b);
    const failing = new LocalFolderBlobStore(folder, {
      fs: failingFs('EIO', (path) => path.includes('.sqlmig-tmp'), 1000),
    });
    await expect(failing.commitBlocks('x.bak', ['a', 'b'])).rejects.toMatchObject({
      code: 'StorageFailed',
    });
    expect(await store.stagedBlocks('x.bak')).toEqual([
      { id: 'a', size: 4000 },
      { id: 'b', size: 2000 },
    ]);
    expect(await readdir(join(folder, '.sqlmig-tmp'))).toEqual([]);
    expect(await store.commitBlocks('x.bak', ['a', 'b'])).toMatchObject({
      size: 6000,
      contentMd5: md5Of(a, b),
    });
    expect(await readAll(store, 'x.bak')).toEqual(concat(a, b));
  });

  it('hashes a block at commit when this instance did not stage it (a restart)', async () => {
    const content = bytesOf(5000, 2);
    await store.stageBlock('x.bak', 'a', content);
    const { fs, opened } = blockReadCountingFs();
    const restarted = new LocalFolderBlobStore(folder, { fs });
    await expect(
      restarted.commitBlocks('x.bak', ['a'], { contentMd5: md5Of(bytesOf(5000, 3)) }),
    ).rejects.toMatchObject({ code: 'ContentMismatch' });
    expect(await restarted.stagedBlocks('x.bak')).toEqual([{ id: 'a', size: 5000 }]);
    expect(await restarted.commitBlocks('x.bak', ['a'])).toMatchObject({
      contentMd5: md5Of(content),
    });
    expect(opened.blocks).toBe(2);
    expect(await readAll(store, 'x.bak')).toEqual(content);
  });

  it('records the MD5 of blocks joined in staging order and in another order', async () => {
    const [a, b, c] = [bytesOf(3000, 1), bytesOf(4000, 2), bytesOf(10, 3)];
    for (const [id, bytes] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      await store.stageBlock('in-order.bak', id, bytes);
      await store.stageBlock('other-order.bak', id, bytes);
    }
    const inOrder = await store.commitBlocks('in-order.bak', ['a', 'b', 'c']);
    expect(inOrder).toMatchObject({ size: 7010, contentMd5: md5Of(a, b, c) });
    expect(await store.commitBlocks('other-order.bak', ['b', 'a'])).toMatchObject({
      size: 7000,
      contentMd5: md5Of(b, a),
    });
    expect(await readAll(store, 'in-order.bak')).toEqual(concat(a, b, c));
    expect(await readAll(store, 'other-order.bak')).toEqual(concat(b, a));
  });

  it.each([
    ['rewritten at another size', 'resized'],
    ['rewritten in place at the same size', 'same size'],
  ] as const)(
    'refuses to commit a staged block %s after it was staged (ContentMismatch)',
    async (_, how) => {
      await upload(store, 'Sales/full.bak', bytesOf(10, 1));
      const [a, b] = [bytesOf(2000, 2), bytesOf(3000, 3)];
      await store.stageBlock('Sales/full.bak', 'a', a);
      const file = await onlyStagedFile(folder);
      await store.stageBlock('Sales/full.bak', 'b', b);
      const before = await stat(file);
      await writeFile(file, bytesOf(how === 'resized' ? 1999 : 2000, 9));
      // The store sees a change through the file's stats; a clock coarser than this test's two
      // writes could leave the modification time equal, so it is moved on as time would.
      await utimes(file, before.atime, new Date(before.mtimeMs + 10_000));
      for (const ids of [['a'], ['a', 'b']]) {
        const expected = ids.length === 1 ? md5Of(a) : md5Of(a, b);
        await expect(
          store.commitBlocks('Sales/full.bak', ids, { contentMd5: expected }),
        ).rejects.toMatchObject({ code: 'ContentMismatch' });
      }
      expect(await readAll(store, 'Sales/full.bak')).toEqual(bytesOf(10, 1));
      expect((await store.stagedBlocks('Sales/full.bak')).map((s) => s.id)).toEqual(['a', 'b']);
      expect(await store.properties('Sales/full.bak')).toMatchObject({
        size: 10,
        contentMd5: md5Of(bytesOf(10, 1)),
      });
    },
  );

  it('lists no staging, sidecar or temporary file; a file put there by hand is a blob', async () => {
    await upload(store, 'Sales/full.bak', bytesOf(10, 1));
    await store.stageBlock('Sales/log.trn', 'a', bytesOf(10, 2));
    await mkdir(join(folder, 'HR'));
    await writeFile(join(folder, 'HR', 'copied.bak'), 'abc');
    await writeFile(join(folder, 'HR', 'back\\slash.bak'), 'abc'); // no blob can have that name
    expect(await store.list('')).toMatchObject([
      { name: 'HR/copied.bak', size: 3, contentMd5: null, metadata: {} },
      { name: 'Sales/full.bak', size: 10, contentMd5: md5Of(bytesOf(10, 1)) },
    ]);
    expect(await store.list('.sqlmig-')).toEqual([]);
    await expect(store.list('.sqlmig-staging/')).resolves.toEqual([]);
    expect(await filesUnder(folder)).toContainEqual(expect.stringMatching(/^\.sqlmig-meta\//));
  });

  it('lists again without reading a sidecar while the blobs are unchanged', async () => {
    const { fs, reads } = sidecarCountingFs();
    const counted = new LocalFolderBlobStore(folder, { fs });
    await upload(counted, 'Sales/full.bak', bytesOf(100, 1));
    await upload(counted, 'Sales/log1.trn', bytesOf(50, 2));
    const expected = [
      { name: 'Sales/full.bak', size: 100, contentMd5: md5Of(bytesOf(100, 1)) },
      { name: 'Sales/log1.trn', size: 50, contentMd5: md5Of(bytesOf(50, 2)) },
    ];
    const before = reads.sidecar;
    for (let i = 0; i < 3; i += 1) expect(await counted.list('Sales/')).toMatchObject(expected);
    expect(await counted.properties('Sales/full.bak')).toMatchObject(expected[0] ?? {});
    // Committed through this instance: it knows the properties without reading them back.
    expect(reads.sidecar).toBe(before);
  });

  it('sees the new properties of a blob another process rewrote or deleted', async () => {
    const { fs, reads } = sidecarCountingFs();
    const reader = new LocalFolderBlobStore(folder, { fs });
    const other = new LocalFolderBlobStore(folder); // another process on the same folder
    await upload(other, 'Sales/full.bak', bytesOf(100, 1));
    await upload(other, 'Sales/log1.trn', bytesOf(50, 2));
    expect(await reader.list('Sales/')).toMatchObject([
      { name: 'Sales/full.bak', size: 100, contentMd5: md5Of(bytesOf(100, 1)), metadata: {} },
      { name: 'Sales/log1.trn', size: 50 },
    ]);
    expect(reads.sidecar).toBe(2);
    await reader.list('Sales/');
    expect(reads.sidecar).toBe(2);

    // Rewritten at the same size, with other bytes and metadata: its file's identity changed.
    const next = bytesOf(100, 3);
    await other.stageBlock('Sales/full.bak', 'a', next);
    await other.commitBlocks('Sales/full.bak', ['a'], {
      contentMd5: md5Of(next),
      metadata: { round: '2' },
    });
    expect(await reader.list('Sales/')).toMatchObject([
      { name: 'Sales/full.bak', size: 100, contentMd5: md5Of(next), metadata: { round: '2' } },
      { name: 'Sales/log1.trn', size: 50, contentMd5: md5Of(bytesOf(50, 2)) },
    ]);
    expect(reads.sidecar).toBe(3); // the rewritten blob's only
    expect(await reader.properties('Sales/full.bak')).toMatchObject({ metadata: { round: '2' } });

    await other.delete('Sales/log1.trn');
    expect((await reader.list('Sales/')).map((p) => p.name)).toEqual(['Sales/full.bak']);
    expect(await reader.properties('Sales/log1.trn')).toBeNull();
    await upload(other, 'Sales/log1.trn', bytesOf(60, 4));
    expect(await reader.properties('Sales/log1.trn')).toMatchObject({
      size: 60,
      contentMd5: md5Of(bytesOf(60, 4)),
    });
    expect(reads.sidecar).toBe(4);
  });

  it.skipIf(process.platform === 'win32')(
    'lets a reader that opened the old blob keep reading it across a commit',
    async () => {
      const [old, next] = [bytesOf(3000, 1), bytesOf(5000, 2)];
      await upload(store, 'r.bak', old);
      const reader = await store.openRead('r.bak');
      try {
        expect(await reader.read(0, 1000)).toEqual(old.subarray(0, 1000));
        await upload(store, 'r.bak', next);
        expect(await reader.read(1000, 5000)).toEqual(old.subarray(1000));
        expect(await readAll(store, 'r.bak')).toEqual(next);
      } finally {
        await reader.close();
      }
    },
  );

  it('refuses names the store keeps for itself or that a disk cannot hold', async () => {
    for (const name of ['.sqlmig-staging/x.bak', '.SQLMIG-meta', `a/${'é'.repeat(128)}.bak`]) {
      await expect(store.stageBlock(name, 'a', new Uint8Array(1))).rejects.toMatchObject({
        code: 'InvalidBlobName',
      });
    }
  });

  it('reports a conflict between a blob and a folder of blobs of the same name', async () => {
    await upload(store, 'a', bytesOf(1, 1));
    await store.stageBlock('a/b.bak', 'x', bytesOf(1, 2));
    await expect(store.commitBlocks('a/b.bak', ['x'])).rejects.toMatchObject({
      code: 'NameConflict',
      message: expect.stringContaining('the blob "a" exists') as unknown,
    });
    expect(await store.stagedBlocks('a/b.bak')).toHaveLength(1);
    await upload(store, 'd/x.bak', bytesOf(1, 3));
    await store.stageBlock('d', 'x', bytesOf(1, 4));
    await expect(store.commitBlocks('d', ['x'])).rejects.toMatchObject({ code: 'NameConflict' });
    expect(await store.properties('d')).toBeNull();
    await expect(store.openRead('d')).rejects.toMatchObject({ code: 'BlobNotFound' });
    await store.delete('d/x.bak');
    await store.commitBlocks('d', ['x']);
    expect(await readAll(store, 'd')).toEqual(bytesOf(1, 4));
  });

  it('removes the blob, its sidecar, its staged blocks and emptied folders on delete', async () => {
    await upload(store, 'Sales/2024/full.bak', bytesOf(10, 1));
    await store.stageBlock('Sales/2024/full.bak', 'next', bytesOf(10, 2));
    await store.delete('Sales/2024/full.bak');
    expect(await filesUnder(folder)).toEqual([]);
    expect(await readdir(folder)).not.toContain('Sales');
  });

  it.each(['ENOSPC', 'EDQUOT'])(
    'gives StorageFull on %s while staging, keeping the blocks staged before',
    async (code) => {
      await store.stageBlock('Sales/full.bak', 'a', bytesOf(100, 1));
      const full = new LocalFolderBlobStore(folder, { fs: failingFs(code, () => true) });
      const failure = full.stageBlock('Sales/full.bak', 'b', bytesOf(100, 2));
      await expect(failure).rejects.toMatchObject({
        code: 'StorageFull',
        blobName: 'Sales/full.bak',
      });
      await expect(failure).rejects.toThrow(`the disk holding ${folder}`);
      await expect(failure).rejects.toThrow('Nothing was lost');
      expect(await full.stagedBlocks('Sales/full.bak')).toEqual([{ id: 'a', size: 100 }]);
      expect((await filesUnder(folder)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
  );

  it('gives StorageFull when the disk fills while committing, keeping blocks and old blob', async () => {
    await upload(store, 'Sales/full.bak', bytesOf(10, 1));
    // The join takes block a's file and appends b to it: the disk fills during b, and a's file is
    // given back as it was.
    const [a, b] = [bytesOf(1024, 2), bytesOf(3 * 1024 * 1024, 3)];
    await store.stageBlock('Sales/full.bak', 'a', a);
    await store.stageBlock('Sales/full.bak', 'b', b);
    const tempFiles = (path: string) => path.includes('.sqlmig-tmp');
    const full = new LocalFolderBlobStore(folder, {
      fs: failingFs('ENOSPC', tempFiles, 2 * 1024 * 1024),
    });
    await expect(full.commitBlocks('Sales/full.bak', ['a', 'b'])).rejects.toMatchObject({
      code: 'StorageFull',
      message: expect.stringContaining('staged blocks are kept') as unknown,
    });
    expect(await readAll(store, 'Sales/full.bak')).toEqual(bytesOf(10, 1));
    expect(await store.stagedBlocks('Sales/full.bak')).toHaveLength(2);
    expect(await readdir(join(folder, '.sqlmig-tmp'))).toEqual([]);
    await store.commitBlocks('Sales/full.bak', ['a', 'b'], { contentMd5: md5Of(a, b) });
    // Compared by MD5: comparing 3 MiB element by element takes the matcher seconds.
    expect(md5Of(await readAll(store, 'Sales/full.bak'))).toBe(md5Of(a, b));
  });

  it('removes the temporary files an earlier process left, never one being written now', async () => {
    await expect(store.removeLeftovers()).resolves.toBe(0); // no temporary folder yet
    await store.stageBlock('x.bak', 'a', bytesOf(10, 1));
    const temp = join(folder, '.sqlmig-tmp');
    await mkdir(temp, { recursive: true });
    await writeFile(join(temp, 'killed-mid-join.tmp'), 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(temp, 'killed-mid-join.tmp'), hourAgo, hourAgo);
    const restarted = new LocalFolderBlobStore(folder);
    // Written after the store was made: another instance's write in progress.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writeFile(join(temp, 'in-progress.tmp'), 'partial');
    await expect(restarted.removeLeftovers()).resolves.toBe(1);
    expect(await readdir(temp)).toEqual(['in-progress.tmp']);
    expect(await restarted.stagedBlocks('x.bak')).toEqual([{ id: 'a', size: 10 }]);
  });

  it('gives StorageFailed, with the cause, for other I/O errors', async () => {
    const failing = new LocalFolderBlobStore(folder, { fs: failingFs('EIO', () => true) });
    const failure = failing.stageBlock('x.bak', 'a', new Uint8Array(10));
    await expect(failure).rejects.toMatchObject({
      code: 'StorageFailed',
      cause: { code: 'EIO' },
      message: expect.stringContaining(folder) as unknown,
    });
  });
});
