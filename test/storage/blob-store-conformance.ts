/**
 * The behaviour every `BlobStore` shares, as one suite: the local folder store runs it now, and the
 * Azure Blob store will run the same tests against Azurite or a real container. Each test gets a fresh
 * store from `makeStore` (an empty folder, an empty container) and disposes of it afterwards.
 */
import { createHash } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { BlobStore } from '../../src/storage/index.js';
import { seededRandom } from '../support/seeded-random.js';

export interface BlobStoreFixture {
  readonly store: BlobStore;
  /** A second instance over the same storage, as a process started after a crash would create. */
  reopen(): BlobStore;
  dispose(): Promise<void>;
}

export const MiB = 1024 * 1024;

export function bytesOf(size: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = random.below(256);
  return bytes;
}

export function md5Of(...parts: Uint8Array[]): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest('base64');
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export async function readAll(store: BlobStore, name: string): Promise<Uint8Array> {
  const source = await store.openRead(name);
  try {
    return await source.read(0, source.size);
  } finally {
    await source.close();
  }
}

/** Stages each part as a block named `000000`, `000001`, … and commits them in that order. */
export async function upload(store: BlobStore, name: string, ...parts: Uint8Array[]) {
  const idOf = (i: number) => String(i).padStart(6, '0');
  for (const [i, part] of parts.entries()) await store.stageBlock(name, idOf(i), part);
  return store.commitBlocks(
    name,
    parts.map((_, i) => idOf(i)),
    { contentMd5: md5Of(...parts) },
  );
}

export const invalidNames: readonly [string, string][] = [
  ['empty', ''],
  ['a parent folder', '../escape.bak'],
  ['a parent folder inside', 'Sales/../../escape.bak'],
  ['a current folder', './Sales/full.bak'],
  ['an absolute path', '/etc/passwd'],
  ['a drive letter', 'C:/backups/full.bak'],
  ['an empty folder name', 'Sales//full.bak'],
  ['a trailing slash', 'Sales/'],
  ['a backslash', 'Sales\\full.bak'],
  ['a NUL', 'Sales/full\0.bak'],
  ['1,025 characters', 'x'.repeat(1025)],
];

/**
 * Where stores may differ because the storage behind them does. The defaults are the strictest
 * expectations (what the local folder store does); a store passes `false` only for what its storage
 * genuinely lacks, and the suite then checks the weaker behaviour exactly instead of skipping.
 */
export interface BlobStoreCapabilities {
  /**
   * A commit checks the content MD5 it is given against the committed bytes (`ContentMismatch`),
   * and records the MD5 it computed when given none. Azure Blob does neither: Put Block List stores
   * the MD5 it is given unchecked, and none when given none.
   */
  readonly checksContentMd5: boolean;
}

const strictest: BlobStoreCapabilities = { checksContentMd5: true };

