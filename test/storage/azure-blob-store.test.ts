/**
 * The Azure Blob store against an Azurite the tests start: the shared conformance suite (a fresh
 * container per test), then what is Azure's own: account keys and SAS tokens, block MD5s checked in
 * transit, resuming in another instance after an Azurite restart, ranged reads, the backup reader
 * reading corpus backups through blob ranges, and secrets kept out of errors and the SDK's logs.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { inspect, promisify } from 'node:util';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { countingSource, openFileSource, readBackupMedia } from '../../src/backup/index.js';
import {
  AzureBlobStore,
  type AzureBlobCredential,
  type AzureBlobStoreOptions,
} from '../../src/storage/index.js';
import {
  azuriteForTests,
  startCorruptingProxy,
  unreachableAccountUrl,
  type TestAzurite,
} from '../support/azurite.js';
import { corpusFile, corpusSkipReason, hasBackupCorpus, projectRoot } from '../support/corpus.js';
import {
  bytesOf,
  concat,
  describeBlobStoreConformance,
  md5Of,
  MiB,
  readAll,
  upload,
} from './blob-store-conformance.js';

const azurite = azuriteForTests();
if (!azurite.available) console.warn(`Azure Blob store tests skipped: ${azurite.reason}`);
if (!hasBackupCorpus) console.warn(`Backup reader over Azure Blob skipped: ${corpusSkipReason}`);

/**
 * What a caller or a logger may see of an error: its text, `inspect`, JSON, and every string reached
 * through its own properties, enumerable or not (as `error.cause.request.url` would be).
 */
function textsOf(error: unknown): string[] {
  return [
    String(error),
    inspect(error, { depth: Infinity }),
    JSON.stringify(error),
    ...stringsIn(error),
  ];
}

function stringsIn(value: unknown, seen = new Set<unknown>(), depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value) || depth > 6) return [];
  seen.add(value);
  return Object.getOwnPropertyNames(value).flatMap((key) =>
    stringsIn((value as Record<string, unknown>)[key], seen, depth + 1),
  );
}

async function rejectionOf(call: () => Promise<unknown>): Promise<unknown> {
  return call().then(
    () => expect.fail('expected the call to be refused'),
    (error: unknown) => error,
  );
}

