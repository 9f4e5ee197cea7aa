/**
 * `sqlmig up --managed-instance …` and `--sql-server …`: what each real target needs is checked at
 * start, each refusal saying what to give; a SQL Server that does not answer shows on the migration,
 * through the real tedious connection, without the password. (Restoring through the targets is tested
 * against the Log Replay Service stand-in and a scripted SQL connection: test/e2e/.)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseManagedInstanceId } from '../../src/targets/index.js';
import { chain } from '../support/chain-files.js';
import { hasBackupCorpus } from '../support/corpus.js';
import { arrive, sqlmig, startService, waitFor } from '../support/service-process.js';

const id =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-data/providers/Microsoft.Sql/managedInstances/mi-prod';

describe('the Managed Instance target at start', () => {
  let dataDir = '';
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sqlmig-up-mi-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reads the three names of a resource id, and refuses what is not one', () => {
    expect(parseManagedInstanceId(id)).toEqual({
      subscriptionId: '00000000-1111-2222-3333-444444444444',
      resourceGroupName: 'rg-data',
      managedInstanceName: 'mi-prod',
    });
    expect(parseManagedInstanceId(id.toLowerCase()).managedInstanceName).toBe('mi-prod');
    expect(() => parseManagedInstanceId('mi-prod')).toThrow(/not a managed instance's resource id/);
    expect(() => parseManagedInstanceId(`${id}/databases/Sales`)).toThrow(/resource id/);
  });

  it('refuses to start without an Azure Blob container to restore from', async () => {
    const result = await sqlmig([
      'up',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--managed-instance',
      id,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--upload-storage-url and --upload-container');
    expect(result.stderr).toContain('SQLMIG_STORAGE_ACCOUNT_KEY');
  });

  it('refuses a malformed resource id, saying where to find the right one', async () => {
    // A well-formed key (base64 of 64 bytes), not a real one: the id is refused before any use.
    process.env.SQLMIG_STORAGE_ACCOUNT_KEY = Buffer.alloc(64, 7).toString('base64');
    const result = await sqlmig([
      'up',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--managed-instance',
      'mi-prod',
      '--upload-storage-url',
      'https://acct.blob.core.windows.net',
      '--upload-container',
      'backups',
    ]);
    delete process.env.SQLMIG_STORAGE_ACCOUNT_KEY;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"mi-prod" is not a managed instance\'s resource id');
    expect(result.stderr).toContain('Properties');
  });

  it('refuses --sql-server without its login, or with --managed-instance', async () => {
    const noUser = await sqlmig([
      'up',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--sql-server',
      'sqlvm1',
    ]);
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).toContain('--sql-user NAME, and its password in SQLMIG_SQL_PASSWORD');
    const both = await sqlmig([
      'up',
      '--data-dir',
      dataDir,
      '--sql-server',
      'sqlvm1',
      '--managed-instance',
      id,
    ]);
    expect(both.stderr).toContain('Give one target');
    process.env.SQLMIG_SQL_PASSWORD = 'Pa55-not-shown';
    const noStorage = await sqlmig([
      'up',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--sql-server',
      'sqlvm1',
      '--sql-user',
      'sa',
    ]);
    delete process.env.SQLMIG_SQL_PASSWORD;
    expect(noStorage.stderr).toContain('--sql-restore-from-disk FOLDER');
  });

  it.skipIf(!hasBackupCorpus)(
    'shows a SQL Server that does not answer on the migration, without the password',
    async () => {
      // A port nothing listens on: the real tedious connection fails to connect.
      const password = 'Pa55-word-never-shown';
      const service = await startService({
        dataDir,
        args: [
          '--poll-interval-ms',
          '100',
          '--sql-server',
          '127.0.0.1:9',
          '--sql-user',
          'sqlmig_restore',
          '--sql-restore-from-disk',
          join(dataDir, 'downloads'),
        ],
        env: { SQLMIG_SQL_PASSWORD: password },
      });
      try {
        expect(service.output()).toContain('Target: SQL Server 127.0.0.1:9');
        const folder = join(dataDir, 'backups');
        await mkdir(folder);
        await arrive(folder, chain('RestoreTimeClean.bak'));
        await service.client.startMigration('default', 'Sales', {
          sourceDatabaseName: 'RestoreTimeClean',
          backupFolder: folder,
          offline: false,
        });
        const shown = await waitFor(
          'the connection failure on the migration',
          async () => {
            const m = await service.client.getMigration('default', 'Sales');
            const text = JSON.stringify(m.properties.migrationStatusDetails);
            return /127\.0\.0\.1:9|connect/i.test(text) && text;
          },
          { timeoutMs: 30_000, describe: () => Promise.resolve(service.output()) },
        );
        expect(shown).not.toContain(password);
        expect(service.output()).not.toContain(password);
      } finally {
        await service.stop();
      }
    },
  );

  it('target check: the rehearsal target says whether the name is free', async () => {
    const service = await startService({ dataDir });
    try {
      const free = await sqlmig(['target', 'check', '--target-db', 'Sales', '--data-dir', dataDir]);
      expect(free.code, free.stderr).toBe(0);
      expect(free.stdout).toContain('Target Rehearsal');
      expect(free.stdout).toMatch(/databaseName: Succeeded\. No database Sales/);
    } finally {
      await service.stop();
    }
  });
});
