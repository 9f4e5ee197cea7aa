/**
 * The migration engine driving the Managed Instance target against the Log Replay Service stand-in
 * (test support, named as such: an HTTPS server with the ARM calls and a token endpoint, backed by the
 * rehearsal engine). The real target code and pipeline talk to it; the engine, the state store and the
 * local folder runtime are the real ones. Online with cutover, offline with autocomplete, cancel, and
 * a blocked restore whose reason the migration shows. The stand-in's restores are ticked by hand.
 */
import { Agent } from 'node:https';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { statusDetails } from '../../src/service/engine/index.js';
import { hasBackupCorpus } from '../support/corpus.js';
import { LrsStandIn } from '../support/lrs-stand-in/lrs-stand-in.js';
import { standInContainerUrl, targetOnStandIn } from '../support/lrs-stand-in/stand-in-target.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import {
  filesRestored,
  targetEngineRig,
  type TargetEngineRig,
} from '../support/target-engine-rig.js';

let standIn: LrsStandIn;
let agent: Agent;
let rig: TargetEngineRig;

beforeEach(async () => {
  const blobs = new MemoryBlobStore();
  rig = await targetEngineRig({
    blobs,
    target: async (clock) => {
      standIn = await LrsStandIn.start({
        containerUrl: standInContainerUrl,
        rehearsal: { store: blobs, clock, restoreBytesPerSecond: 1024 ** 4 },
      });
      agent = new Agent({ ca: standIn.certPem, keepAlive: false });
      return targetOnStandIn(standIn, agent, { clock });
    },
    between: () => standIn.rehearsal.tick(),
  });
});

afterEach(async () => {
  await rig.close();
  await standIn.close();
  agent.destroy();
});

const create = (mode: 'online' | 'offline', lastBackupName: string | null = null) =>
  rig.create({ kind: 'SqlMi', scope: 'stand-in managed instance', mode, lastBackupName });
const arrive = (name: string) => rig.arrive(name);
const until: TargetEngineRig['until'] = (id, done, limit) => rig.until(id, done, limit);
const restored = filesRestored;

describe.skipIf(!hasBackupCorpus)(
  'migrations to a Managed Instance (Log Replay Service stand-in)',
  () => {
    it('online: restores continuously through Log Replay Service, cuts over, Succeeded', async () => {
      await arrive('RestoreTimeClean.bak');
      await arrive('RestoreTimeClean_1.trn');
      const created = await create('online');
      await until(created.id, (_, files) =>
        restored(files, ['RestoreTimeClean.bak', 'RestoreTimeClean_1.trn']),
      );
      const start = standIn.starts.at(-1)?.body.properties;
      expect(start).toMatchObject({ createMode: 'RestoreExternalBackup' });
      expect(start?.autoCompleteRestore ?? false).toBe(false);
      await arrive('RestoreTimeClean_2.trn');
      await arrive('RestoreTimeClean_3.trn');
      const [ready] = await until(created.id, (_, files) =>
        restored(files, ['RestoreTimeClean_2.trn', 'RestoreTimeClean_3.trn']),
      );
      const cut = await rig.engine.cutover(ready.id, ready.migrationOperationId);
      expect(cut.migrationStatus).toBe('Completing');
      const [done] = await until(created.id, (m) => m.migrationStatus === 'Succeeded');
      expect(done.endedOn).not.toBeNull();
      const completes = standIn.requests.filter(
        (r) => r.startsWith('POST') && r.endsWith('/completeRestore'),
      );
      expect(completes).toHaveLength(1);
    });

    it('offline: starts with autocomplete and the last backup, and ends by itself', async () => {
      for (const name of [
        'RestoreTimeClean.bak',
        'RestoreTimeClean_1.trn',
        'RestoreTimeClean_2.trn',
      ])
        await arrive(name);
      const created = await create('offline', 'RestoreTimeClean_2.trn');
      await until(created.id, (m) => m.migrationStatus === 'Succeeded');
      const start = standIn.starts.at(-1)?.body.properties;
      expect(start).toMatchObject({
        autoCompleteRestore: true,
        lastBackupName: 'RestoreTimeClean_2.log',
      });
    });

    it('shows why a restore is blocked, and cancel deletes the database', async () => {
      await arrive('RestoreTimeClean.bak');
      await arrive('RestoreTimeClean_2.trn'); // _1 missing: a gap
      const created = await create('online');
      const [blocked, files] = await until(
        created.id,
        (m, all) =>
          restored(all, ['RestoreTimeClean.bak']) &&
          statusDetails(m, all).restoreBlockingReason !== null,
      );
      expect(statusDetails(blocked, files).restoreBlockingReason).toMatch(/./);
      expect(await rig.engine.cancel(blocked.id, blocked.migrationOperationId)).toMatchObject({
        migrationStatus: 'Canceling',
      });
      await until(created.id, (m) => m.migrationStatus === 'Canceled');
      expect(standIn.requests.some((r) => /^DELETE .*\/databases\/Sales$/.test(r))).toBe(true);
      expect(await standIn.rehearsal.databaseExists('Sales')).toBe(false);
    });
  },
);
