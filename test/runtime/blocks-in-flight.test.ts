/**
 * Uploads into a remote store (here the in-memory stand-in behind a slow, watching wrapper) keep
 * several blocks in flight, never more than `blocksInFlight`; the first failure stops new blocks and
 * is thrown once the others have ended; an upload resumed with another block size takes up the
 * blocks already staged instead of sending them again.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LocalFolderSource } from '../../src/runtime/index.js';
import type { BlobStore } from '../../src/storage/index.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { seededRandom } from '../support/seeded-random.js';

const kib = 1024;
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

/** `inner`, with each staging taking a few milliseconds, counted and watched. */
function watchedStore(inner: BlobStore, options: { failAt?: number } = {}) {
  const seen = { started: 0, active: 0, maxActive: 0, activeAtFailure: -1 };
  const store: BlobStore = {
    description: inner.description,
    list: (prefix) => inner.list(prefix),
    properties: (name) => inner.properties(name),
    openRead: (name) => inner.openRead(name),
    stagedBlocks: (name) => inner.stagedBlocks(name),
    commitBlocks: (name, ids, commit) => inner.commitBlocks(name, ids, commit),
    delete: (name) => inner.delete(name),
    async stageBlock(name, id, data, stage) {
      const index = seen.started;
      seen.started += 1;
      seen.active += 1;
      seen.maxActive = Math.max(seen.maxActive, seen.active);
      try {
        await sleep(5);
        if (index === options.failAt) {
          seen.activeAtFailure = seen.active;
          throw new Error(`Put Block ${index} failed (the storage said 503)`);
        }
        await inner.stageBlock(name, id, data, stage);
      } finally {
        seen.active -= 1;
      }
    },
  };
  return { store, seen };
}

describe('uploads with blocks in flight', () => {
  let root = '';
  let content: Buffer;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqlmig-inflight-'));
    await mkdir(join(root, 'share'));
    const random = seededRandom(7);
    content = Buffer.alloc(40 * 64 * kib + 4321);
    for (let i = 0; i < content.length; i++) content[i] = random.below(256);
    await writeFile(join(root, 'share', 'big.bak'), content);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps up to blocksInFlight blocks staging at once, and the blob is the file', async () => {
    const memory = new MemoryBlobStore();
    const { store, seen } = watchedStore(memory);
    const source = new LocalFolderSource(join(root, 'share'), {
      blockSizeBytes: 64 * kib,
      blocksInFlight: 3,
    });
    const outcome = await source.upload('big.bak', store, 'db/big.bak', () => undefined);
    expect(seen.started).toBe(41);
    expect(seen.maxActive).toBe(3);
    expect(outcome).toMatchObject({ dataRead: content.length, dataWritten: content.length });
    expect(outcome.contentMd5).toBe(md5(content));
    const blob = await memory.openRead('db/big.bak');
    expect(md5(await blob.read(0, content.length))).toBe(md5(content));
  });

  it('stops at the first failure and throws it once nothing is in flight', async () => {
    const memory = new MemoryBlobStore();
    const { store, seen } = watchedStore(memory, { failAt: 6 });
    const source = new LocalFolderSource(join(root, 'share'), {
      blockSizeBytes: 64 * kib,
      blocksInFlight: 4,
    });
    await expect(source.upload('big.bak', store, 'db/big.bak', () => undefined)).rejects.toThrow(
      'Put Block 6 failed',
    );
    expect(seen.active).toBe(0);
    // Blocks already started when block 6 failed end; no block after those starts.
    expect(seen.started).toBeLessThanOrEqual(6 + 4);
    expect(await memory.properties('db/big.bak')).toBeNull();
    expect((await memory.stagedBlocks('db/big.bak')).length).toBeGreaterThanOrEqual(6);
  });

  it('takes up blocks staged in another block size, sending only the missing ones', async () => {
    const memory = new MemoryBlobStore();
    const first = watchedStore(memory, { failAt: 12 });
    const small = new LocalFolderSource(join(root, 'share'), {
      blockSizeBytes: 64 * kib,
      blocksInFlight: 1,
    });
    await expect(
      small.upload('big.bak', first.store, 'db/big.bak', () => undefined, undefined, {
        firstAttempt: true,
      }),
    ).rejects.toThrow('Put Block 12 failed');
    expect(await memory.stagedBlocks('db/big.bak')).toHaveLength(12);

    // Another node, configured with 1 MiB blocks, resumes the upload.
    const second = watchedStore(memory);
    const large = new LocalFolderSource(join(root, 'share'), { blockSizeBytes: 1024 * kib });
    const outcome = await large.upload('big.bak', second.store, 'db/big.bak', () => undefined);
    expect(second.seen.started).toBe(41 - 12);
    expect(outcome.dataWritten).toBe(content.length - 12 * 64 * kib);
    expect(outcome.contentMd5).toBe(md5(content));
    const blob = await memory.openRead('db/big.bak');
    expect(md5(await blob.read(0, content.length))).toBe(md5(content));
  });
});
