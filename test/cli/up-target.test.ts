/**
 * `sqlmig up --managed-instance …`: the resource id and the upload storage the Managed Instance
 * target needs are checked at start, each refusal saying what to give. (Restoring through it is
 * tested against the Log Replay Service stand-in: test/e2e/managed-instance-engine.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseManagedInstanceId } from '../../src/targets/index.js';
import { sqlmig } from '../support/service-process.js';

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
});