export function describeBlobStoreConformance(
  name: string,
  makeStore: () => Promise<BlobStoreFixture>,
  capabilities: BlobStoreCapabilities = strictest,
): void {
  describe(`${name}: BlobStore conformance`, () => {
    let fixture: BlobStoreFixture;
    let store: BlobStore;
    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('commits staged blocks in the order given, with MD5 and metadata, and reads them back', async () => {
      const [a, b, c] = [bytesOf(1000, 1), bytesOf(70_000, 2), bytesOf(5, 3)];
      await store.stageBlock('Sales/full.bak', 'a', a);
      await store.stageBlock('Sales/full.bak', 'b', b);
      await store.stageBlock('Sales/full.bak', 'c', c);
      const committed = await store.commitBlocks('Sales/full.bak', ['c', 'a', 'b'], {
        contentMd5: md5Of(c, a, b),
        metadata: { sourceFile: 'full.bak', database: 'Sales' },
      });
      const expected = {
        name: 'Sales/full.bak',
        size: 71_005,
        contentMd5: md5Of(c, a, b),
        metadata: { sourceFile: 'full.bak', database: 'Sales' },
      };
      expect(committed).toMatchObject(expected);
      expect(await store.properties('Sales/full.bak')).toMatchObject(expected);
      expect((await store.properties('Sales/full.bak'))?.lastModified).toBeInstanceOf(Date);
      expect(await readAll(store, 'Sales/full.bak')).toEqual(concat(c, a, b));
      expect(await store.stagedBlocks('Sales/full.bak')).toEqual([]);
    });

    it('commits an empty blob, and a block used twice', async () => {
      expect(await store.commitBlocks('empty.bak', [])).toMatchObject({ size: 0 });
      expect(await readAll(store, 'empty.bak')).toEqual(new Uint8Array(0));
      const a = bytesOf(300, 4);
      await store.stageBlock('twice.bak', 'a', a);
      await store.commitBlocks('twice.bak', ['a', 'a']);
      expect(await readAll(store, 'twice.bak')).toEqual(concat(a, a));
    });

    it('reports staged blocks in staging order with sizes; staging an id again replaces it', async () => {
      await store.stageBlock('Sales/log.trn', 'block-2', bytesOf(20, 1));
      await store.stageBlock('Sales/log.trn', 'block-1', bytesOf(10, 2));
      await store.stageBlock('Sales/log.trn', 'block-3', bytesOf(30, 3));
      await store.stageBlock('Sales/log.trn', 'block-3', bytesOf(33, 4));
      const staged = await store.stagedBlocks('Sales/log.trn');
      expect(staged.slice(0, 2)).toEqual([
        { id: 'block-2', size: 20 },
        { id: 'block-1', size: 10 },
      ]);
      expect(staged.filter((b) => b.id === 'block-3')).toEqual([{ id: 'block-3', size: 33 }]);
      expect(await store.list('')).toEqual([]);
      expect(await store.properties('Sales/log.trn')).toBeNull();
    });

    it('resumes an upload after a restart from the blocks already staged', async () => {
      const [a, b, c] = [bytesOf(4096, 1), bytesOf(4096, 2), bytesOf(100, 3)];
      await store.stageBlock('HR/full.bak', '000000', a);
      await store.stageBlock('HR/full.bak', '000001', b);
      const restarted = fixture.reopen();
      expect(await restarted.stagedBlocks('HR/full.bak')).toEqual([
        { id: '000000', size: 4096 },
        { id: '000001', size: 4096 },
      ]);
      await restarted.stageBlock('HR/full.bak', '000002', c);
      await restarted.commitBlocks('HR/full.bak', ['000000', '000001', '000002'], {
        contentMd5: md5Of(a, b, c),
      });
      expect(await readAll(store, 'HR/full.bak')).toEqual(concat(a, b, c));
    });

    it('refuses a block that is not staged, changing nothing', async () => {
      await upload(store, 'Sales/full.bak', bytesOf(10, 1));
      await store.stageBlock('Sales/full.bak', 'a', bytesOf(50, 2));
      await expect(store.commitBlocks('Sales/full.bak', ['a', 'missing'])).rejects.toMatchObject({
        code: 'BlockNotFound',
        blobName: 'Sales/full.bak',
        message: expect.stringContaining('"missing"') as unknown,
      });
      expect(await store.properties('Sales/full.bak')).toMatchObject({ size: 10 });
      expect(await store.stagedBlocks('Sales/full.bak')).toEqual([{ id: 'a', size: 50 }]);
    });

    it(
      capabilities.checksContentMd5
        ? 'refuses a commit whose content is not the MD5 given, changing nothing'
        : 'stores the MD5 a commit gives without checking it (the caller must)',
      async () => {
        await upload(store, 'Sales/full.bak', bytesOf(10, 1));
        await store.stageBlock('Sales/full.bak', 'a', bytesOf(50, 2));
        const wrongMd5 = md5Of(bytesOf(50, 3));
        const commit = store.commitBlocks('Sales/full.bak', ['a'], { contentMd5: wrongMd5 });
        if (capabilities.checksContentMd5) {
          await expect(commit).rejects.toMatchObject({ code: 'ContentMismatch' });
          expect(await readAll(store, 'Sales/full.bak')).toEqual(bytesOf(10, 1));
          expect(await store.stagedBlocks('Sales/full.bak')).toEqual([{ id: 'a', size: 50 }]);
        } else {
          expect(await commit).toMatchObject({ size: 50, contentMd5: wrongMd5 });
          expect(await store.properties('Sales/full.bak')).toMatchObject({ contentMd5: wrongMd5 });
          expect(await readAll(store, 'Sales/full.bak')).toEqual(bytesOf(50, 2));
        }
      },
    );

    it('commits blocks staged with their MD5 given, one block or several', async () => {
      const only = bytesOf(3000, 7);
      await store.stageBlock('Sales/log1.trn', 'a', only, { contentMd5: md5Of(only) });
      expect(
        await store.commitBlocks('Sales/log1.trn', ['a'], { contentMd5: md5Of(only) }),
      ).toMatchObject({ size: 3000, contentMd5: md5Of(only) });
      expect(await readAll(store, 'Sales/log1.trn')).toEqual(only);
      const [a, b] = [bytesOf(5000, 8), bytesOf(70, 9)];
      await store.stageBlock('Sales/full.bak', 'a', a, { contentMd5: md5Of(a) });
      await store.stageBlock('Sales/full.bak', 'b', b, { contentMd5: md5Of(b) });
      await store.commitBlocks('Sales/full.bak', ['a', 'b'], { contentMd5: md5Of(a, b) });
      expect(await readAll(store, 'Sales/full.bak')).toEqual(concat(a, b));
    });

    it('never commits a block whose given MD5 is not its bytes under that MD5', async () => {
      // Azure refuses the block when it is staged; the local store takes the digest as given, so the
      // commit that names the block's real MD5 no longer matches it. Either way no such blob exists.
      const bytes = bytesOf(2000, 10);
      const attempt = async () => {
        await store.stageBlock('Sales/log2.trn', 'a', bytes, {
          contentMd5: md5Of(bytesOf(2000, 11)),
        });
        await store.commitBlocks('Sales/log2.trn', ['a'], { contentMd5: md5Of(bytes) });
      };
      await expect(attempt()).rejects.toMatchObject({ code: 'ContentMismatch' });
      expect(await store.properties('Sales/log2.trn')).toBeNull();
    });

    it('discards the staged blocks a commit does not use', async () => {
      await store.stageBlock('x.bak', 'used', bytesOf(10, 1));
      await store.stageBlock('x.bak', 'unused', bytesOf(10, 2));
      await store.commitBlocks('x.bak', ['used']);
      expect(await store.stagedBlocks('x.bak')).toEqual([]);
      await expect(store.commitBlocks('x.bak', ['unused'])).rejects.toMatchObject({
        code: 'BlockNotFound',
      });
    });

    it('never lists a blob part-committed while a large commit replaces it', async () => {
      await upload(store, 'big/data.bak', bytesOf(MiB, 1));
      const block = bytesOf(4 * MiB, 2);
      const ids = Array.from({ length: 8 }, (_, i) => `block-${i}`);
      for (const id of ids) await store.stageBlock('big/data.bak', id, block);
      const allowed = new Set([`${MiB}:${md5Of(bytesOf(MiB, 1))}`]);
      const newMd5 = capabilities.checksContentMd5 ? md5Of(...ids.map(() => block)) : 'none';
      allowed.add(`${8 * block.length}:${newMd5}`);
      const done = new AbortController();
      let lists = 0;
      const seen = new Set<string>();
      const watch = async () => {
        while (!done.signal.aborted || lists < 2) {
          const found = await store.list('big/');
          for (const p of found) seen.add(`${p.size}:${p.contentMd5 ?? 'none'}`);
          lists += 1;
        }
      };
      const watching = watch();
      await store.commitBlocks('big/data.bak', ids);
      done.abort();
      await watching;
      expect([...seen].filter((s) => !allowed.has(s))).toEqual([]);
      expect(await store.properties('big/data.bak')).toMatchObject({ size: 32 * MiB });
    });

    it('never reports properties that mix two commits', async () => {
      const [first, second] = [bytesOf(1000, 1), bytesOf(2000, 2)];
      const allowed = new Set([first, second].map((v) => `${v.length}:${md5Of(v)}`));
      await upload(store, 'flip.bak', first);
      const done = new AbortController();
      const seen = new Set<string>();
      const watching = (async () => {
        while (!done.signal.aborted) {
          const p = await store.properties('flip.bak');
          seen.add(`${p?.size ?? -1}:${p?.contentMd5 ?? 'none'}`);
        }
      })();
      for (let i = 1; i <= 20; i += 1) await upload(store, 'flip.bak', i % 2 ? second : first);
      done.abort();
      await watching;
      expect([...seen].filter((s) => !allowed.has(s))).toEqual([]);
    });

    it('lists committed blobs by prefix, sorted by name', async () => {
      for (const name of ['Sales/log2.trn', 'Sales/full.bak', 'Salesforce/full.bak', 'HR/a.bak']) {
        await upload(store, name, bytesOf(10, name.length));
      }
      await upload(store, 'Sales/2024/diff.bak', bytesOf(10, 9));
      await store.stageBlock('Sales/uploading.bak', 'a', bytesOf(10, 1));
      const names = async (prefix: string) => (await store.list(prefix)).map((p) => p.name);
      expect(await names('')).toEqual([
        'HR/a.bak',
        'Sales/2024/diff.bak',
        'Sales/full.bak',
        'Sales/log2.trn',
        'Salesforce/full.bak',
      ]);
      expect(await names('Sales/')).toEqual([
        'Sales/2024/diff.bak',
        'Sales/full.bak',
        'Sales/log2.trn',
      ]);
      expect(await names('Sales')).toHaveLength(4);
      expect(await names('Sales/lo')).toEqual(['Sales/log2.trn']);
      expect(await names('Nobody/')).toEqual([]);
    });

    it('has no properties for, and cannot open, a blob never committed', async () => {
      await store.stageBlock('staged-only.bak', 'a', bytesOf(10, 1));
      for (const name of ['absent.bak', 'staged-only.bak']) {
        expect(await store.properties(name)).toBeNull();
        await expect(store.openRead(name)).rejects.toMatchObject({ code: 'BlobNotFound' });
      }
    });

    it('reads ranges, returning fewer bytes at the end of the blob', async () => {
      const content = bytesOf(1000, 5);
      await upload(store, 'r.bak', content.subarray(0, 600), content.subarray(600));
      const source = await store.openRead('r.bak');
      try {
        expect(source.size).toBe(1000);
        expect(await source.read(590, 20)).toEqual(content.subarray(590, 610));
        expect(await source.read(990, 100)).toEqual(content.subarray(990));
        expect(await source.read(1000, 10)).toHaveLength(0);
        expect(await source.read(5000, 10)).toHaveLength(0);
        expect(await source.read(0, 0)).toHaveLength(0);
      } finally {
        await source.close();
      }
    });

    it('deletes a blob and its staged blocks, leaving its neighbours; deleting nothing is fine', async () => {
      await upload(store, 'Sales/full.bak', bytesOf(10, 1));
      await upload(store, 'Sales/log.trn', bytesOf(10, 2));
      await store.stageBlock('Sales/full.bak', 'next', bytesOf(10, 3));
      await store.delete('Sales/full.bak');
      expect(await store.properties('Sales/full.bak')).toBeNull();
      expect(await store.stagedBlocks('Sales/full.bak')).toEqual([]);
      expect((await store.list('')).map((p) => p.name)).toEqual(['Sales/log.trn']);
      await store.delete('Sales/full.bak');
      await store.delete('never/was.bak');
    });

    it.each(invalidNames)('refuses a name with %s (InvalidBlobName)', async (_, name) => {
      const refused = { code: 'InvalidBlobName' };
      await expect(store.properties(name)).rejects.toMatchObject(refused);
      await expect(store.openRead(name)).rejects.toMatchObject(refused);
      await expect(store.stageBlock(name, 'a', new Uint8Array(1))).rejects.toMatchObject(refused);
      await expect(store.stagedBlocks(name)).rejects.toMatchObject(refused);
      await expect(store.commitBlocks(name, [])).rejects.toMatchObject(refused);
      await expect(store.delete(name)).rejects.toMatchObject(refused);
    });

    it('refuses list prefixes that no name can start with, accepts partial ones', async () => {
      for (const prefix of ['../', 'a//', '/abs', 'a\\b', 'Sales/../']) {
        await expect(store.list(prefix)).rejects.toMatchObject({ code: 'InvalidBlobName' });
      }
      for (const prefix of ['', 'Sa', 'Sales/', 'Sales/fu', '..x']) {
        expect(await store.list(prefix)).toEqual([]);
      }
    });

    it('accepts names at the limits: 1,024 characters, Unicode, spaces', async () => {
      const long = `${'d'.repeat(200)}/`.repeat(5) + 'f'.repeat(19);
      for (const name of [long, 'Ventes été/sauvegarde complète.bak', 'a..b/c.d.bak']) {
        await upload(store, name, bytesOf(10, 1));
        expect(await store.properties(name)).toMatchObject({ name, size: 10 });
      }
      expect(long).toHaveLength(1024);
    });

    it('refuses invalid block ids and malformed commit options', async () => {
      for (const id of ['', 'x'.repeat(65)]) {
        await expect(store.stageBlock('a.bak', id, new Uint8Array(1))).rejects.toMatchObject({
          code: 'InvalidBlockId',
        });
      }
      await store.stageBlock('a.bak', 'a', new Uint8Array(1));
      for (const options of [{ contentMd5: 'not-md5' }, { metadata: { '1st': 'x' } }]) {
        await expect(store.commitBlocks('a.bak', ['a'], options)).rejects.toMatchObject({
          code: 'InvalidArgument',
        });
      }
      expect(await store.stagedBlocks('a.bak')).toEqual([{ id: 'a', size: 1 }]);
    });
  });
}
