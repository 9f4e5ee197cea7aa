/**
 * End to end through the real process, to a Managed Instance: `sqlmig up --managed-instance …`
 * uploads into an Azurite container and restores through the Log Replay Service stand-in (test
 * support, named as such: HTTPS, the ARM calls, OpenID metadata and a token endpoint, over the
 * rehearsal engine reading the same container). The service signs in as users configure it — the
 * real `ClientSecretCredential` from AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, its
 * authority from AZURE_AUTHORITY_HOST, the stand-in's certificate trusted through NODE_EXTRA_CA_CERTS —
 * and is driven by the `sqlmig migration` commands. Online with cutover, and cancel.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { MigrationResource } from '../../src/client/index.js';
import { AzureBlobStore } from '../../src/storage/index.js';
import { azuriteForTests, type TestAzurite } from '../support/azurite.js';
import { chain, chainNames, chainRestored, expectChainBlobs } from '../support/chain-files.js';
import { hasBackupCorpus } from '../support/corpus.js';
import { LrsStandIn } from '../support/lrs-stand-in/lrs-stand-in.js';
import {
  arrive,
  killAll,
  sqlmig,
  startService,
  waitFor,
  type ServiceProcess,
} from '../support/service-process.js';

const azurite = azuriteForTests();

describe.skipIf(!azurite.available || !hasBackupCorpus)(
  'sqlmig up --managed-instance, against the Log Replay Service stand-in',
  () => {
    let root = '';
    let server: TestAzurite;
    let standIn: LrsStandIn;
    let store: AzureBlobStore;
    let service: ServiceProcess;
    let folder = '';
    const cli = (...args: string[]) => sqlmig([...args, '--data-dir', join(root, 'data')]);
    const show = async (name: string) =>
      JSON.parse((await cli('migration', 'show', name, '--json')).stdout) as MigrationResource;
    /** `sqlmig migration start` of RestoreTimeClean to Sales, online, from the backup folder. */
    const startSales = async () => {
      const started = await cli(
        'migration',
        'start',
        '--target-db',
        'Sales',
        '--source-db',
        'RestoreTimeClean',
        '--backup-folder',
        folder,
      );
      expect(started.code, started.stderr).toBe(0);
    };
    const until = <T>(what: string, name: string, probe: () => Promise<T | undefined | false>) =>
      waitFor(what, probe, {
        timeoutMs: 40_000,
        describe: async () =>
          `${JSON.stringify(await show(name), null, 1)}\n--- service ---\n${service.output()}\n--- requests ---\n${standIn.requests.slice(-20).join('\n')}`,
      });

    beforeEach(async () => {
      if (!azurite.available) return;
      root = await mkdtemp(join(tmpdir(), 'sqlmig-mi-process-'));
      folder = join(root, 'backups');
      await mkdir(folder);
      server = await azurite.start();
      const container = await server.createContainer();
      store = new AzureBlobStore({
        accountUrl: server.accountUrl,
        containerName: container,
        credential: { accountKey: server.accountKey },
      });
      standIn = await LrsStandIn.start({
        containerUrl: `${server.accountUrl}/${container}`,
        rehearsal: { store, pollIntervalMs: 200, restoreBytesPerSecond: 1024 ** 4 },
      });
      standIn.rehearsal.startPolling();
      const certificate = join(root, 'stand-in.pem');
      await writeFile(certificate, standIn.certPem);
      service = await startService({
        dataDir: join(root, 'data'),
        args: [
          '--poll-interval-ms',
          '200',
          '--upload-storage-url',
          server.accountUrl,
          '--upload-container',
          container,
          '--managed-instance',
          `/subscriptions/${standIn.subscriptionId}/resourceGroups/${standIn.resourceGroupName}/providers/Microsoft.Sql/managedInstances/${standIn.managedInstanceName}`,
          '--arm-endpoint',
          standIn.url,
        ],
        env: {
          SQLMIG_STORAGE_ACCOUNT_KEY: server.accountKey,
          AZURE_TENANT_ID: standIn.tenantId,
          AZURE_CLIENT_ID: standIn.clientId,
          AZURE_CLIENT_SECRET: standIn.clientSecret,
          AZURE_AUTHORITY_HOST: standIn.url,
          NODE_EXTRA_CA_CERTS: certificate,
        },
      });
    });
    afterEach(async () => {
      await service.stop();
      await standIn.close();
      await server.stop();
      await rm(root, { recursive: true, force: true });
    });
    afterAll(killAll);

    it('online: restores through Log Replay Service, cuts over, Succeeded; the blobs are the files', async () => {
      expect(service.output()).toContain('Target: Azure SQL Managed Instance mi-stand-in');
      for (const name of chainNames) await arrive(folder, chain(name));
      await startSales();
      await until('every file Restored', 'Sales', async () => chainRestored(await show('Sales')));
      expect(standIn.starts.at(-1)?.body.properties).toMatchObject({
        createMode: 'RestoreExternalBackup',
      });
      const cut = await cli('migration', 'cutover', 'Sales');
      expect(cut.code, cut.stderr).toBe(0);
      await until(
        'Succeeded',
        'Sales',
        async () => (await show('Sales')).properties.migrationStatus === 'Succeeded',
      );
      expect(standIn.requests.filter((r) => r.endsWith('/completeRestore'))).toHaveLength(1);
      await expectChainBlobs(store, 'Sales');
      // The service's secrets appear nowhere it prints.
      expect(service.output()).not.toContain(standIn.clientSecret);
      expect(service.output()).not.toContain(server.accountKey);
    });

    it('cancel: the database Log Replay Service was restoring is deleted', async () => {
      await arrive(folder, chain('RestoreTimeClean.bak'));
      await startSales();
      await until(
        'the full Restored',
        'Sales',
        async () => (await show('Sales')).properties.migrationStatusDetails?.isFullBackupRestored,
      );
      expect((await cli('migration', 'cancel', 'Sales')).code).toBe(0);
      await until(
        'Canceled',
        'Sales',
        async () => (await show('Sales')).properties.migrationStatus === 'Canceled',
      );
      expect(standIn.requests.some((r) => /^DELETE .*\/databases\/Sales$/.test(r))).toBe(true);
    });
  },
);
