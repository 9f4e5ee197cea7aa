import { relative } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { readBackupFiles } from '../../src/backup/index.js';
import {
  buildPlanReport,
  type DatabasePlan,
  type PlannerFile,
  type PlanReport,
} from '../../src/planning/index.js';
import { backupCorpus, corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';

if (!hasBackupCorpus) console.warn(`Skipping the corpus restore-plan tests: ${corpusSkipReason}.`);

async function corpusFiles(): Promise<PlannerFile[]> {
  const results = await readBackupFiles([backupCorpus], { recursive: true });
  return results.map((r) => {
    const path = relative(backupCorpus, r.file);
    return 'error' in r
      ? { path, error: { code: r.error.code, message: r.error.message } }
      : { path, media: r.media };
  });
}

const names = (plan: DatabasePlan | undefined): string[] =>
  (plan?.restorePlan ?? []).map(
    (s) =>
      `${s.backupType} ${s.files.map((f) => f.file.slice(f.file.lastIndexOf('/') + 1)).join('+')}`,
  );
const reasons = (plan: DatabasePlan | undefined): Record<string, string> =>
  Object.fromEntries(
    (plan?.ignored ?? []).map((i) => [i.file.slice(i.file.lastIndexOf('/') + 1), i.reason]),
  );

describe.skipIf(!hasBackupCorpus)('restore plans of the real chains in the corpus', () => {
  let files: PlannerFile[] = [];
  let report: PlanReport;
  const db = (name: string): DatabasePlan | undefined =>
    report.databases.find((d) => d.databaseName === name);

  beforeAll(async () => {
    files = await corpusFiles();
    report = buildPlanReport(files);
  });

  it('finds every database and only the two non-backup files as invalid', () => {
    expect(report.databases.map((d) => d.databaseName).sort()).toEqual(
      [
        'NoExtension',
        'OlaMsFilterTest',
        'RestoreTimeClean',
        'RestoreTimeStripe',
        'SharePoint_Config',
        'SimpleBackTest',
        'TestDB',
        'dbareports',
        'doublediff',
        'pubs',
        'singlerestore',
        'stripetest',
      ].sort(),
    );
    expect(report.databases.every((d) => d.status === 'Ready')).toBe(true);
    expect(report.invalidFiles.map((f) => [f.file, f.reason])).toEqual([
      ['MANIFEST.tsv', 'NotABackupFile'],
      ['expected-headers.json', 'NotABackupFile'],
    ]);
  });

  it('dbareports: the latest differential; a log ending where it does and an empty log are left out', () => {
    const plan = db('dbareports');
    expect(names(plan)).toEqual([
      'Full SQL2008_dbareports_FULL_20170518_041739.bak',
      'Differential SQL2008_dbareports_DIFF_20170518_041826.bak',
    ]);
    expect(reasons(plan)).toEqual({
      'SQL2008_dbareports_DIFF_20170518_041819.bak': 'DifferentialSuperseded',
      'SQL2008_dbareports_LOG_20170518_041831.trn': 'LogBackupCoveredByBase',
      'SQL2008_dbareports_LOG_20170518_041837.trn': 'EmptyLogBackup',
    });
    expect(plan?.lastRestorableLSN).toBe(28000000009600001n);
  });

  it('OlaMsFilterTest: two fulls in one folder; the newer is the base and the log spanning it follows', () => {
    const plan = db('OlaMsFilterTest');
    expect(names(plan)).toEqual([
      'Full test_FULL_20160629_141320.bak',
      'Log test_LOG_20160629_141330.trn',
    ]);
    expect(reasons(plan)).toEqual({
      'test_FULL_20160629_141300.bak': 'FullBackupOlderThanBase',
      'test_LOG_20160629_141310.trn': 'LogBackupCoveredByBase',
    });
  });

  it('RestoreTimeClean: full, differential, then the logs after it', () => {
    expect(names(db('RestoreTimeClean'))).toEqual([
      'Full RestoreTimeClean.bak',
      'Differential RestoreTimeClean2.bak',
      'Log RestoreTimeClean2_1.trn',
      'Log RestoreTimeClean2_2.trn',
      'Log RestoreTimeClean2_3.trn',
    ]);
    expect(db('RestoreTimeClean')?.lastRestorableLSN).toBe(25000000022000001n);
  });

  it('RestoreTimeStripe: every step restores both stripes, from the two folders', () => {
    expect(names(db('RestoreTimeStripe'))).toEqual([
      'Full RestoreTimeStripe2.bak+RestoreTimeStripe2a.bak',
      'Log restoretime_21.trn+restoretime_21a.trn',
      'Log RestoreTimeStripe_22.trn+RestoreTimeStripe_22a.trn',
      'Log RestoreTimeStripe_23.trn+RestoreTimeStripe_23a.trn',
    ]);
  });

  it('doublediff and SimpleBackTest: the later of two differentials', () => {
    expect(names(db('doublediff'))).toEqual([
      'Full difftest-full.bak',
      'Differential difftest-diff2.bak',
    ]);
    expect(names(db('SimpleBackTest'))).toEqual([
      'Full SimpleBacktest.bak',
      'Differential SimpleBackTest_2.bak',
    ]);
  });

  it('the compressed file: its second, later full is the base for SQL Server', () => {
    const plan = db('SharePoint_Config');
    expect(plan?.restorePlan).toHaveLength(1);
    expect(plan?.restorePlan[0]?.files[0]?.position).toBe(2);
    expect(plan?.ignored.map((i) => i.reason)).toEqual(['FullBackupOlderThanBase']);
  });

  it('for Managed Instance: appended media and layout problems are reported', () => {
    const mi = buildPlanReport(files, { target: 'mi' });
    expect(mi.databases.find((d) => d.databaseName === 'SharePoint_Config')?.status).toBe(
      'NoFullBackup',
    );
    const codes = mi.layoutProblems.map((p) => p.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'NestedFolders',
        'MultipleDatabasesInFolder',
        'BackupWordInPath',
        'UnsupportedFileExtension',
        'AppendedMedia',
        'FullBackupMissingChecksum',
      ]),
    );
    const nested = mi.layoutProblems.find((p) => p.code === 'NestedFolders');
    expect(nested?.message).toMatch(/dbareports|RestoreTimeStripe/);
    const mixed = mi.layoutProblems.find((p) => p.code === 'MultipleDatabasesInFolder');
    expect(mixed?.message).toContain('appveyor-lab/singlerestore/');
    const renamed = mi.layoutProblems.find((p) => p.code === 'UnsupportedFileExtension');
    expect(renamed?.message).toContain('RestoreTimeClean_1.trn → RestoreTimeClean_1.log');
    const backupWord = mi.layoutProblems.find((p) => p.code === 'BackupWordInPath');
    expect(backupWord?.files).toContain('appveyor-lab/backuppassword/passwd.bak');
  });
});
