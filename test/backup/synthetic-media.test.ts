import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  BackupReadError,
  countingSource,
  fileKind,
  fileResultFromWire,
  fileResultToWire,
  fileTypeText,
  headerRows,
  memorySource,
  openFileSource,
  readBackupMedia,
  readWholeIfSmall,
  type BackupMedia,
} from '../../src/backup/index.js';
import {
  defaultFiles,
  salesFull,
  syntheticBackupBytes,
  unnamedContainerFile,
  writeSyntheticBackup,
  type SyntheticFile,
  type SyntheticMedia,
  type SyntheticSet,
} from '../support/synthetic-backup.js';

const full: SyntheticSet = { ...salesFull, backupName: 'Sales-Full' };

const log: SyntheticSet = {
  ...full,
  backupName: 'Sales-Log',
  type: 'L',
  backupSetGuid: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f00112233',
  firstLsn: 41_000_000_014_500_001n,
  lastLsn: 41_000_000_019_900_001n,
  checkpointLsn: 41_000_000_012_300_001n,
  databaseBackupLsn: 41_000_000_012_300_001n,
  startDate: '2026-03-01T22:15:00',
  finishDate: '2026-03-01T22:15:02',
};

const media = (overrides: Partial<SyntheticMedia> = {}): SyntheticMedia => ({
  mediaSetId: 'c0ffee00-1234-4321-abcd-0123456789ab',
  sets: [full],
  ...overrides,
});

async function read(bytes: Uint8Array): Promise<BackupMedia> {
  return readBackupMedia(memorySource('synthetic.bak', bytes));
}

async function readError(bytes: Uint8Array): Promise<BackupReadError> {
  const error: unknown = await read(bytes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackupReadError);
  return error as BackupReadError;
}

