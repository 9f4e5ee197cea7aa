/**
 * The SMB share source against a real Samba server on loopback (test/support/samba.ts): listings
 * with subfolders and awkward names, the headers of a real corpus backup read through a read-only
 * share over the corpus, uploads compared byte for byte and by MD5 with the files (several times, to
 * catch a read that comes back with zero-filled gaps), each failure's code and message, a growing
 * file, an abort, and the password kept out of messages and smbclient's command line.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFile,
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { headerRows } from '../../src/backup/index.js';
import {
  LocalFolderSource,
  SmbShareError,
  SmbShareSource,
  type SmbShareSourceOptions,
} from '../../src/runtime/index.js';
import { parseEntryLine, parseListing } from '../../src/runtime/smb/listing.js';
import { parseUncPath } from '../../src/runtime/smb/unc-path.js';
import type { BackupSource } from '../../src/service/engine/index.js';
import { LocalFolderBlobStore } from '../../src/storage/index.js';
import {
  backupCorpus,
  corpusFile,
  corpusSkipReason,
  expectedHeaders,
  hasBackupCorpus,
} from '../support/corpus.js';
import { sambaForTests, type TestSamba } from '../support/samba.js';

const samba = sambaForTests();
if (!samba.available) console.warn(`Skipping the SMB share source tests: ${samba.reason}.`);
if (!hasBackupCorpus) console.warn(`Skipping the SMB corpus test: ${corpusSkipReason}.`);

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');
const MiB = 1024 * 1024;

/** What an smbclient run was given: its pid and arguments, logged by a wrapper script. */
interface SmbclientRun {
  readonly pid: number;
  readonly args: string;
}

describe('parsing smbclient listings and UNC paths', () => {
  it('reads entry lines from the right, whatever the name holds', () => {
    const line = (name: string, attributes: string, size: number) =>
      `  ${name.padEnd(30)}${attributes.padStart(7)} ${String(size).padStart(8)}  Thu Nov 26 20:06:31 2026`;
    expect(parseEntryLine(line('a  file N', 'A', 5))).toEqual({
      name: 'a  file N',
      directory: false,
      size: 5,
      modifiedAt: '2026-11-26T20:06:31.000Z',
    });
    const long = 'a-name-much-longer-than-thirty-characters  1234.bak';
    expect(parseEntryLine(line(long, 'N', 123_456_789_012))?.name).toBe(long);
    expect(parseEntryLine(line(long, 'N', 123_456_789_012))?.size).toBe(123_456_789_012);
    expect(parseEntryLine(line('sub', 'D', 0))?.directory).toBe(true);
    expect(parseEntryLine('\t\t264212084 blocks of size 1024. 68251408 blocks available')).toBe(
      null,
    );
  });

  it('names files of subfolders relative to the listed folder', () => {
    const output = [
      '  .                                   D        0  Mon Jan  1 00:00:00 2024',
      '  top.bak                             A       10  Mon Jan  1 00:00:00 2024',
      '  Sub                                 D        0  Mon Jan  1 00:00:00 2024',
      '',
      '\\Base\\Sub',
      '  log 1.trn                           A       20  Tue Feb 13 09:08:07 2024',
      '',
      '\t\t100 blocks of size 1024. 50 blocks available',
    ].join('\n');
    expect(parseListing(output, 'base')).toEqual([
      { name: 'top.bak', size: 10, modifiedAt: '2024-01-01T00:00:00.000Z' },
      { name: 'Sub/log 1.trn', size: 20, modifiedAt: '2024-02-13T09:08:07.000Z' },
    ]);
  });

  it('splits \\\\host\\share\\folder and refuses what is not one', () => {
    expect(parseUncPath('\\\\fs01\\Backups\\Sales\\2024')).toEqual({
      host: 'fs01',
      share: 'Backups',
      folder: 'Sales/2024',
    });
    expect(parseUncPath('//10.0.0.5/b/')).toEqual({ host: '10.0.0.5', share: 'b', folder: '' });
    for (const bad of ['fs01\\share', '\\\\fs01', '\\\\fs01:445\\share', '\\\\h\\s\\..\\x']) {
      expect(() => parseUncPath(bad), bad).toThrow(SmbShareError);
    }
  });
});

