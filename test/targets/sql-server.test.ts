/**
 * The SQL Server target's T-SQL, statement by statement, for a real chain from the corpus
 * (RestoreTimeClean: a full and three logs), sent to a scripted connection (a stand-in: no SQL
 * Server runs here). Each test checks the statements IN ORDER: refusal of an existing database, the
 * credential, the certificate checks, the file list, the full with MOVE, the logs, RECOVERY.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeEach, describe, expect, it } from 'vitest';

import { memorySource, readBackupMedia, type BackupMedia } from '../../src/backup/index.js';
import { uploadName } from '../../src/planning/index.js';
import {
  createSqlServerTarget,
  isRestoreTargetError,
  type SqlServerTarget,
  type SqlServerTargetOptions,
} from '../../src/targets/index.js';
import { corpusFile, corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { fullWithUnnamedContainer } from '../support/synthetic-backup.js';
import {
  ScriptedSqlConnection,
  scriptInstance,
  serverError,
  type SentStatement,
} from '../support/scripted-sql.js';

if (!hasBackupCorpus) console.warn(`Skipping the SQL Server target's tests: ${corpusSkipReason}.`);

const containerUrl = 'https://sqlmigtest.blob.core.windows.net/migrations';
const accountKey = Buffer.from('stand-in storage account key, not a real one').toString('base64');
const chain = {
  full: 'RestoreTimeClean.bak',
  log1: 'RestoreTimeClean_1.trn',
  log2: 'RestoreTimeClean_2.trn',
  log3: 'RestoreTimeClean_3.trn',
} as const;
type ChainFile = keyof typeof chain;

const media = new Map<ChainFile, BackupMedia>();
const blobNames = new Map<ChainFile, string>();

async function readChain(): Promise<void> {
  for (const file of Object.keys(chain) as ChainFile[]) {
    if (media.has(file)) continue;
    const path = `appveyor-lab/RestoreTimeClean/${chain[file]}`;
    const read = await readBackupMedia(memorySource(path, readFileSync(corpusFile(path))));
    media.set(file, read);
    blobNames.set(file, `Sales/${uploadName(path, read.sets[0]?.header.BackupType ?? null)}`);
  }
}

function blob(file: ChainFile): string {
  const name = blobNames.get(file);
  if (!name) throw new Error(`${file} not read`);
  return name;
}

function url(file: ChainFile): string {
  return `${containerUrl}/${blob(file)}`;
}

function lastLsn(file: ChainFile): string {
  return String(media.get(file)?.sets[0]?.header.LastLSN);
}

/** A short name for each statement, to compare sequences. */
function label(sent: SentStatement): string {
  const sql = sent.sql;
  if (sql.startsWith('SELECT DB_ID')) return 'DB_ID';
  if (sql.includes('sys.databases')) return 'STATE';
  if (sql.includes('redo_start_lsn')) return 'REDO';
  if (sql.includes('CREDENTIAL')) return 'CREDENTIAL';
  if (sql.startsWith('RESTORE HEADERONLY')) return 'HEADERONLY';
  if (sql.startsWith('RESTORE FILELISTONLY')) return 'FILELISTONLY';
  if (sql.includes('sys.certificates')) return 'CERTIFICATES';
  if (sql.includes('InstanceDefaultDataPath')) return 'PATHS';
  if (sql.startsWith('RESTORE DATABASE') && sql.includes('WITH RECOVERY')) return 'RECOVERY';
  if (sql.startsWith('RESTORE DATABASE')) return 'RESTORE DATABASE';
  if (sql.startsWith('RESTORE LOG')) {
    const device = String(sent.params.url0 ?? sent.params.disk0 ?? '');
    const file = (Object.keys(chain) as ChainFile[]).find((f) =>
      device.endsWith(blob(f).slice('Sales/'.length)),
    );
    return `LOG ${file ?? device}`;
  }
  if (sql.startsWith('DROP DATABASE')) return 'DROP';
  return sql;
}

interface Rig {
  readonly store: MemoryBlobStore;
  readonly sent: SentStatement[];
  readonly connection: ScriptedSqlConnection;
  readonly target: (
    overrides?: Partial<SqlServerTargetOptions>,
    connection?: ScriptedSqlConnection,
  ) => SqlServerTarget;
  readonly upload: (...files: ChainFile[]) => Promise<void>;
  readonly labels: () => string[];
}

let rig: Rig;

