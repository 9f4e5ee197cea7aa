/**
 * The migration engine driving the SQL Server target, whose connection is a scripted one (a stand-in:
 * no SQL Server runs here; it answers the catalog queries and RESTORE statements and records what was
 * sent). The engine, the state store, the local folder runtime and the target are the real ones; the
 * target restores in the background as the engine polls it. Online with cutover: the statements reach
 * the instance in order (full with MOVE, each log once, RECOVERY at cutover); cancel drops the
 * database.
 */
import { readFile } from 'node:fs/promises';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { memorySource, readBackupMedia } from '../../src/backup/index.js';
import { createSqlServerTarget } from '../../src/targets/index.js';
import { chain, chainNames } from '../support/chain-files.js';
import { hasBackupCorpus } from '../support/corpus.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import {
  ScriptedSqlConnection,
  scriptInstance,
  type SentStatement,
} from '../support/scripted-sql.js';
import {
  filesRestored,
  targetEngineRig,
  type TargetEngineRig,
} from '../support/target-engine-rig.js';

const containerUrl = 'https://sqlmigtest.blob.core.windows.net/migrations';
const accountKey = Buffer.from('stand-in storage account key, not a real one').toString('base64');

let rig: TargetEngineRig;
let sent: SentStatement[];

beforeEach(async () => {
  const full = await readBackupMedia(
    memorySource('full', await readFile(chain('RestoreTimeClean.bak'))),
  );
  sent = [];
  // The database exists once RESTORE DATABASE was sent, until DROP DATABASE (as on an instance).
  const exists = () => {
    const last = sent.findLast((x) => /^(RESTORE DATABASE|DROP DATABASE)/.test(x.sql));
    return last !== undefined && last.sql.startsWith('RESTORE DATABASE');
  };
  const connection = scriptInstance(new ScriptedSqlConnection(sent), full.sets[0]?.files ?? [])
    .on(/^SELECT DB_ID/, () => [{ databaseId: exists() ? 5 : null }])
    .on(/sys\.databases/, () => (exists() ? [{ state_desc: 'RESTORING' }] : []));
  const blobs = new MemoryBlobStore();
  rig = await targetEngineRig({
    blobs,
    target: (clock) =>
      createSqlServerTarget({
        connect: () => Promise.resolve(connection),
        instanceDescription: 'SQL Server sqlvm1:1433 (scripted stand-in)',
        store: blobs,
        source: { kind: 'Url', containerUrl, accountKey },
        pollIntervalMs: 0,
        clock,
      }),
    // The target restores in the background: give its statements a moment.
    between: () => new Promise((resolve) => setTimeout(resolve, 20)),
  });
});

afterEach(async () => {
  await rig.close();
});

const create = () => rig.create({ kind: 'SqlVm', scope: 'sqlvm1', mode: 'online' });
const until = async (id: string, done: Parameters<TargetEngineRig['until']>[1]) =>
  (await rig.until(id, done))[0];

const kinds = () =>
  sent
    .map((s) =>
      s.sql.startsWith('RESTORE LOG')
        ? `LOG ${
            String(s.params.url0 ?? '')
              .split('/')
              .pop() ?? ''
          }`
        : s.sql.startsWith('RESTORE DATABASE') && s.sql.includes('WITH RECOVERY')
          ? 'RECOVERY'
          : s.sql.startsWith('RESTORE DATABASE')
            ? 'RESTORE DATABASE'
            : s.sql.startsWith('DROP DATABASE')
              ? 'DROP'
              : null,
    )
    .filter((k) => k !== null);

describe.skipIf(!hasBackupCorpus)('migrations to SQL Server (scripted connection)', () => {
  it('online: the full and each log restored once, in order, RECOVERY at cutover, Succeeded', async () => {
    for (const name of chainNames) await rig.arrive(name);
    const created = await create();
    const ready = await until(created.id, (_, files) => filesRestored(files, chainNames));
    expect(kinds()).toEqual([
      'RESTORE DATABASE',
      'LOG RestoreTimeClean_1.log',
      'LOG RestoreTimeClean_2.log',
      'LOG RestoreTimeClean_3.log',
    ]);
    const full = sent.find((s) => s.sql.startsWith('RESTORE DATABASE'));
    expect(full?.sql).toMatch(/WITH .*NORECOVERY/);
    expect(full?.sql).toContain('MOVE');
    expect(Object.values(full?.params ?? {})).toContain('D:\\SQLData\\Sales_RestoreTimeClean.mdf');
    await rig.engine.cutover(ready.id, ready.migrationOperationId);
    await until(created.id, (m) => m.migrationStatus === 'Succeeded');
    expect(kinds().at(-1)).toBe('RECOVERY');
  });

  it('cancel drops the database being restored', async () => {
    await rig.arrive('RestoreTimeClean.bak');
    const created = await create();
    const restoring = await until(created.id, (_, files) =>
      files.some((f) => f.fileName === 'RestoreTimeClean.bak' && f.status === 'Restored'),
    );
    await rig.engine.cancel(restoring.id, restoring.migrationOperationId);
    await until(created.id, (m) => m.migrationStatus === 'Canceled');
    expect(kinds().at(-1)).toBe('DROP');
  });
});
