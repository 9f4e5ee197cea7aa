import { constants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { LocalFolderBlobStore, type LocalStoreFs } from '../../src/storage/index.js';
import {
  bytesOf,
  concat,
  describeBlobStoreConformance,
  md5Of,
  readAll,
} from './blob-store-conformance.js';

const direct = (constants as { O_DIRECT?: number }).O_DIRECT;

/** Whether `flags` (as the store passed them to `open`) ask for direct I/O. */
function isDirect(flags: string | number): boolean {
  return typeof flags === 'number' && direct !== undefined && (flags & direct) !== 0;
}

/** `node:fs/promises`, recording the flags of every file opened for writing. */
function flagRecordingFs(refuseDirect: 'open' | 'write' | null = null) {
  const opened: { path: string; direct: boolean }[] = [];
  const fs: LocalStoreFs = {
    ...nodeFs,
    async open(path, flags, mode) {
      if (flags !== 'r') opened.push({ path, direct: isDirect(flags) });
      const einval = () => Object.assign(new Error('EINVAL: invalid argument'), { code: 'EINVAL' });
      if (refuseDirect === 'open' && isDirect(flags)) throw einval();
      const handle = await nodeFs.open(path, flags, mode);
      if (refuseDirect !== 'write' || !isDirect(flags)) return handle;
      return {
        read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
        write: () => Promise.reject(einval()),
        stat: () => handle.stat(),
        truncate: (length) => handle.truncate(length),
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
  };
  return { fs, opened };
}

/** Whether the folder's file system takes O_DIRECT (ext4, XFS do; tmpfs does not). */
async function takesDirectIo(folder: string): Promise<boolean> {
  if (direct === undefined) return false;
  const path = join(folder, 'probe');
  try {
    const handle = await nodeFs.open(path, constants.O_WRONLY | constants.O_CREAT | direct);
    await handle.close();
    return true;
  } catch {
    return false;
  } finally {
    await rm(path, { force: true });
  }
}

// The sizes that matter to alignment: under, at and over a 4 KiB multiple, and a backup-sized block.
const blockSizes = [1, 4095, 4096, 4097, 4 * 1024 * 1024 + 8704];

/** Stages a block of each size and commits them; the content, compared by MD5 below (a deep equal of 4 MiB is slow). */
async function stageAndCommit(store: LocalFolderBlobStore, name: string) {
  const blocks = blockSizes.map((size, i) => bytesOf(size, i + 1));
  for (const [i, block] of blocks.entries()) await store.stageBlock(name, `b${i}`, block);
  const whole = concat(...blocks);
  await store.commitBlocks(
    name,
    blocks.map((_, i) => `b${i}`),
    { contentMd5: md5Of(whole) },
  );
  return whole;
}

describeBlobStoreConformance('LocalFolderBlobStore through the page cache', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'sqlmig-blob-cached-'));
  return {
    store: new LocalFolderBlobStore(folder, { directIo: false }),
    reopen: () => new LocalFolderBlobStore(folder, { directIo: false }),
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
});

describe('LocalFolderBlobStore: staged blocks written around the page cache', () => {
  let folder: string;
  let directHere = false;
  beforeAll(async () => {
    const probe = await mkdtemp(join(tmpdir(), 'sqlmig-direct-probe-'));
    directHere = await takesDirectIo(probe);
    await rm(probe, { recursive: true, force: true });
  });
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sqlmig-direct-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('writes every block with O_DIRECT where the file system takes it, each file of its exact size', async (context) => {
    if (!directHere) context.skip(); // another OS, or a temporary folder on tmpfs
    const { fs, opened } = flagRecordingFs();
    const store = new LocalFolderBlobStore(folder, { fs });
    const whole = await stageAndCommit(store, 'Sales/full.bak');
    // One temporary file opened direct per block (an open into a folder not made yet is tried again
    // once it is, so paths are counted).
    const directPaths = new Set(opened.filter((o) => o.direct).map((o) => o.path));
    expect(directPaths.size).toBe(blockSizes.length);
    expect(md5Of(await readAll(store, 'Sales/full.bak'))).toBe(md5Of(whole));
    expect((await store.properties('Sales/full.bak'))?.size).toBe(whole.length);
  });

  it('writes through the page cache when asked to', async () => {
    const { fs, opened } = flagRecordingFs();
    const store = new LocalFolderBlobStore(folder, { fs, directIo: false });
    const whole = await stageAndCommit(store, 'x.bak');
    expect(opened.some((o) => o.direct)).toBe(false);
    expect(md5Of(await readAll(store, 'x.bak'))).toBe(md5Of(whole));
  });

  for (const refused of ['open', 'write'] as const) {
    it(`falls back to the page cache for good when the file system refuses O_DIRECT at ${refused}`, async (context) => {
      if (direct === undefined) context.skip(); // no O_DIRECT on this OS: nothing to refuse
      const { fs, opened } = flagRecordingFs(refused);
      const store = new LocalFolderBlobStore(folder, { fs });
      const whole = await stageAndCommit(store, 'y.bak');
      expect(md5Of(await readAll(store, 'y.bak'))).toBe(md5Of(whole));
      // One block tried (its folder made on the way), then every block written the usual way; no
      // temporary file left behind.
      expect(new Set(opened.filter((o) => o.direct).map((o) => o.path)).size).toBe(1);
      const left = await readdir(folder, { recursive: true });
      expect(left.filter((f) => f.endsWith('.tmp') || f.endsWith('.block'))).toEqual([]);
    });
  }
});