describe.skipIf(!samba.available)('SmbShareSource against Samba', () => {
  let server: TestSamba;
  let root = '';
  let share = '';
  let wrapper = '';
  let runLog = '';
  let spoolParent = '';
  const sources: SmbShareSource[] = [];

  const source = (location: string, options: Partial<SmbShareSourceOptions> = {}) => {
    const made = new SmbShareSource(location, {
      userName: server.userName,
      password: server.password,
      port: server.port,
      spoolFolder: spoolParent,
      smbclientPath: wrapper,
      ...options,
    });
    sources.push(made);
    return made;
  };
  const runs = async (): Promise<SmbclientRun[]> =>
    (await readFile(runLog, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ pid: Number(line.slice(0, line.indexOf(' '))), args: line }));
  const rejection = async (promise: Promise<unknown>): Promise<SmbShareError> => {
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SmbShareError);
    return error as SmbShareError;
  };

  beforeAll(async () => {
    if (!samba.available) return;
    server = await samba.start(hasBackupCorpus ? { readOnlyShares: { corpus: backupCorpus } } : {});
  }, 60_000);
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqlmig-smb-test-'));
    share = join(server.backupsFolder, `t-${randomBytes(4).toString('hex')}`);
    await mkdir(share);
    spoolParent = join(root, 'spool');
    runLog = join(root, 'runs.log');
    wrapper = join(root, 'smbclient');
    // Logs each run's pid and arguments, then becomes smbclient (same pid).
    await writeFile(wrapper, `#!/bin/sh\necho "$$ $*" >> '${runLog}'\nexec smbclient "$@"\n`);
    await chmod(wrapper, 0o755);
  });
  afterEach(async () => {
    for (const made of sources.splice(0)) await made.close();
    await rm(root, { recursive: true, force: true });
    await rm(share, { recursive: true, force: true });
  });
  const here = () => server.location('backups', share.slice(server.backupsFolder.length + 1));

  it('lists subfolders and names with spaces, semicolons and accents, sized and dated', async () => {
    await mkdir(join(share, 'Sales db', 'logs 2024'), { recursive: true });
    await writeFile(join(share, 'full backup.bak'), randomBytes(1000));
    await writeFile(join(share, 'Sales db', 'diff;1.bak'), randomBytes(2000));
    await writeFile(join(share, 'Sales db', 'logs 2024', 'Ünïcødé  log.trn'), randomBytes(3000));
    await writeFile(join(share, 'Sales db', '.hidden.bak'), 'x');
    const smb = source(here());
    const listed = await smb.list();
    expect(listed.map((file) => [file.name, file.size])).toEqual([
      ['full backup.bak', 1000],
      ['Sales db/diff;1.bak', 2000],
      ['Sales db/logs 2024/Ünïcødé  log.trn', 3000],
    ]);
    const local = await new LocalFolderSource(share).list();
    for (const [index, file] of listed.entries()) {
      // ls shows times to the second.
      const mtime = new Date(local[index]?.modifiedAt ?? 0).getTime();
      expect(file.modifiedAt).toBe(new Date(Math.floor(mtime / 1000) * 1000).toISOString());
    }
    expect((await smb.list((name) => name.endsWith('.trn'))).map((f) => f.name)).toEqual([
      'Sales db/logs 2024/Ünïcødé  log.trn',
    ]);
    const port: BackupSource = smb;
    expect(port.description).toBe(
      `SMB share ${here()} (port ${server.port}) as ${server.userName}`,
    );
  });

  it.skipIf(!hasBackupCorpus)('reads the headers of a real corpus backup in place', async () => {
    const relative = 'Base-de-datos/pubs.bak';
    const smb = source(server.location('corpus'));
    const result = await smb.readHeaders(relative);
    expect(result.file).toBe(`${server.location('corpus')}\\Base-de-datos\\pubs.bak`);
    if (!('media' in result)) throw result.error;
    const local = await new LocalFolderSource(backupCorpus).readHeaders(relative);
    if (!('media' in local)) throw local.error;
    expect(result.media).toEqual(local.media);
    const [row] = headerRows(relative, result.media);
    const [want] = expectedHeaders()[relative] ?? [];
    expect(row?.DatabaseName).toBe('pubs');
    expect(row?.BackupSetGUID).toBe(want?.['BackupSetGUID']);
    expect(result.media.fileSize).toBe((await readFile(corpusFile(relative))).length);
  });

  it('uploads files of several blocks byte for byte, again and again', async () => {
    const content = randomBytes(9 * MiB + 12_345);
    await mkdir(join(share, 'big dir'));
    await writeFile(join(share, 'big dir', 'full 1.bak'), content);
    const store = new LocalFolderBlobStore(join(root, 'blobs'));
    for (let round = 0; round < 5; round++) {
      const smb = source(here(), { blockSizeBytes: 4 * MiB, readTwice: round % 2 === 0 });
      const seen: number[] = [];
      const outcome = await smb.upload('big dir/full 1.bak', store, `db/full-${round}.bak`, (p) => {
        seen.push(p.dataWritten);
      });
      const blob = await readFile(join(root, 'blobs', 'db', `full-${round}.bak`));
      expect(blob.length).toBe(content.length);
      expect(blob.equals(content), `round ${round}: blob differs from the file`).toBe(true);
      expect(outcome.contentMd5).toBe(md5(content));
      expect(outcome.dataRead).toBe(content.length);
      expect(outcome.dataWritten).toBe(content.length);
      expect(seen.at(-1)).toBe(content.length);
      expect((await store.properties(`db/full-${round}.bak`))?.contentMd5).toBe(md5(content));
    }
    // Each spooled copy was deleted once uploaded.
    const spools = await readdir(spoolParent);
    for (const spool of spools)
      expect(await readdir(join(spoolParent, spool, 'files'))).toEqual([]);
  }, 60_000);

  it('reads a file from the share once for its headers and its upload', async () => {
    const content = randomBytes(3 * MiB);
    await writeFile(join(share, 'x.bak'), content);
    const smb = source(here(), { readTwice: false });
    const headers = await smb.readHeaders('x.bak');
    expect('error' in headers && headers.error.code).toBe('NotABackup');
    const store = new LocalFolderBlobStore(join(root, 'blobs'));
    await smb.upload('x.bak', store, 'db/x.bak', () => undefined);
    expect((await readFile(join(root, 'blobs', 'db', 'x.bak'))).equals(content)).toBe(true);
    const gets = (await runs()).filter((run) => run.args.includes('//127.0.0.1/backups'));
    // ls, get, ls for the headers; one ls to see the copy is still current for the upload.
    expect(gets.length).toBe(4);
  });

  it('keeps the spool under its limit, deleting the copies least recently used', async () => {
    const first = randomBytes(MiB);
    await writeFile(join(share, 'first.trn'), first);
    await writeFile(join(share, 'second.trn'), randomBytes(MiB));
    const smb = source(here(), { spoolLimitBytes: 1.5 * MiB, readTwice: false });
    await smb.readHeaders('first.trn');
    await smb.readHeaders('second.trn');
    const [spool = ''] = await readdir(spoolParent);
    expect(await readdir(join(spoolParent, spool, 'files'))).toEqual(['second.trn']);
    // The evicted copy is read from the share again for its upload.
    const store = new LocalFolderBlobStore(join(root, 'blobs'));
    const before = (await runs()).length;
    await smb.upload('first.trn', store, 'db/first.trn', () => undefined);
    expect((await runs()).length - before).toBe(3); // ls, get, ls
    expect((await readFile(join(root, 'blobs', 'db', 'first.trn'))).equals(first)).toBe(true);
    expect(await readdir(join(spoolParent, spool, 'files'))).toEqual([]);
  });

  it('keeps the password off the command line and out of messages', async () => {
    await writeFile(join(share, 'a.bak'), 'a');
    await source(here()).list();
    const wrong = source(here(), { password: `${server.password}-wrong` });
    const error = await rejection(wrong.list());
    expect(error.code).toBe('LogonFailure');
    expect(error.ntStatus).toBe('NT_STATUS_LOGON_FAILURE');
    expect(error.message).toContain('user name or password');
    expect(error.message).not.toContain(server.password);
    expect(wrong.description).not.toContain(server.password);
    const logged = await readFile(runLog, 'utf8');
    expect(logged).toContain(server.userName);
    expect(logged).not.toContain(server.password);
  });

  it('says when the share, the folder or the file is not there', async () => {
    const noShare = await rejection(source(server.location('nosuchshare')).list());
    expect(noShare.code).toBe('ShareNotFound');
    expect(noShare.message).toContain('no share named nosuchshare');
    const noFolder = await rejection(source(`${here()}\\missing folder`).list());
    expect(noFolder.code).toBe('PathNotFound');
    expect(noFolder.message).toContain('missing folder');
    const store = new LocalFolderBlobStore(join(root, 'blobs'));
    const noFile = await rejection(
      source(here()).upload('gone.bak', store, 'db/gone.bak', () => undefined),
    );
    expect(noFile.code).toBe('PathNotFound');
    expect(await store.properties('db/gone.bak')).toBe(null);
  });

  it('says when no server answers, one never answers, or smbclient is missing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await rejection(source(here(), { port: closedPort }).list());
    expect(refused.code).toBe('HostUnreachable');
    expect(refused.message).toContain(`port ${closedPort}`);

    // Accepts the connection and says nothing.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      const timedOut = await rejection(source(here(), { port, timeoutMs: 1500 }).list());
      expect(timedOut.code).toBe('TimedOut');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      silent.close();
    }

    const missing = await rejection(
      source(here(), { smbclientPath: join(root, 'no-smbclient') }).list(),
    );
    expect(missing.code).toBe('SmbClientMissing');
    expect(missing.message).toContain('apt-get install smbclient');
  });

  it('does not upload a file still being written', async () => {
    const path = join(share, 'growing.trn');
    await writeFile(path, randomBytes(2 * MiB));
    const writer = { writing: true };
    const appending = (async () => {
      while (writer.writing) {
        await appendFile(path, randomBytes(16 * 1024));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const store = new LocalFolderBlobStore(join(root, 'blobs'));
    try {
      const error = await rejection(
        source(here()).upload('growing.trn', store, 'db/growing.trn', () => undefined),
      );
      expect(error.code).toBe('FileChanged');
      expect(error.message).toContain('growing.trn');
      expect(error.message).toMatch(/read again once it stops changing/);
    } finally {
      writer.writing = false;
      await appending;
    }
    expect(await store.properties('db/growing.trn')).toBe(null);
  });

  it('stops reading the share when the upload is aborted', async () => {
    await writeFile(join(share, 'large.bak'), randomBytes(96 * MiB));
    const store = new LocalFolderBlobStore(join(root, 'blobs'));
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const smb = source(here());
    const upload = smb.upload(
      'large.bak',
      store,
      'db/large.bak',
      (progress) => {
        if (progress.dataRead > 0) controller.abort(reason);
      },
      controller.signal,
    );
    await expect(upload).rejects.toBe(reason);
    expect(await store.properties('db/large.bak')).toBe(null);
    // Both smbclient reads were killed, and their partial copy removed.
    const readers = (await runs()).slice(-2);
    expect(readers.length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const run of readers) expect(() => process.kill(run.pid, 0), run.args).toThrow();
    const [spool] = await readdir(spoolParent);
    expect(await readdir(join(spoolParent, spool ?? '', 'incoming'))).toEqual([]);
    await smb.close();
    expect(await readdir(spoolParent)).toEqual([]);
    const closed = await rejection(smb.list());
    expect(closed.code).toBe('Closed');
  });
});
