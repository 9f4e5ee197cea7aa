/**
 * End to end into Azure Blob Storage (Azurite, started by the test): `sqlmig up` uploads into a
 * container given by `--upload-storage-url`/`--upload-container` with the account key in the
 * environment, two `sqlmig runtime` nodes upload with the SAS the service gives them, and the
 * rehearsal target restores from the container. Azurite is restarted in the middle of an upload and
 * the upload goes on; a chain is also read from an SMB share (a real Samba on loopback). The blobs
 * must be the source files byte for byte, and neither the key, the SAS nor the share's password may
 * appear in what the service or the nodes print.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AzureBlobStore } from '../../src/storage/index.js';
import { azuriteForTests, type TestAzurite } from '../support/azurite.js';
import {
  chain,
  chainNames,
  chainRestored,
  expectChainBlobs,
  fileInfo,
} from '../support/chain-files.js';
import { hasBackupCorpus } from '../support/corpus.js';
import { sambaForTests } from '../support/samba.js';
import {
  arrive,
  killAll,
  sqlmig,
  startRuntimeNode,
  startService,
  waitFor,
  type RuntimeNodeProcess,
  type ServiceProcess,
} from '../support/service-process.js';

const azurite = azuriteForTests();
const samba = sambaForTests();
if (!samba.available) console.warn(`Skipping the SMB share cases here: ${samba.reason}.`);
describe.skipIf(!azurite.available || !hasBackupCorpus)(
  'runtime nodes uploading to Azure Blob (Azurite)',
  () => {
    let root = '';
    let server: TestAzurite;
    let container = '';
    let service: ServiceProcess;
    const nodes: RuntimeNodeProcess[] = [];
    const get = (name: string) => service.client.getMigration('branch', name);
    const describeState = (name: string) => async () =>
      [
        JSON.stringify(await get(name), null, 1),
        `--- service output ---\n${service.output()}`,
        ...nodes.map((n) => `--- node ${n.name} ---\n${n.output()}`),
      ].join('\n');

    const expectBlobsIdentical = (db: string) =>
      expectChainBlobs(
        new AzureBlobStore({
          accountUrl: server.accountUrl,
          containerName: container,
          credential: { accountKey: server.accountKey },
        }),
        db,
      );
    const allRestored = (name: string) =>
      waitFor(
        `every file of ${name} Restored`,
        async () => {
          const m = await get(name);
          return chainRestored(m) && m;
        },
        { timeoutMs: 60_000, describe: describeState(name) },
      );

    beforeEach(async () => {
      if (!azurite.available) return;
      server = await azurite.start();
      container = await server.createContainer();
      root = await mkdtemp(join(tmpdir(), 'sqlmig-ir-azure-'));
      service = await startService({
        dataDir: join(root, 'data'),
        args: [
          '--poll-interval-ms',
          '100',
          '--lease-ms',
          '1500',
          '--upload-storage-url',
          server.accountUrl,
          '--upload-container',
          container,
        ],
        env: { SQLMIG_STORAGE_ACCOUNT_KEY: server.accountKey },
      });
      const created = await sqlmig([
        'service',
        'create',
        'branch',
        '--data-dir',
        join(root, 'data'),
      ]);
      expect(created.code, created.stderr).toBe(0);
    });
    afterEach(async () => {
      await Promise.all(nodes.splice(0).map((n) => n.kill('SIGKILL')));
      await service.stop();
      await server.stop();
      await rm(root, { recursive: true, force: true });
    });
    afterAll(killAll);

    it('uploads through two nodes with a SAS, goes on across an Azurite restart, byte for byte', async () => {
      const folder = join(root, 'backups', 'Sales');
      await mkdir(folder, { recursive: true });
      for (const name of chainNames) await arrive(folder, chain(name));
      const keys = await service.client.listAuthKeys('branch');
      const slow = ['--jobs', '1', '--block-size-kib', '64', '--max-upload-kib-per-second', '384'];
      for (const [name, key] of [
        ['node-a', keys.authKey1],
        ['node-b', keys.authKey2],
      ] as const)
        nodes.push(await startRuntimeNode({ url: service.url, authKey: key, name, args: slow }));
      await service.client.startMigration('branch', 'Sales', {
        sourceDatabaseName: 'RestoreTimeClean',
        backupFolder: folder,
        offline: false,
      });
      await waitFor(
        'the full to be part uploaded',
        async () => {
          const f = fileInfo(await get('Sales'), 'RestoreTimeClean.bak');
          return f?.status === 'Uploading' && f.dataWritten > 0 && f.dataWritten < f.totalSize;
        },
        { timeoutMs: 30_000, describe: describeState('Sales') },
      );
      await server.restart();
      const done = await allRestored('Sales');
      expect(done.properties.migrationStatusDetails?.isFullBackupRestored).toBe(true);

      await expectBlobsIdentical('Sales');
      const printed = [service.output(), ...nodes.map((n) => n.output())].join('\n');
      expect(printed).not.toContain(server.accountKey);
      expect(printed).not.toMatch(/sig=/);
    });

    it.skipIf(!samba.available)(
      'uploads a chain read from an SMB share into the container',
      async () => {
        if (!samba.available) return;
        const share = await samba.start();
        try {
          const folder = join(share.backupsFolder, 'Sales');
          await mkdir(folder, { recursive: true });
          for (const name of chainNames) await arrive(folder, chain(name));
          const keys = await service.client.listAuthKeys('branch');
          nodes.push(
            await startRuntimeNode({
              url: service.url,
              authKey: keys.authKey1,
              name: 'share-node',
              args: ['--smb-port', String(share.port)],
            }),
          );
          await service.client.startMigration('branch', 'SalesShare', {
            sourceDatabaseName: 'RestoreTimeClean',
            backupFolder: share.location('backups', 'Sales'),
            offline: false,
            shareUserName: share.userName,
            sharePassword: share.password,
          });
          await allRestored('SalesShare');
          await expectBlobsIdentical('SalesShare');
          const printed = [service.output(), ...nodes.map((n) => n.output())].join('\n');
          expect(printed).not.toContain(share.password);
        } finally {
          await share.stop();
        }
      },
    );
  },
);