describe.skipIf(!azurite.available)('AzureBlobStore against Azurite', () => {
  let server: TestAzurite | undefined;
  beforeAll(async () => {
    if (azurite.available) server = await azurite.start();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  const running = (): TestAzurite => server ?? expect.fail('Azurite did not start');
  const keyOf = (): AzureBlobCredential => ({ accountKey: running().accountKey });
  const storeOf = (containerName: string, credential = keyOf(), url = running().accountUrl) =>
    new AzureBlobStore({
      accountUrl: url,
      containerName,
      credential,
      retry: { maxTries: 2, retryDelayMs: 10 }, // one retry: a restarted Azurite resets sockets
    });

  describeBlobStoreConformance(
    'Azure Blob (Azurite)',
    async () => {
      const name = await running().createContainer();
      return {
        store: storeOf(name),
        reopen: () => storeOf(name),
        dispose: () => running().deleteContainer(name),
      };
    },
    { checksContentMd5: false },
  );

  describe('Azure Blob specifics', () => {
    let container: string;
    let store: AzureBlobStore;
    beforeEach(async () => {
      container = await running().createContainer();
      store = storeOf(container);
    });
    afterEach(async () => {
      await running().deleteContainer(container);
    });

    it('refuses a wrong account key (AuthenticationFailed), naming the account, never the key', async () => {
      const wrongKey = Buffer.alloc(64, 7).toString('base64');
      const wrong = storeOf(container, { accountKey: wrongKey });
      for (const call of [
        () => wrong.list(''),
        () => wrong.properties('a.bak'),
        () => wrong.openRead('a.bak'),
        () => wrong.stageBlock('a.bak', '1', bytesOf(10, 1)),
      ]) {
        const error = await rejectionOf(call);
        expect(error).toMatchObject({ code: 'AuthenticationFailed' });
        expect(String(error)).toMatch(/storage account "devstoreaccount1".*account key/);
        for (const text of textsOf(error)) expect(text).not.toContain(wrongKey);
      }
    });

    it('reads and lists with a Read+List SAS, and cannot write with it (AuthenticationFailed)', async () => {
      await upload(store, 'Sales/full.bak', bytesOf(100, 1));
      const sas = running().containerSas(container, 'rl');
      const signature = new URLSearchParams(sas).get('sig') ?? expect.fail('no sig in the SAS');
      const reader = storeOf(container, { sasToken: `?${sas}` });
      expect((await reader.list('')).map((p) => p.name)).toEqual(['Sales/full.bak']);
      const source = await reader.openRead('Sales/full.bak');
      expect(source.name).not.toContain('?');
      expect(await source.read(0, 100)).toEqual(bytesOf(100, 1));
      for (const call of [
        () => reader.stageBlock('Sales/log.trn', '1', bytesOf(10, 1)),
        () => reader.commitBlocks('Sales/log.trn', []),
        () => reader.delete('Sales/full.bak'),
      ]) {
        const error = await rejectionOf(call);
        expect(error).toMatchObject({ code: 'AuthenticationFailed' });
        expect(String(error)).toContain('SAS token does not allow it');
        for (const text of textsOf(error)) {
          expect(text).not.toContain(signature);
          expect(text).not.toContain(encodeURIComponent(signature));
        }
      }
      expect(await store.properties('Sales/full.bak')).toMatchObject({ size: 100 });
    });

    it('refuses a block damaged on the way (ContentMismatch), staging nothing', async () => {
      const proxy = await startCorruptingProxy(running());
      try {
        const damaged = storeOf(container, keyOf(), proxy.accountUrl);
        await expect(damaged.stageBlock('a.bak', '000000', bytesOf(1000, 1))).rejects.toMatchObject(
          {
            code: 'ContentMismatch',
            blobName: 'a.bak',
          },
        );
        expect(proxy.corrupted).toBe(1);
        expect(await damaged.stagedBlocks('a.bak')).toEqual([]);
        await store.stageBlock('a.bak', '000000', bytesOf(1000, 1));
        expect(await damaged.stagedBlocks('a.bak')).toEqual([{ id: '000000', size: 1000 }]);
      } finally {
        await proxy.close();
      }
    });

    it('resumes in another instance, with a SAS, after Azurite restarts', async () => {
      const parts = [bytesOf(MiB, 1), bytesOf(MiB, 2), bytesOf(1234, 3)];
      await store.stageBlock('HR/full.bak', 'block-0', parts[0] ?? expect.fail());
      await store.stageBlock('HR/full.bak', 'block-1', parts[1] ?? expect.fail());
      await running().restart();
      const resumed = storeOf(container, { sasToken: running().containerSas(container, 'racwdl') });
      expect(await resumed.stagedBlocks('HR/full.bak')).toEqual([
        { id: 'block-0', size: MiB },
        { id: 'block-1', size: MiB },
      ]);
      await resumed.stageBlock('HR/full.bak', 'block-2', parts[2] ?? expect.fail());
      const ids = ['block-0', 'block-1', 'block-2'];
      await resumed.commitBlocks('HR/full.bak', ids, { contentMd5: md5Of(...parts) });
      const read = Buffer.from(await readAll(store, 'HR/full.bak'));
      expect(read.equals(concat(...parts))).toBe(true); // toEqual is slow on megabytes
      expect(await store.properties('HR/full.bak')).toMatchObject({ contentMd5: md5Of(...parts) });
    });

    it('reads ranges of a multi-block blob, across blocks and beyond one request', async () => {
      const parts = [bytesOf(3 * MiB, 1), bytesOf(5 * MiB, 2), bytesOf(1, 3), bytesOf(MiB + 7, 4)];
      const content = concat(...parts);
      await upload(store, 'big.bak', ...parts);
      const source = await store.openRead('big.bak');
      expect(source.size).toBe(9 * MiB + 8);
      for (const [offset, length] of [
        [0, 10],
        [3 * MiB - 5, 10],
        [8 * MiB - 2, 5],
        [1000, 9 * MiB],
        [content.length - 4, 100],
      ] as const) {
        const read = await source.read(offset, length);
        expect(read.length).toBe(Math.min(length, content.length - offset));
        expect(Buffer.from(read).equals(content.subarray(offset, offset + length))).toBe(true);
      }
      await source.close();
    });

    it('fails a read once the blob is replaced or deleted, instead of mixing versions', async () => {
      await upload(store, 'flip.bak', bytesOf(100, 1));
      const opened = await store.openRead('flip.bak');
      await upload(store, 'flip.bak', bytesOf(100, 2));
      await expect(opened.read(0, 10)).rejects.toMatchObject({
        code: 'StorageFailed',
        message: expect.stringContaining('replaced') as unknown,
      });
      const again = await store.openRead('flip.bak');
      await store.delete('flip.bak');
      await expect(again.read(0, 10)).rejects.toMatchObject({ code: 'BlobNotFound' });
    });

    it('deleting a blob never committed discards its staged blocks', async () => {
      await store.stageBlock('new.bak', 'a', bytesOf(10, 1));
      await store.stageBlock('new.bak', 'b', bytesOf(10, 2));
      await store.delete('new.bak');
      expect(await store.stagedBlocks('new.bak')).toEqual([]);
      expect(await store.properties('new.bak')).toBeNull();
      expect(await store.list('')).toEqual([]);
    });

    it('names the missing container (ContainerNotFound) in every call', async () => {
      const missing = storeOf('no-such-container');
      for (const call of [
        () => missing.list(''),
        () => missing.properties('a.bak'),
        () => missing.openRead('a.bak'),
        () => missing.stageBlock('a.bak', '1', bytesOf(10, 1)),
        () => missing.stagedBlocks('a.bak'),
        () => missing.commitBlocks('a.bak', []),
        () => missing.delete('a.bak'),
      ]) {
        const error = await rejectionOf(call);
        expect(error).toMatchObject({ code: 'ContainerNotFound' });
        expect(String(error)).toContain('container "no-such-container" does not exist');
      }
    });

    it('reports an account it cannot reach as StorageFailed, with the network error', async () => {
      const url = await unreachableAccountUrl();
      const unreachable = storeOf(container, keyOf(), url);
      const error = await rejectionOf(() => unreachable.list(''));
      expect(error).toMatchObject({ code: 'StorageFailed', cause: { code: 'ECONNREFUSED' } });
      expect(String(error)).toContain(`at ${url} could not be reached (ECONNREFUSED`);
    });

    it('refuses malformed options when made, without repeating a secret', () => {
      const secret = 'c2VjcmV0LXNpZ25hdHVyZQ';
      const good = { accountUrl: 'https://acct.blob.core.windows.net', containerName: 'backups' };
      const cases: Record<string, unknown>[] = [
        { ...good, accountUrl: 'acct.blob.core.windows.net' },
        { ...good, accountUrl: 'http://acct.blob.core.windows.net' },
        { ...good, accountUrl: 'https://acct.blob.core.windows.net/backups' },
        { ...good, accountUrl: `https://acct.blob.core.windows.net?sv=2022-11-02&sig=${secret}` },
        { ...good, containerName: 'Backups_2024' },
        { ...good, credential: { accountKey: `${secret}!` } },
        { ...good, credential: { sasToken: `sv=2022-11-02&sp=rl&sg=${secret}` } },
        { ...good, credential: { accountKey: `${secret}==`, sasToken: `sig=${secret}` } },
        { ...good, retry: { maxTries: 0 } },
      ];
      for (const options of cases) {
        const make = () =>
          new AzureBlobStore({ credential: keyOf(), ...options } as AzureBlobStoreOptions);
        expect(make).toThrow(expect.objectContaining({ code: 'InvalidArgument' }) as unknown);
        expect(textsOf(rejectionSync(make)).join()).not.toContain(secret);
      }
      const made = new AzureBlobStore({ ...good, credential: { accountKey: `${secret}==` } });
      expect(made.description).toBe(
        'Azure Blob container "backups" of storage account "acct" (https://acct.blob.core.windows.net)',
      );
    });

    it('keeps the key and the SAS token out of the SDK logs (AZURE_LOG_LEVEL=verbose)', async () => {
      const sas = running().containerSas(container, 'rl');
      const signature = new URLSearchParams(sas).get('sig') ?? '';
      const script = `
        const { AzureBlobStore } = await import(${JSON.stringify(`${projectRoot}/src/storage/index.ts`)});
        const { STORE_URL: accountUrl, STORE_CONTAINER: containerName, STORE_SAS, STORE_KEY } = process.env;
        const attempt = (credential) =>
          new AzureBlobStore({ accountUrl, containerName, credential, retry: { maxTries: 2, retryDelayMs: 10 } })
            .stageBlock('a.bak', '1', new Uint8Array(8)).catch((error) => console.error(error));
        await attempt({ sasToken: STORE_SAS });
        await attempt({ accountKey: STORE_KEY });`;
      const wrongKey = Buffer.alloc(64, 9).toString('base64');
      const env = { STORE_URL: running().accountUrl, STORE_CONTAINER: container };
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', script],
        {
          cwd: projectRoot,
          env: {
            ...process.env,
            ...env,
            STORE_SAS: sas,
            STORE_KEY: wrongKey,
            AZURE_LOG_LEVEL: 'verbose',
          },
        },
      );
      const output = stdout + stderr;
      expect(output).toContain('sig=REDACTED'); // the SDK did log the requests
      expect(output).toContain('AuthenticationFailed');
      for (const secret of [signature, encodeURIComponent(signature), wrongKey]) {
        expect(output).not.toContain(secret);
      }
    });

    describe.skipIf(!hasBackupCorpus)('the backup reader over blob ranges', () => {
      it.each([
        'Base-de-datos/pubs.bak',
        'appveyor-lab/RestoreTimeClean/RestoreTimeClean_1.trn',
        'appveyor-lab/singlerestore/SharePoint_Config-compressed-v1.bak',
      ])('reads the same headers from %s in Azurite as from the file', async (file) => {
        const bytes = new Uint8Array(await readFile(corpusFile(file)));
        const blocks = Array.from({ length: Math.ceil(bytes.length / MiB) }, (_, i) =>
          bytes.subarray(i * MiB, (i + 1) * MiB),
        );
        await upload(store, `corpus/${file}`, ...blocks);
        const fromFile = await openFileSource(corpusFile(file));
        const fromBlob = countingSource(await store.openRead(`corpus/${file}`));
        try {
          expect(await readBackupMedia(fromBlob)).toEqual(await readBackupMedia(fromFile));
          // Descriptor blocks only: at most 64 KiB per uncompressed set (ARCHITECTURE.md).
          if (!file.includes('compressed')) expect(fromBlob.bytesRead).toBeLessThan(64 * 1024);
        } finally {
          await fromFile.close();
          await fromBlob.close();
        }
      });
    });
  });
});

function rejectionSync(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  return expect.fail('expected the options to be refused');
}
