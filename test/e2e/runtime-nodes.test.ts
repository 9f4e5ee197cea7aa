/**
 * End to end with integration runtime nodes as their own processes: `sqlmig up` and two
 * `sqlmig runtime` nodes registered with a service's auth keys migrate a real chain from the corpus,
 * from a folder and from an SMB share served by a real Samba on loopback. One node is killed in the
 * middle of an upload and the other finishes it from the blocks already staged; keys that are wrong
 * or regenerated are refused; a node removed with deleteNode stops. The blobs must be the source
 * files byte for byte.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LocalFolderBlobStore } from '../../src/storage/index.js';
import {
  chain,
  chainNames,
  chainRestored,
  expectChainBlobs,
  fileInfo,
} from '../support/chain-files.js';
import { corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';
import { sambaForTests, type TestSamba } from '../support/samba.js';
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

if (!hasBackupCorpus) console.warn(`Skipping the runtime node tests: ${corpusSkipReason}.`);
const samba = sambaForTests();
if (!samba.available) console.warn(`Skipping the SMB share cases here: ${samba.reason}.`);

/** A port free now on 127.0.0.1 (for a service that must come back on the same address). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

describe.skipIf(!hasBackupCorpus)('sqlmig runtime nodes', () => {
  let root = '';
  let dataDir = '';
  let service: ServiceProcess;
  const nodes: RuntimeNodeProcess[] = [];
  const cli = (...args: string[]) => sqlmig([...args, '--data-dir', dataDir]);
  const get = (name: string) => service.client.getMigration('branch', name);
  const describeState = (name: string) => async () =>
    [
      JSON.stringify(await get(name), null, 1),
      `--- service output ---\n${service.output()}`,
      ...nodes.map((n) => `--- node ${n.name} ---\n${n.output()}`),
    ].join('\n');
  const until = <T>(what: string, name: string, probe: () => Promise<T | undefined | false>) =>
    waitFor(what, probe, { timeoutMs: 30_000, describe: describeState(name) });
  const node = async (options: Parameters<typeof startRuntimeNode>[0]) => {
    const started = await startRuntimeNode(options);
    nodes.push(started);
    return started;
  };
  const allRestored = (name: string) =>
    until(`every file of ${name} Restored`, name, async () => {
      const m = await get(name);
      return chainRestored(m) && m;
    });
  const expectBlobsIdentical = (db: string) =>
    expectChainBlobs(new LocalFolderBlobStore(join(dataDir, 'blobs')), db);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqlmig-ir-e2e-'));
    dataDir = join(root, 'data');
    service = await startService({
      dataDir,
      args: ['--poll-interval-ms', '100', '--lease-ms', '1500', '--lease-within-ms', '20000'],
    });
    expect((await cli('service', 'create', 'branch')).code).toBe(0);
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.kill('SIGKILL')));
    await service.stop();
    await rm(root, { recursive: true, force: true });
  });
  afterAll(killAll);

  it('two nodes migrate a chain from a folder; one killed mid-upload, the other resumes it', async () => {
    const folder = join(root, 'backups', 'Sales');
    await mkdir(folder, { recursive: true });
    const keys = await service.client.listAuthKeys('branch');
    // Node A uploads slowly, in small blocks, one job at a time: it is killed in the middle.
    const a = await node({
      url: service.url,
      authKey: keys.authKey1,
      name: 'node-a',
      args: ['--jobs', '1', '--block-size-kib', '64', '--max-upload-kib-per-second', '256'],
    });
    await arrive(folder, chain('RestoreTimeClean.bak'));
    const started = await cli(
      'migration',
      'start',
      '--service-name',
      'branch',
      '--target-db',
      'Sales',
      '--source-db',
      'RestoreTimeClean',
      '--backup-folder',
      folder,
    );
    expect(started.code, started.stderr).toBe(0);
    const full = await until('the full to be half uploaded by node A', 'Sales', async () => {
      const f = fileInfo(await get('Sales'), 'RestoreTimeClean.bak');
      return f?.status === 'Uploading' && f.dataWritten > 0 && f.dataWritten < f.totalSize && f;
    });
    await a.kill('SIGKILL');
    // Node B is configured with another block size (the default, 4 MiB): it takes up node A's.
    const b = await node({ url: service.url, authKey: keys.authKey2, name: 'node-b' });
    for (const name of chainNames.slice(1)) await arrive(folder, chain(name));
    const done = await allRestored('Sales');
    // Node B sent only what node A had not staged (plus the blocks A had in flight).
    const resumed = fileInfo(done, 'RestoreTimeClean.bak');
    expect(resumed?.dataWritten).toBeLessThan(full.totalSize);
    expect(resumed?.dataWritten).toBeGreaterThan(0);
    expect(b.output()).not.toContain('failed');
    expect((await cli('migration', 'cutover', 'Sales', '--service-name', 'branch')).code).toBe(0);
    await until('Succeeded', 'Sales', async () => {
      const m = await get('Sales');
      return m.properties.migrationStatus === 'Succeeded' && m;
    });
    await expectBlobsIdentical('Sales');
    // The connection test names the failing hop, and goes on to the next.
    const good = await cli('service', 'test-connection', 'branch', '--backup-folder', folder);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/backupLocation: Succeeded .*4 file\(s\)/);
    expect(good.stdout).toMatch(/uploadStorage: Succeeded .*test blob/);
    const missing = join(root, 'no-such-folder');
    const bad = await cli('service', 'test-connection', 'branch', '--backup-folder', missing);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/backupLocation: Failed/);
    expect(bad.stdout).toMatch(/uploadStorage: Succeeded/);
    // The default service's own runtime takes no jobs: its test runs in the service, at once.
    const embedded = await cli('service', 'test-connection', 'default', '--backup-folder', folder);
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(embedded.stdout).toContain('Checked from node embedded-runtime:');
    expect(embedded.stdout).toMatch(/backupLocation: Succeeded .*4 file\(s\)/);
    expect(embedded.stdout).toMatch(/uploadStorage: Succeeded .*test blob/);
    const embeddedBad = await cli(
      'service',
      'test-connection',
      'default',
      '--backup-folder',
      missing,
    );
    expect(embeddedBad.code).toBe(1);
    expect(embeddedBad.stdout).toMatch(/backupLocation: Failed .*no-such-folder/);
    const shown = await cli('service', 'nodes', 'branch');
    expect(shown.stdout).toContain('integration runtime Online');
    expect(shown.stdout).toMatch(/node-a: last seen/);
    expect(shown.stdout).toMatch(/node-b: last seen .*jobs \d+\/4/);
  });

  it('a node carries on when the service is killed mid-upload and started again', async () => {
    const folder = join(root, 'backups', 'Sales');
    await mkdir(folder, { recursive: true });
    const port = await freePort();
    await service.stop();
    const restart = () =>
      startService({
        dataDir,
        args: ['--poll-interval-ms', '100', '--lease-ms', '1500', '--port', String(port)],
      });
    service = await restart();
    const keys = await service.client.listAuthKeys('branch');
    const a = await node({
      url: service.url,
      authKey: keys.authKey1,
      name: 'node-a',
      args: ['--jobs', '1', '--block-size-kib', '64', '--max-upload-kib-per-second', '256'],
    });
    for (const name of chainNames) await arrive(folder, chain(name));
    await service.client.startMigration('branch', 'Sales', {
      sourceDatabaseName: 'RestoreTimeClean',
      backupFolder: folder,
      offline: false,
    });
    await until('the full to be part uploaded', 'Sales', async () => {
      const f = fileInfo(await get('Sales'), 'RestoreTimeClean.bak');
      return f?.status === 'Uploading' && f.dataWritten > 0 && f.dataWritten < f.totalSize;
    });
    await service.kill('SIGKILL');
    service = await restart();
    await allRestored('Sales');
    await expectBlobsIdentical('Sales');
    // The node said the service was gone, and went on without being started again.
    expect(a.output()).toMatch(/does not answer|no longer gives this node its lease/);
    // The full was taken up from the blocks staged before the kill.
    const full = fileInfo(await get('Sales'), 'RestoreTimeClean.bak');
    expect(full?.dataWritten).toBeLessThan(full?.totalSize ?? 0);
    expect(a.output()).not.toContain('Node node-a is not registered');
  });

  it('a node started before its service registers once the service answers', async () => {
    const keys = await service.client.listAuthKeys('branch');
    await service.stop();
    const port = await freePort();
    const early = await node({
      url: `http://127.0.0.1:${port}`,
      authKey: keys.authKey1,
      name: 'early',
      expectRegistered: false,
    });
    await waitFor('the node to say the service does not answer', () =>
      Promise.resolve(/does not answer.*Registering again in 1 s/.test(early.output())),
    );
    service = await startService({
      dataDir,
      args: ['--poll-interval-ms', '100', '--port', String(port)],
    });
    await waitFor(
      'the node to register',
      () => Promise.resolve(/registered as node early of service branch/.test(early.output())),
      { timeoutMs: 20_000, describe: () => Promise.resolve(early.output()) },
    );
    const shown = await cli('service', 'nodes', 'branch');
    expect(shown.stdout).toMatch(/early: last seen/);
  });

  it('refuses wrong and regenerated keys, and stops a node removed by deleteNode', async () => {
    const wrong = await node({
      url: service.url,
      authKey: 'sqlmig-ir-this-is-not-a-key',
      name: 'stranger',
      expectRegistered: false,
    });
    expect(await wrong.exited).toBe(1);
    expect(wrong.output()).toContain("is not one of any migration service's two keys");
    expect(wrong.output()).not.toContain('sqlmig-ir-this-is-not-a-key');

    const before = await service.client.listAuthKeys('branch');
    const kept = await node({ url: service.url, authKey: before.authKey1, name: 'kept' });
    expect((await cli('service', 'keys', 'branch', '--regenerate', 'authKey1')).code).toBe(0);
    const late = await node({
      url: service.url,
      authKey: before.authKey1,
      name: 'late',
      expectRegistered: false,
    });
    expect(await late.exited).toBe(1);
    expect(late.output()).toContain('regenerated key stops working for new registrations');

    // The node registered before the key changed goes on until it is removed.
    const removed = await cli('service', 'delete-node', 'branch', 'kept');
    expect(removed.code, removed.stderr).toBe(0);
    expect(await kept.exited).toBe(1);
    expect(kept.output()).toContain('deleteNode');
  });

  describe.skipIf(!samba.available)('from an SMB share', () => {
    let server: TestSamba | undefined;
    beforeEach(async () => {
      if (samba.available) server = await samba.start();
    });
    afterEach(async () => {
      await server?.stop();
    });

    it('migrates a chain from \\\\host\\share\\folder through a node, byte for byte', async () => {
      if (!server) throw new Error('Samba did not start');
      const folder = join(server.backupsFolder, 'Sales');
      await mkdir(folder, { recursive: true });
      for (const name of chainNames) await arrive(folder, chain(name));
      const keys = await service.client.listAuthKeys('branch');
      await node({
        url: service.url,
        authKey: keys.authKey1,
        name: 'share-node',
        args: ['--smb-port', String(server.port)],
      });
      await service.client.startMigration('branch', 'SalesShare', {
        sourceDatabaseName: 'RestoreTimeClean',
        backupFolder: server.location('backups', 'Sales'),
        offline: false,
        shareUserName: server.userName,
        sharePassword: server.password,
      });
      const test = (password: string) =>
        service.client.testConnection('branch', {
          path: server?.location('backups', 'Sales') ?? '',
          username: server?.userName ?? '',
          password,
        });
      const wrong = await test('not-the-password');
      expect(wrong.checks[0]).toMatchObject({ hop: 'backupLocation', status: 'Failed' });
      expect(wrong.checks[0]?.message).not.toContain('not-the-password');
      expect((await test(server.password)).checks[0]).toMatchObject({ status: 'Succeeded' });
      await allRestored('SalesShare');
      await expectBlobsIdentical('SalesShare');
      const m = await get('SalesShare');
      expect(JSON.stringify(m)).not.toContain(server.password);
    });
  });
});