describe('synthetic media (test support writer)', () => {
  it('reads appended backup sets on 4 KiB-sector media, in Position order', async () => {
    const result = await read(
      syntheticBackupBytes(media({ sectorBytes: 4096, sets: [full, log] })),
    );
    expect(result.label).toMatchObject({
      BlockSize: 4096,
      FamilyCount: 1,
      MediaPasswordSet: false,
    });
    expect(result.sets.map((s) => s.header.Position)).toEqual([1, 2]);
    const [first, second] = result.sets;
    expect(first?.header).toMatchObject({
      BackupName: 'Sales-Full',
      BackupType: 1,
      DatabaseName: 'Sales',
      ServerName: 'SQL01\\PROD',
      MachineName: 'SQL01',
      FirstLSN: full.firstLsn,
      LastLSN: full.lastLsn,
      HasBackupChecksums: 1,
      BackupStartDate: '2026-03-01T22:00:05',
      BackupFinishDate: '2026-03-01T22:04:41',
      BackupSetGUID: full.backupSetGuid,
    });
    expect(second?.header).toMatchObject({
      BackupType: 2,
      BackupTypeDescription: 'Transaction Log',
      FirstLSN: log.firstLsn,
    });
    expect(result.sets.every((s) => s.complete)).toBe(true);
    expect(second?.extent.start).toBeGreaterThanOrEqual(first?.extent.end ?? Infinity);
  });

  it('keeps a file type code it cannot name (Type null, the code kept, the filegroup named); FILELISTONLY JSON unchanged', async () => {
    const files: SyntheticFile[] = [...defaultFiles, unnamedContainerFile];
    const result = await read(syntheticBackupBytes(media({ sets: [{ ...full, files }] })));
    const listed = result.sets[0]?.files ?? [];
    expect(listed.map((f) => [f.LogicalName, f.Type, f.FileGroupName, fileKind(f)])).toEqual([
      ['synthetic', 'D', 'PRIMARY', 'data'],
      ['synthetic_log', 'L', null, 'log'],
      ['Sales_mod1', null, 'Sales_mod', 'unknown'],
    ]);
    // The code is kept only where the reader has no letter for it.
    expect(listed.map((f) => f.UnknownTypeCode)).toEqual([undefined, undefined, 3]);
    expect(listed.map((f) => fileTypeText(f))).toEqual(['type D', 'type L', 'type code 3']);
    // The code survives the trip from an integration runtime to the service.
    const wired = fileResultFromWire(
      fileResultToWire({ file: 'synthetic.bak', media: result, bytesRead: 0 }),
    );
    expect('media' in wired && wired.media.sets[0]?.files[2]?.UnknownTypeCode).toBe(3);
    // `backup headers --json` keeps FILELISTONLY's columns: Type null, no extra key.
    const json = headerRows('synthetic.bak', result)[0]?.Files ?? [];
    expect(json[2]).toEqual({
      FileId: 65537,
      Type: null,
      FileGroupName: 'Sales_mod',
      FileGroupId: 2,
      LogicalName: 'Sales_mod1',
      PhysicalName: 'D:\\Data\\Sales_mod1',
      Size: '0',
      UniqueId: null,
    });
  });

  it('reports a media password', async () => {
    const result = await read(syntheticBackupBytes(media({ mediaPassword: true })));
    expect(result.label.MediaPasswordSet).toBe(true);
  });

  it('marks a set still being written as incomplete, with no finish date or size', async () => {
    const result = await read(
      syntheticBackupBytes(media({ sets: [{ ...full, unfinished: true }] })),
    );
    const [set] = result.sets;
    expect(set?.complete).toBe(false);
    expect(set?.header.BackupFinishDate).toBeNull();
    expect(set?.header.BackupSize).toBeNull();
    expect(set?.header.DatabaseName).toBe('Sales');
  });

  it('treats a zero-filled tail (space reserved, not yet written) as an unfinished set', async () => {
    const bytes = syntheticBackupBytes(media());
    const padded = new Uint8Array(bytes.length + 65536);
    const cut = bytes.length - 8192;
    padded.set(bytes.subarray(0, cut));
    const [set] = (await read(padded)).sets;
    expect(set?.complete).toBe(false);
  });

  it('rejects an encrypted backup with Encrypted', async () => {
    const error = await readError(
      syntheticBackupBytes(media({ sets: [{ ...full, encryptedData: true }] })),
    );
    expect(error.code).toBe('Encrypted');
    expect(error.message).toMatch(/encrypted/);
  });

  it('rejects files that are not backups, and empty files', async () => {
    expect(
      (await readError(new TextEncoder().encode('Just a text file, not a backup.'))).code,
    ).toBe('NotABackup');
    expect((await readError(new Uint8Array(0))).code).toBe('EmptyFile');
  });

  it('rejects media cut short before the first set with Truncated', async () => {
    const bytes = syntheticBackupBytes(media());
    expect((await readError(bytes.subarray(0, 600))).code).toBe('Truncated');
    expect((await readError(bytes.subarray(0, 2048))).code).toBe('Truncated');
  });

  it('rejects a damaged descriptor block with CorruptDescriptor and its offset', async () => {
    const bytes = syntheticBackupBytes(media());
    const damaged = bytes.slice();
    const sset = Buffer.from(damaged).indexOf('SSET');
    // The MTF checksum covers the first 25 words of a descriptor block.
    damaged[sset + 20] = (damaged[sset + 20] ?? 0) ^ 0x55;
    const error = await readError(damaged);
    expect(error.code).toBe('CorruptDescriptor');
    expect(error.offset).toBe(sset);
  });
});

describe('reads only descriptor blocks', () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sqlmig-synthetic-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it.each([512, 4096] as const)(
    'reads at most 64 KiB of a 256 MiB full backup (%i-byte sectors)',
    async (sectorBytes) => {
      const path = join(folder, `big-${sectorBytes}.bak`);
      await writeSyntheticBackup(
        path,
        media({ sectorBytes, sets: [{ ...full, dataBytes: 256 * 1024 * 1024 }] }),
      );
      const source = countingSource(await openFileSource(path));
      try {
        const result = await readBackupMedia(source);
        expect(result.sets[0]?.complete).toBe(true);
        expect(result.fileSize).toBeGreaterThan(256 * 1024 * 1024);
        expect(source.bytesRead).toBeLessThanOrEqual(64 * 1024);
      } finally {
        await source.close();
      }
    },
  );

  it('reads a small backup whole in one call, and leaves a large one to ranged reads', async () => {
    const bytes = syntheticBackupBytes(media({ sets: [{ ...full, dataBytes: 100 * 1024 }] }));
    const inner = countingSource(memorySource('log.trn', bytes));
    const whole = await readBackupMedia(readWholeIfSmall(inner, 1024 * 1024));
    expect(inner.reads).toBe(1);
    expect(inner.bytesRead).toBe(bytes.length);
    expect(whole).toEqual(await readBackupMedia(memorySource('log.trn', bytes)));

    const large = countingSource(memorySource('log.trn', bytes));
    await readBackupMedia(readWholeIfSmall(large, bytes.length - 1));
    expect(large.reads).toBeGreaterThan(1);
    expect(large.bytesRead).toBeLessThan(bytes.length);
  });
});
