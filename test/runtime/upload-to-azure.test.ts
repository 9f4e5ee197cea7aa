/**
 * The runtime's upload into Azure Blob Storage (Azurite, started by the test): a killed upload
 * resumes from the blocks Azure holds staged, and the committed blob is checked against the file
 * (Azure does not check a blob's MD5 at commit, only each block's as it is staged).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LocalFolderSource } from '../../src/runtime/index.js';
import { AzureBlobStore, type BlobStore } from '../../src/storage/index.js';
import { azuriteForTests, type TestAzurite } from '../support/azurite.js';

const azurite = azuriteForTests();
const blockBytes = 64 * 1024;
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

/** `store`, with some of its calls replaced. */
function changed(store: BlobStore, overrides: Partial<BlobStore>): BlobStore {
  return {
    description: store.description,
    list: (prefix) => store.list(prefix),
    properties: (name) => store.properties(name),
    openRead: (name) => store.openRead(name),
    stageBlock: (name, id, data, options) => store.stageBlock(name, id, data, options),
    stagedBlocks: (name) => store.stagedBlocks(name),
    commitBlocks: (name, ids, options) => store.commitBlocks(name, ids, options),
    delete: (name) => store.delete(name),
    ...overrides,
  };
}

describe.skipIf(!azurite.available)('runtime uploads into Azure Blob (Azurite)', () => {
  let server: TestAzurite | undefined;
  let share = '';
  beforeAll(async () => {
    if (azurite.available) server = await azurite.start();
    share = await mkdtemp(join(tmpdir(), 'sqlmig-share-'));
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await rm(share, { recursive: true, force: true });
  }, 30_000);

  async function containerStore(): Promise<AzureBlobStore> {
    const running = server ?? expect.fail('Azurite did not start');
    return new AzureBlobStore({
      accountUrl: running.accountUrl,
      containerName: await running.createContainer(),
      credential: { accountKey: running.accountKey },
      retry: { maxTries: 2, retryDelayMs: 10 },
    });
  }

  it('resumes a killed upload from the blocks staged in Azure, and checks the blob', async () => {
    const store = await containerStore();
    const content = randomBytes(5 * blockBytes + 100);
    await writeFile(join(share, 'full.bak'), content);
    const source = new LocalFolderSource(share, { blockSizeBytes: blockBytes });
    let staged = 0;
    const dying = changed(store, {
      async stageBlock(...args) {
        if (staged === 2) throw new Error('the runtime died here');
        staged += 1;
        await store.stageBlock(...args);
      },
    });
    await expect(
      source.upload('full.bak', dying, 'Sales/full.bak', () => undefined),
    ).rejects.toThrow('died');
    expect(await store.stagedBlocks('Sales/full.bak')).toHaveLength(2);
    const outcome = await source.upload('full.bak', store, 'Sales/full.bak', () => undefined);
    expect(outcome).toMatchObject({
      dataRead: content.length,
      dataWritten: content.length - 2 * blockBytes,
      contentMd5: md5(content),
    });
    expect(await store.properties('Sales/full.bak')).toMatchObject({
      size: content.length,
      contentMd5: md5(content),
      metadata: { sourceFile: 'full.bak' },
    });
  });

  it('deletes a committed blob that does not hold the file, and fails the upload', async () => {
    const store = await containerStore();
    const content = randomBytes(3 * blockBytes);
    await writeFile(join(share, 'log.trn'), content);
    const source = new LocalFolderSource(share, { blockSizeBytes: blockBytes });
    // A commit that keeps only the first block, under the whole file's MD5 (Azure takes it as given).
    const faulty = changed(store, {
      commitBlocks: (name, ids, options) => store.commitBlocks(name, ids.slice(0, 1), options),
    });
    await expect(
      source.upload('log.trn', faulty, 'Sales/log.trn', () => undefined),
    ).rejects.toThrow(`reports ${blockBytes} bytes with MD5 ${md5(content)} for Sales/log.trn`);
    expect(await store.properties('Sales/log.trn')).toBeNull();
  });
});
