/**
 * `sqlmig backup headers`, run as a user runs it: the built command in a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { corpusFile, corpusSkipReason, hasBackupCorpus, projectRoot } from '../support/corpus.js';
import { syntheticBackupBytes } from '../support/synthetic-backup.js';

const run = promisify(execFile);
const cli = join(projectRoot, 'dist', 'cli', 'main.js');

async function sqlmig(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sqlmig-cli-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('sqlmig backup headers', () => {
  it('prints one JSON object per set, keyed as RESTORE HEADERONLY, and errors in the same array', async () => {
    const good = join(folder, 'Sales_FULL.bak');
    const junk = join(folder, 'notes.txt');
    await writeFile(
      good,
      syntheticBackupBytes({
        mediaSetId: 'c0ffee00-1234-4321-abcd-0123456789ab',
        sets: [
          {
            databaseName: 'Sales',
            serverName: 'SQL01',
            userName: 'dba',
            type: 'D',
            backupSetGuid: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
            firstLsn: 12_345_400_000_000_000_042n,
            lastLsn: 12_345_400_000_000_100_001n,
            checkpointLsn: 12_345_400_000_000_000_042n,
            databaseBackupLsn: 0n,
            startDate: '2026-03-01T22:00:05',
            finishDate: '2026-03-01T22:04:41',
          },
        ],
      }),
    );
    await writeFile(junk, 'not a backup');
    const { code, stdout } = await sqlmig('backup', 'headers', '--json', folder);
    expect(code).toBe(1);
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      File: good,
      DatabaseName: 'Sales',
      BackupType: 1,
      BackupTypeDescription: 'Database',
      FirstLSN: '12345400000000000042',
      BackupStartDate: '2026-03-01T22:00:05',
      Position: 1,
      Complete: true,
      FamilyCount: 1,
      MediaSetId: 'c0ffee00-1234-4321-abcd-0123456789ab',
    });
    expect(rows[1]).toEqual({
      File: junk,
      Error: {
        code: 'NotABackup',
        message: expect.stringContaining('not a SQL Server backup') as unknown,
      },
    });
  });

  it('says which file is missing and exits non-zero', async () => {
    const { code, stdout } = await sqlmig('backup', 'headers', join(folder, 'nope.bak'));
    expect(code).toBe(1);
    expect(stdout).toContain('nope.bak: ReadFailed');
  });

  it.skipIf(!hasBackupCorpus)(
    `prints a readable table of a real restore chain${hasBackupCorpus ? '' : ` (skipped: ${corpusSkipReason})`}`,
    async () => {
      const { code, stdout } = await sqlmig(
        'backup',
        'headers',
        corpusFile('appveyor-lab/sql2008-backups/dbareports'),
        '--recursive',
      );
      expect(code).toBe(0);
      const lines = stdout.split('\n');
      expect(lines[0]).toMatch(
        /^File\s+Pos\s+Database\s+Type\s+FirstLSN\s+LastLSN\s+Started\s+Size\s+Checksums\s+Compressed\s+Complete$/,
      );
      expect(stdout).toContain('Database Differential');
      expect(stdout).toContain('Transaction Log');
      expect(stdout).toMatch(/5 backup sets in 5 files; 0 unreadable\./);
    },
  );
});
