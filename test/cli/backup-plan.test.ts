/**
 * `sqlmig backup plan`, run as a user runs it: the built command in a child process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { corpusFile, corpusSkipReason, hasBackupCorpus, projectRoot } from '../support/corpus.js';

const run = promisify(execFile);
const cli = join(projectRoot, 'dist', 'cli', 'main.js');

async function sqlmig(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [cli, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe.skipIf(!hasBackupCorpus)(
  `sqlmig backup plan${hasBackupCorpus ? '' : ` (skipped: ${corpusSkipReason})`}`,
  () => {
    it('prints the plan as JSON, paths relative to the folder given', async () => {
      const { code, stdout } = await sqlmig(
        'backup',
        'plan',
        corpusFile('appveyor-lab/sql2008-backups/dbareports'),
        '--recursive',
        '--json',
        '--target',
        'mi',
      );
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as {
        databases: {
          databaseName: string;
          status: string;
          restorePlan: { backupType: string; files: string[]; firstLSN: string }[];
          lastRestorableLSN: string;
          waitingFor: { backupType: string; containingLSN: string };
          ignored: { file: string; reason: string; message: string }[];
        }[];
        invalidFiles: unknown[];
        layoutProblems: { code: string; files: string[] }[];
      };
      expect(report.databases).toHaveLength(1);
      const [db] = report.databases;
      expect(db).toMatchObject({
        databaseName: 'dbareports',
        status: 'Ready',
        lastRestorableLSN: '28000000009600001',
      });
      expect(db?.restorePlan.map((s) => [s.backupType, s.files])).toEqual([
        ['Full', ['FULL/SQL2008_dbareports_FULL_20170518_041739.bak']],
        ['Differential', ['DIFF/SQL2008_dbareports_DIFF_20170518_041826.bak']],
      ]);
      expect(db?.restorePlan[0]?.firstLSN).toBe('28000000003400094');
      expect(db?.waitingFor).toMatchObject({
        backupType: 'Log',
        containingLSN: '28000000009600001',
      });
      expect(db?.ignored.map((i) => i.reason).sort()).toEqual([
        'DifferentialSuperseded',
        'EmptyLogBackup',
        'LogBackupCoveredByBase',
      ]);
      expect(report.invalidFiles).toEqual([]);
      // The word "backups" is above the folder given: only paths inside it reach the container.
      expect(report.layoutProblems.map((p) => p.code)).toEqual([
        'NestedFolders',
        'UnsupportedFileExtension',
      ]);
    });

    it('prints a readable plan, the left-out files and the layout problems', async () => {
      const { code, stdout } = await sqlmig(
        'backup',
        'plan',
        corpusFile('appveyor-lab/OlaMsFilter/Simple'),
        '--target',
        'mi',
      );
      expect(code).toBe(0);
      expect(stdout).toContain('Database OlaMsFilterTest: ready to restore');
      expect(stdout).toMatch(
        /1\. Full\s+21000000024600037 – 21000000026200001\s+test_FULL_20160629_141320\.bak/,
      );
      expect(stdout).toMatch(
        /2\. Log\s+21000000019500001 – 21000000028800001\s+test_LOG_20160629_141330\.trn/,
      );
      expect(stdout).toContain('test_FULL_20160629_141300.bak: FullBackupOlderThanBase');
      expect(stdout).toContain('[error] UnsupportedFileExtension');
      expect(stdout).toContain('test_LOG_20160629_141310.trn → test_LOG_20160629_141310.log');
    });

    it('plans one database on request', async () => {
      const { stdout } = await sqlmig(
        'backup',
        'plan',
        corpusFile('appveyor-lab/singlerestore'),
        '--database',
        'singlerestore',
        '--json',
      );
      const report = JSON.parse(stdout) as {
        databases: { databaseName: string; ignored: { reason: string }[] }[];
      };
      expect(report.databases.map((d) => d.databaseName)).toEqual(['singlerestore']);
      expect(report.databases[0]?.ignored.map((i) => i.reason)).toEqual([
        'BackupOfAnotherDatabase',
        'BackupOfAnotherDatabase',
      ]);
    });

    it('rejects an unknown target and exits non-zero for a missing folder', async () => {
      expect((await sqlmig('backup', 'plan', '.', '--target', 'azure')).code).not.toBe(0);
      expect((await sqlmig('backup', 'plan', join(projectRoot, 'no-such-folder'))).code).toBe(1);
    });
  },
);
