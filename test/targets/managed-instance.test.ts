import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { memorySource, readBackupMedia, type DatabaseFile } from '../../src/backup/index.js';
import { uploadName } from '../../src/planning/index.js';
import {
  isRestoreTargetError,
  type ManagedInstanceTarget,
  type ManagedInstanceTargetOptions,
  type RestoreTargetErrorCode,
} from '../../src/targets/index.js';
import { corpusFile, corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';
import { LrsStandIn } from '../support/lrs-stand-in/lrs-stand-in.js';
import { restoreDetailsProblems } from '../support/lrs-stand-in/schema-check.js';
import {
  standInAccountKey,
  standInContainerUrl,
  targetOnStandIn,
} from '../support/lrs-stand-in/stand-in-target.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { fullWithUnnamedContainer } from '../support/synthetic-backup.js';

if (!hasBackupCorpus)
  console.warn(`Skipping the Managed Instance target's tests: ${corpusSkipReason}.`);

const t0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const containerUrl = standInContainerUrl;
const accountKey = standInAccountKey;
const chain = {
  full: 'RestoreTimeClean.bak',
  log1: 'RestoreTimeClean_1.trn',
  log2: 'RestoreTimeClean_2.trn',
  log3: 'RestoreTimeClean_3.trn',
} as const;

class Clock {
  ms = t0;
  now(): Date {
    return new Date(this.ms);
  }
}

interface Rig {
  readonly standIn: LrsStandIn;
  readonly store: MemoryBlobStore;
  readonly clock: Clock;
  readonly agent: Agent;
  readonly target: (
    overrides?: Partial<ManagedInstanceTargetOptions>,
    secret?: string,
  ) => ManagedInstanceTarget;
  /** Uploads a chain file into `Sales/` under its upload name; returns the blob name. */
  readonly upload: (file: keyof typeof chain) => Promise<string>;
  /** Moves the rehearsal behind the stand-in to t0 + ms. */
  readonly at: (ms: number) => Promise<void>;
}

let rig: Rig;

beforeEach(async () => {
  const store = new MemoryBlobStore();
  const clock = new Clock();
  const standIn = await LrsStandIn.start({
    containerUrl,
    rehearsal: { store, clock, restoreBytesPerSecond: 1024 * 1024 },
  });
  const agent = new Agent({ ca: standIn.certPem, keepAlive: false });
  rig = {
    standIn,
    store,
    clock,
    agent,
    target: (overrides = {}, secret = standIn.clientSecret) =>
      targetOnStandIn(standIn, agent, {
        secret,
        // Each call reads Azure again here; the reuse has its own test.
        detailsMaxAgeMs: 0,
        clock,
        ...overrides,
      }),
    upload: async (file) => {
      const path = `appveyor-lab/RestoreTimeClean/${chain[file]}`;
      const bytes = readFileSync(corpusFile(path));
      const media = await readBackupMedia(memorySource(path, bytes));
      const name = `Sales/${uploadName(path, media.sets[0]?.header.BackupType ?? null)}`;
      await store.put(name, bytes);
      return name;
    },
    at: async (ms) => {
      clock.ms = t0 + ms;
      await standIn.rehearsal.tick();
    },
  };
});

afterEach(async () => {
  await rig.standIn.close();
  rig.agent.destroy();
});

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: RestoreTargetErrorCode; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRestoreTargetError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

/** The SAS parameters of the last start request. */
function lastSas(): URLSearchParams {
  const token = rig.standIn.starts.at(-1)?.body.properties?.storageContainerSasToken;
  expect(typeof token).toBe('string');
  return new URLSearchParams(String(token));
}

const sales = { databaseName: 'Sales', folder: 'Sales' };

describe.skipIf(!hasBackupCorpus)(
  'the Managed Instance target against the Log Replay Service stand-in',
  () => {
    it('online: starts in continuous mode, follows the restore file by file, completes at cutover', async () => {
      const target = rig.target();
      const full = await rig.upload('full');
      await target.start(sales);

      const start = rig.standIn.starts[0];
      expect(start?.body).toMatchObject({
        location: 'westeurope',
        properties: {
          createMode: 'RestoreExternalBackup',
          storageContainerUri: `${containerUrl}/Sales`,
          storageContainerIdentity: 'SharedAccessSignature',
          autoCompleteRestore: false,
          collation: 'SQL_Latin1_General_CP1_CI_AS',
        },
      });
      expect(start?.body.properties).not.toHaveProperty('lastBackupName');
      // The PUT was answered 202 and its operation polled to Succeeded, then the database read back.
      expect(
        rig.standIn.requests.filter((r) => r.includes('managedDatabaseAzureAsyncOperation')),
      ).toHaveLength(2);

      await rig.at(100);
      let details = await target.details('Sales');
      expect(details).toMatchObject({
        status: 'Restoring',
        currentRestoringFileName: full,
        lastRestoredFileName: null,
        lastUploadedFileName: full,
        numberOfFilesDetected: 1,
        numberOfFilesRestoring: 1,
      });
      expect(restoreDetailsProblems(rig.standIn.lastDetailsBody, 'objects')).toEqual([]);
      // Log Replay Service names files within the folder; the port names blobs.
      expect(JSON.stringify(rig.standIn.lastDetailsBody)).toContain(
        '"currentRestoringFileName":"RestoreTimeClean.bak"',
      );

      await rig.at(1500);
      details = await target.details('Sales');
      expect(details).toMatchObject({
        currentRestoringFileName: null,
        lastRestoredFileName: full,
        numberOfFilesRestored: 1,
      });
      expect(details.fullBackupSets[0]).toMatchObject({
        status: 'Restored',
        firstStripeName: full,
        numberOfStripes: 1,
      });

      const log1 = await rig.upload('log1');
      await rig.at(2000);
      expect((await target.details('Sales')).currentRestoringFileName).toBe(log1);
      await rig.at(3000);
      details = await target.details('Sales');
      expect(details.lastRestoredFileName).toBe(log1);
      expect(details.logBackupSets.map((s) => [s.firstStripeName, s.status])).toEqual([
        [log1, 'Restored'],
      ]);
      expect(restoreDetailsProblems(rig.standIn.lastDetailsBody, 'objects')).toEqual([]);

      await target.complete('Sales', log1);
      await rig.at(3100);
      details = await target.details('Sales');
      expect(details.status).toBe('Completed');
      expect(details.percentCompleted).toBe(100);
      expect(rig.standIn.requests).toContain(
        `POST /subscriptions/${rig.standIn.subscriptionId}/resourceGroups/${rig.standIn.resourceGroupName}/providers/Microsoft.Sql/managedInstances/${rig.standIn.managedInstanceName}/databases/Sales/completeRestore`,
      );
      // A second cutover is refused with Log Replay Service's name for it.
      expect((await refusal(target.complete('Sales', log1))).code).toBe(
        'ManagedDatabaseNotInRestoringState',
      );
      expect(await target.databaseExists('Sales')).toBe(true);
    });

    it('offline: autocomplete with lastBackupName (within the folder) completes by itself', async () => {
      const target = rig.target();
      for (const file of ['full', 'log1', 'log2'] as const) await rig.upload(file);
      const last = await rig.upload('log3');
      await target.start({ ...sales, lastBackupName: last });
      expect(rig.standIn.starts[0]?.body.properties).toMatchObject({
        autoCompleteRestore: true,
        lastBackupName: 'RestoreTimeClean_3.log',
      });
      for (const ms of [2_000, 4_000, 6_000, 8_000, 10_000]) await rig.at(ms);
      const details = await target.details('Sales');
      expect(details.status).toBe('Completed');
      expect(details.lastRestoredFileName).toBe(last);
      expect(details.logBackupSets.map((s) => s.status)).toEqual([
        'Restored',
        'Restored',
        'Restored',
      ]);
    });

    it('stop deletes the database (through the long-running DELETE)', async () => {
      const target = rig.target();
      await rig.upload('full');
      await target.start(sales);
      expect(await target.databaseExists('Sales')).toBe(true);
      await target.stop('Sales');
      expect(rig.standIn.requests.filter((r) => r.startsWith('DELETE '))).toHaveLength(1);
      expect(await target.databaseExists('Sales')).toBe(false);
      // Stopping what is not there is no error (204).
      await target.stop('Sales');
    });

    it('refuses a database that exists, without sending the start', async () => {
      rig.standIn.otherDatabases.add('sales');
      const { code, message } = await refusal(rig.target().start(sales));
      expect(code).toBe('DatabaseExists');
      expect(message).toMatch(
        /database Sales exists on managed instance mi-stand-in; sqlmig never overwrites/,
      );
      expect(rig.standIn.starts).toEqual([]);
    });

    it('refuses an instance that is not Ready, and one that is not there', async () => {
      rig.standIn.instance.state = 'Stopped';
      const notReady = await refusal(rig.target().start(sales));
      expect(notReady.code).toBe('InstanceNotReady');
      expect(notReady.message).toContain('mi-stand-in is Stopped, not Ready');
      const missing = await refusal(rig.target({ managedInstanceName: 'mi-absent' }).start(sales));
      expect(missing.code).toBe('InstanceNotFound');
      expect(rig.standIn.starts).toEqual([]);
    });

    it('checks alone what a start would (target check), sending no change', async () => {
      const target = rig.target();
      const ok = await target.check(sales);
      expect(ok.map((c) => [c.check, c.status])).toEqual([
        ['request', 'Succeeded'],
        ['instance', 'Succeeded'],
        ['databaseName', 'Succeeded'],
      ]);
      expect(ok[1]?.message).toContain('mi-stand-in is Ready (BusinessCritical');
      rig.standIn.otherDatabases.add('sales'); // the stand-in keeps them in lower case
      const taken = await target.check(sales);
      expect(taken.find((c) => c.check === 'databaseName')).toMatchObject({ status: 'Failed' });
      expect(taken.find((c) => c.check === 'databaseName')?.message).toContain('never overwrites');
      rig.standIn.instance.state = 'Stopping';
      const stopped = await target.check({ databaseName: 'Other', folder: 'Other' });
      expect(stopped.map((c) => [c.check, c.status])).toEqual([
        ['request', 'Succeeded'],
        ['instance', 'Failed'],
      ]);
      const changes = rig.standIn.requests.filter(
        (r) => !r.includes('/oauth2/') && /^(PUT|POST|DELETE) /.test(r),
      );
      expect(changes).toEqual([]);
    });

    it('refuses a memory-optimized filegroup on General Purpose, by design; Business Critical takes it', async () => {
      await rig.upload('full');
      const files: DatabaseFile[] = [
        {
          FileId: 1,
          Type: 'D',
          FileGroupName: 'PRIMARY',
          FileGroupId: 1,
          LogicalName: 'Sales',
          PhysicalName: 'D:\\Sales.mdf',
          Size: 8_388_608n,
          UniqueId: null,
        },
        {
          FileId: 2,
          Type: 'L',
          FileGroupName: null,
          FileGroupId: 0,
          LogicalName: 'Sales_log',
          PhysicalName: 'D:\\Sales_log.ldf',
          Size: 8_388_608n,
          UniqueId: null,
        },
        {
          FileId: 3,
          Type: 'S',
          FileGroupName: 'Sales_mod',
          FileGroupId: 2,
          LogicalName: 'Sales_mod1',
          PhysicalName: 'D:\\Sales_mod1',
          Size: 0n,
          UniqueId: null,
        },
      ];
      rig.standIn.instance.tier = 'GeneralPurpose';
      const { code, message } = await refusal(
        rig.target().start({ ...sales, databaseFiles: files }),
      );
      expect(code).toBe('InMemoryOltpNotSupported');
      expect(message).toContain('Sales_mod');
      expect(message).toContain('General Purpose has no In-Memory OLTP');
      expect(rig.standIn.starts).toEqual([]);
      // Without memory-optimized files General Purpose is fine; so is Business Critical with them.
      await rig.target().start({ ...sales, databaseFiles: files.slice(0, 2) });
      await rig.target().stop('Sales');
      rig.standIn.instance.tier = 'BusinessCritical';
      await rig.target().start({ ...sales, databaseFiles: files });
      expect(rig.standIn.starts).toHaveLength(2);
    });

    it('refuses, on General Purpose, a backup whose reader left a file type unnamed (a container), naming it; Business Critical starts it with the FILESTREAM caveat', async () => {
      // A full whose catalog has a file with SFIN type code 3 (no published code: read as unnamed).
      const bytes = fullWithUnnamedContainer();
      const media = await readBackupMedia(memorySource('Sales_full.bak', bytes));
      const files = media.sets[0]?.files ?? [];
      expect(files.map((f) => f.Type)).toEqual(['D', 'L', null]);
      await rig.store.put(`Sales/${uploadName('Sales_full.bak', 1)}`, bytes);
      const request = { ...sales, databaseFiles: files };

      rig.standIn.instance.tier = 'GeneralPurpose';
      const { code, message } = await refusal(rig.target().start(request));
      expect(code).toBe('InMemoryOltpNotSupported');
      expect(message).toContain('filegroup Sales_mod: Sales_mod1 (type code 3)');
      expect(message).toContain(
        'cannot name type code 3 (the codes are not published) and reads it as a FILESTREAM or memory-optimized container',
      );
      expect(message).toContain('General Purpose has no In-Memory OLTP');
      expect(message).toContain('no FILESTREAM on any tier');
      expect(rig.standIn.starts).toEqual([]);
      const gp = await rig.target().check(request);
      expect(gp.find((c) => c.check === 'inMemoryOltp')).toMatchObject({
        status: 'Failed',
        message,
      });
      // The data file and the log alone are fine on General Purpose.
      const plain = await rig.target().check({ ...sales, databaseFiles: files.slice(0, 2) });
      expect(plain.find((c) => c.check === 'inMemoryOltp')).toEqual({
        check: 'inMemoryOltp',
        status: 'Succeeded',
        message: 'The backup has no FILESTREAM or memory-optimized container.',
      });

      rig.standIn.instance.tier = 'BusinessCritical';
      const bc = await rig.target().check(request);
      const bcCheck = bc.find((c) => c.check === 'inMemoryOltp');
      expect(bcCheck?.status).toBe('Succeeded');
      expect(bcCheck?.message).toContain('Sales_mod1 (type code 3)');
      expect(bcCheck?.message).toContain('is Business Critical');
      expect(bcCheck?.message).toContain('if it is a FILESTREAM filegroup the restore will fail');
      await rig.target().start(request);
      expect(rig.standIn.starts).toHaveLength(1);
    });

    it.each(['objects', 'strings'] as const)(
      'maps unrestorableFiles given as %s, adding the folder',
      async (shape) => {
        rig.standIn.shape = shape;
        const target = rig.target();
        await rig.upload('full');
        await rig.store.put('Sales/ImageFile.JPG', new Uint8Array([0xff, 0xd8, 0xff]));
        await target.start(sales);
        await rig.at(100);
        const details = await target.details('Sales');
        expect(restoreDetailsProblems(rig.standIn.lastDetailsBody, shape)).toEqual([]);
        const raw = (
          rig.standIn.lastDetailsBody as { properties: { unrestorableFiles: unknown[] } }
        ).properties.unrestorableFiles;
        expect(raw).toEqual([shape === 'objects' ? { name: 'ImageFile.JPG' } : 'ImageFile.JPG']);
        expect(details.unrestorableFiles).toEqual([{ name: 'Sales/ImageFile.JPG', reason: null }]);
        expect(details.currentRestoringFileName).toBe('Sales/RestoreTimeClean.bak');
        // The first published shape has no counts nor sets: they read as 0 and empty.
        if (shape === 'strings')
          expect(details).toMatchObject({ numberOfFilesRestoring: 0, fullBackupSets: [] });
        else
          expect(details).toMatchObject({
            numberOfFilesRestoring: 1,
            numberOfFilesUnrestorable: 1,
          });
      },
    );

    it('a wrong secret (401 from the token endpoint) and a missing role (403) say which identity, never a secret', async () => {
      const wrong = await refusal(rig.target({}, 'not-the-secret').databaseExists('Sales'));
      expect(wrong.code).toBe('AuthenticationFailed');
      expect(wrong.message).toContain(`service principal ${rig.standIn.clientId}`);
      expect(wrong.message).toContain('AADSTS7000215');
      expect(wrong.message).not.toContain('not-the-secret');

      rig.standIn.denied.add('Microsoft.Sql/managedInstances/databases/write');
      await rig.upload('full');
      const denied = await refusal(rig.target().start(sales));
      expect(denied.code).toBe('AuthorizationFailed');
      expect(denied.message).toContain('Microsoft.Sql/managedInstances/databases/write');
      expect(denied.message).toContain('SQL Managed Instance Contributor');
      expect(denied.message).toContain(`service principal ${rig.standIn.clientId}`);
      for (const message of [wrong.message, denied.message]) {
        expect(message).not.toContain(rig.standIn.clientSecret);
        expect(message).not.toContain(accountKey);
        expect(message).not.toMatch(/sig=[^<]/);
        expect(message).not.toMatch(/Bearer [A-Za-z0-9]/);
      }
    });

    it('an ARM token the service does not accept (401) is reported as authentication', async () => {
      const target = rig.target({
        credential: {
          getToken: () =>
            Promise.resolve({
              token: 'forged-token-value',
              expiresOnTimestamp: Date.now() + 3_600_000,
            }),
        },
        credentialDescription: 'a forged token',
      });
      const { code, message } = await refusal(target.databaseExists('Sales'));
      expect(code).toBe('AuthenticationFailed');
      expect(message).toContain('InvalidAuthenticationToken');
      expect(message).not.toContain('forged-token-value');
    });

    it('reuses restore details for detailsMaxAgeMs, and reads them again after a cutover', async () => {
      const target = rig.target({ detailsMaxAgeMs: 10_000 });
      await rig.upload('full');
      await target.start(sales);
      const reads = () =>
        rig.standIn.requests.filter((r) => r.endsWith('/restoreDetails/Default')).length;
      const first = await target.details('Sales');
      await rig.at(5_000);
      expect(await target.details('Sales')).toBe(first);
      expect(reads()).toBe(1);
      await rig.at(10_000);
      const later = await target.details('Sales');
      expect(later).not.toBe(first);
      expect(reads()).toBe(2);
      await rig.upload('log1');
      await rig.at(12_000);
      await rig.at(13_000);
      await target.complete('Sales', 'Sales/RestoreTimeClean_1.log');
      await target.details('Sales');
      expect(reads()).toBe(3);
    });

    it('signs a SAS with Read + List only, expiring beyond the 30-day job', async () => {
      await rig.upload('full');
      await rig.target().start(sales);
      const sas = lastSas();
      expect(sas.get('sp')).toBe('rl');
      expect(sas.get('sr')).toBe('c');
      expect(sas.get('spr')).toBe('https');
      expect(sas.get('sig')).toBeTruthy();
      const expiry = Date.parse(sas.get('se') ?? '');
      const days = (expiry - t0) / 86_400_000;
      expect(days).toBeGreaterThan(30);
      expect(days).toBeLessThanOrEqual(35);
    });

    it('gives restores started from one container the same SAS, and a new one once 30 days or less are left', async () => {
      await rig.upload('full');
      const target = rig.target();
      await target.start(sales);
      const first = lastSas().toString();
      await target.start({ databaseName: 'Sales2', folder: 'Sales2' });
      expect(lastSas().toString()).toBe(first);
      rig.clock.ms = t0 + 3 * 86_400_000 + 1;
      await target.start({ databaseName: 'Sales3', folder: 'Sales3' });
      const renewed = lastSas();
      expect(renewed.toString()).not.toBe(first);
      expect(Date.parse(renewed.get('se') ?? '') - rig.clock.ms).toBeGreaterThan(30 * 86_400_000);
    });

    it('with the managed identity, sends no SAS', async () => {
      await rig.upload('full');
      await rig.target({ storage: { kind: 'ManagedIdentity', containerUrl } }).start(sales);
      const properties = rig.standIn.starts[0]?.body.properties;
      expect(properties).toMatchObject({ storageContainerIdentity: 'ManagedIdentity' });
      expect(properties).not.toHaveProperty('storageContainerSasToken');
    });

    it('refuses folders Log Replay Service refuses before calling Azure', async () => {
      const target = rig.target();
      expect(
        (await refusal(target.start({ databaseName: 'Sales', folder: 'SalesBackups' }))).code,
      ).toBe('BackupWordInPath');
      expect((await refusal(target.start({ databaseName: 'Sales', folder: 'a/b' }))).code).toBe(
        'InvalidRequest',
      );
      expect(rig.standIn.requests).toEqual([]);
      expect(() =>
        rig.target({
          storage: { kind: 'ManagedIdentity', containerUrl: `${containerUrl}backups` },
        }),
      ).toThrow(/contains "backup"/);
    });
  },
);