beforeEach(async () => {
  await readChain();
  const store = new MemoryBlobStore();
  const sent: SentStatement[] = [];
  const connection = scriptInstance(
    new ScriptedSqlConnection(sent),
    media.get('full')?.sets[0]?.files ?? [],
  );
  rig = {
    store,
    sent,
    connection,
    target: (overrides = {}, conn = connection) =>
      createSqlServerTarget({
        connect: () => Promise.resolve(conn),
        instanceDescription: 'SQL Server sqlvm1:1433 (scripted stand-in)',
        store,
        source: { kind: 'Url', containerUrl, accountKey },
        autoAdvance: false,
        ...overrides,
      }),
    upload: async (...files) => {
      for (const file of files) {
        const path = `appveyor-lab/RestoreTimeClean/${chain[file]}`;
        await store.put(blob(file), readFileSync(corpusFile(path)));
      }
    },
    labels: () => sent.map(label),
  };
});

const request = { databaseName: 'Sales', folder: 'Sales' } as const;

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRestoreTargetError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe.skipIf(!hasBackupCorpus)('SQL Server target (scripted connection)', () => {
  it('restores the chain with the statements in order: credential, file list, full with MOVE, logs, RECOVERY at cutover', async () => {
    await rig.upload('full', 'log1', 'log2', 'log3');
    const target = rig.target();
    await target.start(request);
    expect(rig.labels()).toEqual(['DB_ID', 'CREDENTIAL', 'HEADERONLY', 'FILELISTONLY']);
    await target.advance('Sales');
    expect(rig.labels()).toEqual([
      'DB_ID',
      'CREDENTIAL',
      'HEADERONLY',
      'FILELISTONLY',
      'PATHS',
      'RESTORE DATABASE',
      'REDO',
      'LOG log1',
      'LOG log2',
      'LOG log3',
    ]);
    const [dbId, credential, header, fileList, , full, , log1] = rig.sent;
    expect(dbId?.params).toEqual({ name: 'Sales' });
    // The credential is named after the container; the SAS is bound, never in the text.
    expect(credential?.sql).toContain(
      `CREDENTIAL [${containerUrl}] WITH IDENTITY = N''SHARED ACCESS SIGNATURE''`,
    );
    const sas = String(credential?.params.secret);
    expect(sas).toMatch(/(^|&)sp=rl(&|$)/);
    expect(sas.startsWith('?')).toBe(false);
    for (const s of rig.sent) expect(s.sql).not.toContain(sas);
    expect(header?.sql).toBe('RESTORE HEADERONLY FROM URL = @url0;');
    expect(fileList?.sql).toBe('RESTORE FILELISTONLY FROM URL = @url0;');
    expect(fileList?.params).toEqual({ url0: url('full') });
    // The corpus backups have no checksums: WITH CHECKSUM would fail (3187), so it is left out.
    expect(full?.sql).toBe(
      'RESTORE DATABASE [Sales] FROM URL = @url0 WITH NORECOVERY, MOVE @logical0 TO @physical0, MOVE @logical1 TO @physical1, STATS = 10;',
    );
    expect(full?.params).toEqual({
      url0: url('full'),
      logical0: 'RestoreTimeClean',
      physical0: 'D:\\SQLData\\Sales_RestoreTimeClean.mdf',
      logical1: 'RestoreTimeClean_log',
      physical1: 'L:\\SQLLog\\Sales_RestoreTimeClean_log.ldf',
    });
    expect(log1?.sql).toBe('RESTORE LOG [Sales] FROM URL = @url0 WITH NORECOVERY;');
    expect(log1?.params).toEqual({ url0: url('log1') });

    const before = await target.details('Sales');
    expect(before.status).toBe('Restoring');
    expect(before.lastRestoredFileName).toBe(blob('log3'));
    expect(before.numberOfFilesRestored).toBe(4);
    expect(before.logBackupSets.map((s) => s.status)).toEqual(['Restored', 'Restored', 'Restored']);

    await target.complete('Sales', blob('log3'));
    expect(rig.labels().slice(10)).toEqual(['RECOVERY']);
    expect(rig.sent.at(-1)?.sql).toBe('RESTORE DATABASE [Sales] WITH RECOVERY;');
    const after = await target.details('Sales');
    expect(after.status).toBe('Completed');
    expect(after.percentCompleted).toBe(100);
  });

  it('moves a file whose type the reader could not name to a folder (a container), not to an .ndf', async () => {
    // The reader's file list of a full with a file of SFIN type code 3 (not published: Type null).
    const synthetic = await readBackupMedia(
      memorySource('container.bak', fullWithUnnamedContainer()),
    );
    const files = synthetic.sets[0]?.files ?? [];
    expect(files.map((f) => f.Type)).toEqual(['D', 'L', null]);
    await rig.upload('full');
    const target = rig.target();
    await target.start({ ...request, databaseFiles: files });
    await target.advance('Sales');
    const full = rig.sent.find((s) => label(s) === 'RESTORE DATABASE');
    expect(full?.sql).toContain(
      'MOVE @logical0 TO @physical0, MOVE @logical1 TO @physical1, MOVE @logical2 TO @physical2,',
    );
    expect(full?.params).toMatchObject({
      logical0: 'synthetic',
      physical0: 'D:\\SQLData\\Sales_synthetic.mdf',
      logical1: 'synthetic_log',
      physical1: 'L:\\SQLLog\\Sales_synthetic_log.ldf',
      logical2: 'Sales_mod1',
      physical2: 'D:\\SQLData\\Sales_Sales_mod1',
    });
  });

  it('skips a log that redo_start_lsn says the database already holds', async () => {
    await rig.upload('full', 'log1', 'log2', 'log3');
    rig.connection.on(/redo_start_lsn/, [{ redoStartLsn: lastLsn('log1') }]);
    const target = rig.target();
    await target.start(request);
    await target.advance('Sales');
    expect(rig.labels().slice(4)).toEqual([
      'PATHS',
      'RESTORE DATABASE',
      'REDO',
      'LOG log2',
      'LOG log3',
    ]);
    const details = await target.details('Sales');
    expect(details.logBackupSets.map((s) => s.status)).toEqual(['Skipped', 'Restored', 'Restored']);
    expect(details.numberOfFilesSkipped).toBe(1);
  });

  it('answers error 4326 (log too early) by skipping the log and going on', async () => {
    await rig.upload('full', 'log1', 'log2', 'log3');
    rig.connection.on(
      /^RESTORE LOG/,
      serverError(
        [
          4326,
          `The log in this backup set terminates at LSN ${lastLsn('log2')}, which is too early to apply to the database. A more recent log backup that includes LSN ${lastLsn('log2')} can be restored.`,
        ],
        [3013, 'RESTORE LOG is terminating abnormally.'],
      ),
      1,
    );
    const target = rig.target();
    await target.start(request);
    await target.advance('Sales');
    expect(rig.labels().slice(6)).toEqual(['REDO', 'LOG log1', 'LOG log2', 'LOG log3']);
    const details = await target.details('Sales');
    expect(details.blockReason).toBeNull();
    expect(details.logBackupSets.map((s) => s.status)).toEqual(['Skipped', 'Restored', 'Restored']);
  });

  it('blocks on error 4305 (log too recent) with the reason, and goes on when the missing log arrives', async () => {
    await rig.upload('full', 'log1', 'log2');
    let refused = false;
    rig.connection.on(/^RESTORE LOG/, (sent) => {
      if (!refused && String(sent.params.url0).endsWith(blob('log2').slice(6))) {
        refused = true;
        throw serverError(
          [
            4305,
            `The log in this backup set begins at LSN ${lastLsn('log1')}, which is too recent to apply to the database. An earlier log backup that includes LSN 25000000015000001 can be restored.`,
          ],
          [3013, 'RESTORE LOG is terminating abnormally.'],
        );
      }
      return [];
    });
    const target = rig.target();
    await target.start(request);
    await target.advance('Sales');
    expect(rig.labels().slice(6)).toEqual(['REDO', 'LOG log1', 'LOG log2']);
    const blocked = await target.details('Sales');
    expect(blocked.status).toBe('Restoring');
    expect(blocked.blockReason).toContain('Msg 4305');
    expect(blocked.blockReason).toContain('missing');
    // Nothing new in the folder: the log is not sent again.
    await target.advance('Sales');
    expect(rig.labels().slice(9)).toEqual(['REDO']);
    // The folder changes (the missing log uploaded): tried again, and the restore goes on.
    await rig.upload('log3');
    await target.advance('Sales');
    expect(rig.labels().slice(10)).toEqual(['REDO', 'LOG log2', 'LOG log3']);
    const after = await target.details('Sales');
    expect(after.blockReason).toBeNull();
    expect(after.lastRestoredFileName).toBe(blob('log3'));
  });

  it('waits at a gap in the logs (planner) with the reason, sending nothing for the later log', async () => {
    await rig.upload('full', 'log1', 'log3');
    const target = rig.target();
    await target.start(request);
    await target.advance('Sales');
    expect(rig.labels().slice(6)).toEqual(['REDO', 'LOG log1']);
    const blocked = await target.details('Sales');
    expect(blocked.blockReason).not.toBeNull();
    await rig.upload('log2');
    await target.advance('Sales');
    expect(rig.labels().slice(8)).toEqual(['REDO', 'LOG log2', 'LOG log3']);
    expect((await target.details('Sales')).blockReason).toBeNull();
  });

  it('takes up a restore half done with a new target object, repeating no statement', async () => {
    await rig.upload('full', 'log1');
    const first = rig.target();
    await first.start(request);
    await first.advance('Sales');
    const firstRun = rig.labels();
    expect(firstRun).toEqual([
      'DB_ID',
      'CREDENTIAL',
      'HEADERONLY',
      'FILELISTONLY',
      'PATHS',
      'RESTORE DATABASE',
      'REDO',
      'LOG log1',
    ]);
    await first.close();

    // The service restarts: a new target, a new connection to the same (scripted) instance.
    await rig.upload('log2', 'log3');
    const second = scriptInstance(
      new ScriptedSqlConnection(rig.sent),
      media.get('full')?.sets[0]?.files ?? [],
    )
      .on(/sys\.databases/, [{ state: 'RESTORING' }])
      .on(/redo_start_lsn/, [{ redoStartLsn: lastLsn('log1') }]);
    const target = rig.target({}, second);
    await target.resume(request, blob('log1'));
    const resumed = await target.details('Sales');
    expect(resumed.lastRestoredFileName).toBe(blob('log1'));
    await target.advance('Sales');
    const secondRun = rig.labels().slice(firstRun.length);
    expect(secondRun).toEqual(['STATE', 'REDO', 'REDO', 'LOG log2', 'LOG log3']);
    const firstTexts = new Set(
      rig.sent
        .slice(0, firstRun.length)
        .filter((s) => s.sql.startsWith('RESTORE'))
        .map((s) => JSON.stringify(s)),
    );
    for (const s of rig.sent.slice(firstRun.length))
      expect(firstTexts.has(JSON.stringify(s))).toBe(false);
    await target.complete('Sales', blob('log3'));
    expect(rig.labels().at(-1)).toBe('RECOVERY');
  });

  it('checks alone what a start would (target check): connection, permissions, name, paths', async () => {
    rig.connection.on(/HAS_PERMS_BY_NAME/, [
      {
        version: '16.0.4135.4',
        edition: 'Developer Edition (64-bit)',
        createAnyDatabase: 1,
        alterAnyCredential: 0,
      },
    ]);
    const checks = await rig.target().check(request);
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['request', 'Succeeded'],
      ['connection', 'Succeeded'],
      ['permissions', 'Failed'],
      ['databaseName', 'Succeeded'],
      ['paths', 'Succeeded'],
    ]);
    expect(checks[1]?.message).toContain('SQL Server 16.0.4135.4 Developer Edition');
    expect(checks[2]?.message).toContain('ALTER ANY CREDENTIAL');
    expect(checks[2]?.message).not.toContain('CREATE ANY DATABASE');
    expect(checks[4]?.message).toContain('D:\\SQLData\\');
    // Nothing was created or restored.
    expect(rig.sent.some((x) => /^(RESTORE|CREATE|ALTER|DROP|IF)/.test(x.sql))).toBe(false);
  });

  it('refuses a container URL too long to name its SAS credential, saying why', () => {
    const long = `https://sqlmigtest.blob.core.windows.net/${'c'.repeat(100)}`;
    expect(() =>
      createSqlServerTarget({
        connect: () => Promise.reject(new Error('not reached')),
        instanceDescription: 'SQL Server sqlvm1:1433',
        store: rig.store,
        source: { kind: 'Url', containerUrl: long, accountKey },
        autoAdvance: false,
      }),
    ).toThrow(/at most 128 characters/);
  });

  it('stops checking at a connection that fails, with its reason', async () => {
    const failing = createSqlServerTarget({
      connect: () =>
        Promise.reject(new Error('Cannot connect to SQL Server sqlvm1:1433: refused.')),
      instanceDescription: 'SQL Server sqlvm1:1433',
      store: rig.store,
      source: { kind: 'Url', containerUrl, accountKey },
      autoAdvance: false,
    });
    const checks = await failing.check(request);
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['request', 'Succeeded'],
      ['connection', 'Failed'],
    ]);
    expect(checks[1]?.message).toContain('Cannot connect to SQL Server sqlvm1:1433');
  });

  it('refuses to start, saying which, from a backup whose URL is longer than a device name may be', async () => {
    const long = `Sales/${'x'.repeat(240)}.bak`;
    await rig.store.put(
      long,
      readFileSync(corpusFile('appveyor-lab/RestoreTimeClean/RestoreTimeClean.bak')),
    );
    const refused = await refusal(rig.target().start(request));
    expect(refused.code).toBe('InvalidRequest');
    expect(refused.message).toContain('at most 259');
    expect(refused.message).toContain('x'.repeat(240));
    expect(rig.labels()).not.toContain('HEADERONLY');
  });

  it('refuses to start when the database exists, sending nothing else', async () => {
    await rig.upload('full');
    rig.connection.on(/^SELECT DB_ID/, [{ databaseId: 7 }]);
    const target = rig.target();
    const refused = await refusal(target.start(request));
    expect(refused.code).toBe('DatabaseExists');
    expect(refused.message).toContain('Sales');
    expect(rig.labels()).toEqual(['DB_ID']);
  });

  it('names the missing TDE certificate before restoring anything', async () => {
    await rig.upload('full', 'log1');
    const thumbprint = Buffer.from('1f2e3d4c5b6a79881f2e3d4c5b6a798811223344', 'hex');
    const files = media.get('full')?.sets[0]?.files ?? [];
    rig.connection
      .on(
        /^RESTORE FILELISTONLY/,
        files.map((f) => ({
          LogicalName: f.LogicalName,
          Type: f.Type,
          FileId: f.FileId,
          TDEThumbprint: thumbprint,
        })),
      )
      .on(/sys\.certificates/, []);
    const target = rig.target();
    const refused = await refusal(target.start(request));
    expect(refused.code).toBe('CertificateMissing');
    expect(refused.message).toContain('0x1F2E3D4C5B6A79881F2E3D4C5B6A798811223344');
    expect(refused.message).toContain('Transparent Data Encryption');
    expect(rig.labels()).toEqual([
      'DB_ID',
      'CREDENTIAL',
      'HEADERONLY',
      'FILELISTONLY',
      'CERTIFICATES',
    ]);
    const certificates = rig.sent.at(-1);
    expect(certificates?.sql).toBe(
      [
        "SELECT name, thumbprint, N'CERTIFICATE' AS kind FROM master.sys.certificates WHERE thumbprint IN (@thumbprint0)",
        "UNION ALL SELECT name, thumbprint, N'ASYMMETRIC KEY' AS kind FROM master.sys.asymmetric_keys WHERE thumbprint IN (@thumbprint0);",
      ].join('\n'),
    );
    expect(Buffer.from(certificates?.params.thumbprint0 as Uint8Array).equals(thumbprint)).toBe(
      true,
    );
  });

  it('goes on when the certificate is there', async () => {
    await rig.upload('full');
    const thumbprint = Buffer.from('aa'.repeat(20), 'hex');
    rig.connection
      .on(/^RESTORE HEADERONLY/, [{ EncryptorThumbprint: thumbprint }])
      .on(/sys\.certificates/, [{ name: 'BackupCert', thumbprint, kind: 'CERTIFICATE' }]);
    const target = rig.target();
    await target.start(request);
    await target.advance('Sales');
    expect(rig.labels()).toEqual([
      'DB_ID',
      'CREDENTIAL',
      'HEADERONLY',
      'FILELISTONLY',
      'CERTIFICATES',
      'PATHS',
      'RESTORE DATABASE',
    ]);
  });

  it('looks for a backup encrypted with an asymmetric key among the keys, naming what to do', async () => {
    await rig.upload('full');
    const thumbprint = Buffer.from('bb'.repeat(20), 'hex');
    rig.connection
      .on(/^RESTORE HEADERONLY/, [
        { EncryptorThumbprint: thumbprint, EncryptorType: 'ASYMMETRIC KEY' },
      ])
      // A certificate with that thumbprint is not the key the backup needs.
      .on(/sys\.certificates/, [{ name: 'SomeCert', thumbprint, kind: 'CERTIFICATE' }]);
    const refused = await refusal(rig.target().start(request));
    expect(refused.code).toBe('CertificateMissing');
    expect(refused.message).toContain('asymmetric key with thumbprint 0x' + 'BB'.repeat(20));
    expect(refused.message).toContain('Extensible Key Management');
    expect(refused.message).not.toContain('BACKUP CERTIFICATE');
    rig.connection.on(/sys\.certificates/, [
      { name: 'EkmKey', thumbprint, kind: 'ASYMMETRIC KEY' },
    ]);
    const target = rig.target();
    await target.start(request);
    await target.advance('Sales');
    expect(rig.labels()).toContain('RESTORE DATABASE');
  });

  it('restores FROM DISK from copies it downloads, removed once restored; the master folder when no default path', async () => {
    const download = await mkdtemp(join(tmpdir(), 'sqlmig-disk-'));
    try {
      await rig.upload('full', 'log1');
      const seen: { path: string; size: number }[] = [];
      const local = (file: ChainFile): string => join(download, 'Sales', blob(file).slice(6));
      rig.connection
        .on(/InstanceDefaultDataPath/, [
          {
            dataPath: null,
            logPath: null,
            masterDataFile: '/var/opt/mssql/data/master.mdf',
            masterLogFile: '/var/opt/mssql/data/mastlog.ldf',
          },
        ])
        .on(/^RESTORE (DATABASE|LOG)/, (sent) => {
          const file = sent.sql.startsWith('RESTORE LOG') ? 'log1' : 'full';
          seen.push({
            path: local(file),
            size: existsSync(local(file)) ? readFileSync(local(file)).length : -1,
          });
          return [];
        });
      const target = rig.target({
        source: { kind: 'Disk', downloadFolder: download, instanceFolder: '\\\\files\\sqlmig' },
      });
      await target.start(request);
      await target.advance('Sales');
      expect(rig.labels()).toEqual([
        'DB_ID',
        'HEADERONLY',
        'FILELISTONLY',
        'PATHS',
        'RESTORE DATABASE',
        'REDO',
        'LOG log1',
      ]);
      const full = rig.sent[4];
      expect(full?.sql).toBe(
        'RESTORE DATABASE [Sales] FROM DISK = @disk0 WITH NORECOVERY, MOVE @logical0 TO @physical0, MOVE @logical1 TO @physical1, STATS = 10;',
      );
      expect(full?.params.disk0).toBe(`\\\\files\\sqlmig\\Sales\\${blob('full').slice(6)}`);
      expect(full?.params.physical0).toBe('/var/opt/mssql/data/Sales_RestoreTimeClean.mdf');
      expect(full?.params.physical1).toBe('/var/opt/mssql/data/Sales_RestoreTimeClean_log.ldf');
      // Each copy was whole when SQL Server was asked to read it, and is gone after.
      expect(seen.map((s) => s.size)).toEqual([
        readFileSync(corpusFile(`appveyor-lab/RestoreTimeClean/${chain.full}`)).length,
        readFileSync(corpusFile(`appveyor-lab/RestoreTimeClean/${chain.log1}`)).length,
      ]);
      for (const s of seen) expect(existsSync(s.path)).toBe(false);
    } finally {
      await rm(download, { recursive: true, force: true });
    }
  });

  it('stop drops the restoring database', async () => {
    await rig.upload('full');
    const target = rig.target();
    await target.start(request);
    await target.advance('Sales');
    rig.connection.on(/^SELECT DB_ID/, [{ databaseId: 9 }]);
    await target.stop('Sales');
    expect(rig.labels().slice(-2)).toEqual(['DB_ID', 'DROP']);
    expect(rig.sent.at(-1)?.sql).toBe('DROP DATABASE [Sales];');
    expect((await target.details('Sales')).status).toBe('Stopped');
  });

  it("fails the restore with SQL Server's messages on an error it cannot get past", async () => {
    await rig.upload('full', 'log1');
    rig.connection.on(
      /^RESTORE LOG/,
      serverError(
        [3241, 'The media family on device is incorrectly formed.'],
        [3013, 'RESTORE LOG is terminating abnormally.'],
      ),
    );
    const target = rig.target();
    await target.start(request);
    await target.advance('Sales');
    const details = await target.details('Sales');
    expect(details.status).toBe('Failed');
    expect(details.blockReason).toContain('Msg 3241');
  });
});
