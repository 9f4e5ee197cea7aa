import { describe, expect, it } from 'vitest';

import {
  buildPlanReport,
  RestorePlanner,
  type DatabasePlan,
  type PlannerFile,
} from '../../src/planning/index.js';
import { seededRandom } from '../support/seeded-random.js';
import { chain, file, unreadable } from '../support/planner-files.js';

function planOf(files: readonly PlannerFile[], db = 'Sales', options = {}): DatabasePlan {
  const planner = new RestorePlanner(options);
  for (const f of files) planner.addFile(f);
  return planner.plan(db);
}

const reasonOf = (plan: DatabasePlan, path: string): string | undefined =>
  plan.ignored.find((i) => i.file === path)?.reason;
const stepFiles = (plan: DatabasePlan): string[] =>
  plan.restorePlan.map((s) => s.files.map((f) => f.file).join('+'));

const full = file('full.bak', [{ type: 'Full', guid: 'F1', first: 100n, last: 200n }]);

describe('restore chains', () => {
  it('restores the full, then logs from the one spanning the base, in LSN order', () => {
    const plan = planOf([
      full,
      file('log2.trn', [{ type: 'Log', guid: 'L2', first: 250n, last: 300n }]),
      file('log1.trn', [{ type: 'Log', guid: 'L1', first: 150n, last: 250n }]),
      file('log0.trn', [{ type: 'Log', guid: 'L0', first: 50n, last: 150n }]),
    ]);
    expect(plan.status).toBe('Ready');
    expect(stepFiles(plan)).toEqual(['full.bak', 'log1.trn', 'log2.trn']);
    expect(plan.lastRestorableLSN).toBe(300n);
    expect(plan.waitingFor).toMatchObject({
      backupType: 'Log',
      containingLSN: 300n,
      gapEndsAt: null,
    });
    expect(reasonOf(plan, 'log0.trn')).toBe('LogBackupCoveredByBase');
  });

  it('does not admit a log that ends exactly where the base does (it applies nothing)', () => {
    const plan = planOf([
      full,
      file('log.trn', [{ type: 'Log', guid: 'L', first: 150n, last: 200n }]),
    ]);
    expect(stepFiles(plan)).toEqual(['full.bak']);
    expect(reasonOf(plan, 'log.trn')).toBe('LogBackupCoveredByBase');
  });

  it('chooses the latest full and the latest differential of it', () => {
    const plan = planOf([
      full,
      file('full2.bak', [{ type: 'Full', guid: 'F2', first: 300n, last: 400n }]),
      file('diff-of-old.bak', [
        { type: 'Diff', guid: 'D0', first: 250n, last: 260n, diffBase: 'F1' },
      ]),
      file('diff1.bak', [{ type: 'Diff', guid: 'D1', first: 500n, last: 510n, diffBase: 'F2' }]),
      file('diff2.bak', [{ type: 'Diff', guid: 'D2', first: 600n, last: 610n, diffBase: 'F2' }]),
      file('log.trn', [{ type: 'Log', guid: 'L', first: 590n, last: 700n }]),
    ]);
    expect(stepFiles(plan)).toEqual(['full2.bak', 'diff2.bak', 'log.trn']);
    expect(reasonOf(plan, 'full.bak')).toBe('FullBackupOlderThanBase');
    expect(reasonOf(plan, 'diff-of-old.bak')).toBe('BrokenRestorePlanWrongDiffBaseGUID');
    expect(reasonOf(plan, 'diff1.bak')).toBe('DifferentialSuperseded');
  });

  it('stops at a gap and names the missing LSN range', () => {
    const plan = planOf([
      full,
      file('log1.trn', [{ type: 'Log', guid: 'L1', first: 190n, last: 300n }]),
      file('log3.trn', [{ type: 'Log', guid: 'L3', first: 400n, last: 500n }]),
      file('log4.trn', [{ type: 'Log', guid: 'L4', first: 500n, last: 600n }]),
    ]);
    expect(stepFiles(plan)).toEqual(['full.bak', 'log1.trn']);
    expect(plan.lastRestorableLSN).toBe(300n);
    expect(plan.waitingFor).toMatchObject({
      backupType: 'Log',
      containingLSN: 300n,
      gapEndsAt: 400n,
    });
    const gap = plan.ignored.filter((i) => i.reason === 'BrokenRestorePlanGapInLogBackups');
    expect(gap.map((g) => g.file)).toEqual(['log3.trn', 'log4.trn']);
    expect(gap[0]?.message).toContain('LSN 300 to 400 are missing');
  });

  it('closes a gap when the missing log arrives, drawing the waiting logs in', () => {
    const planner = new RestorePlanner();
    for (const f of [
      full,
      file('log1.trn', [{ type: 'Log', guid: 'L1', first: 190n, last: 300n }]),
      file('log3.trn', [{ type: 'Log', guid: 'L3', first: 400n, last: 500n }]),
    ])
      planner.addFile(f);
    expect(planner.lastRestorableLsn('Sales')).toBe(300n);
    planner.addFile(file('log2.trn', [{ type: 'Log', guid: 'L2', first: 300n, last: 400n }]));
    expect(planner.lastRestorableLsn('Sales')).toBe(500n);
    expect(stepFiles(planner.plan('Sales'))).toEqual([
      'full.bak',
      'log1.trn',
      'log2.trn',
      'log3.trn',
    ]);
  });

  it('leaves out empty logs and logs of another recovery fork', () => {
    const plan = planOf([
      full,
      file('empty.trn', [{ type: 'Log', guid: 'E', first: 200n, last: 200n }]),
      file('fork.trn', [{ type: 'Log', guid: 'K', first: 190n, last: 300n, fork: 'fork-b' }]),
      file('log.trn', [{ type: 'Log', guid: 'L', first: 190n, last: 250n }]),
    ]);
    expect(stepFiles(plan)).toEqual(['full.bak', 'log.trn']);
    expect(reasonOf(plan, 'empty.trn')).toBe('EmptyLogBackup');
    expect(reasonOf(plan, 'fork.trn')).toBe('OtherRecoveryFork');
  });

  it('groups stripes by backup set and waits for a missing one', () => {
    const stripe = (
      path: string,
      guid: string,
      type: 'Full' | 'Log',
      first: bigint,
      last: bigint,
      sequence: number,
    ) => file(path, [{ type, guid, first, last }], { count: 2, sequence });
    const plan = planOf([
      stripe('a/full_1.bak', 'F', 'Full', 100n, 200n, 1),
      stripe('b/full_2.bak', 'F', 'Full', 100n, 200n, 2),
      stripe('a/log_1.trn', 'L', 'Log', 190n, 300n, 1),
    ]);
    expect(stepFiles(plan)).toEqual(['a/full_1.bak+b/full_2.bak']);
    expect(reasonOf(plan, 'a/log_1.trn')).toBe('MissingStripeInBackupSet');
    expect(plan.ignored[0]?.message).toContain('media family 2 is missing');
  });

  it('keeps one copy of a set found twice', () => {
    const plan = planOf([
      full,
      file('copy/full.bak', [{ type: 'Full', guid: 'F1', first: 100n, last: 200n }]),
    ]);
    expect(stepFiles(plan)).toEqual(['full.bak']);
    expect(reasonOf(plan, 'copy/full.bak')).toBe('DuplicateBackupSet');
  });

  it('plans appended sets for SQL Server, by position, and leaves them out for Log Replay Service', () => {
    const appended = file('all.bak', [
      { type: 'Full', guid: 'F', first: 100n, last: 200n },
      { type: 'Log', guid: 'L', first: 190n, last: 300n },
    ]);
    const sqlServer = planOf([appended]);
    expect(sqlServer.restorePlan.map((s) => s.files[0]?.position)).toEqual([1, 2]);
    const mi = planOf([appended], 'Sales', { allowAppendedSets: false });
    expect(mi.status).toBe('NoFullBackup');
    expect(mi.ignored.map((i) => i.reason)).toEqual([
      'MultipleBackupSetsInFile',
      'MultipleBackupSetsInFile',
    ]);
  });

  it('says what is missing when there is no full backup', () => {
    const plan = planOf([file('log.trn', [{ type: 'Log', guid: 'L', first: 190n, last: 300n }])]);
    expect(plan.status).toBe('NoFullBackup');
    expect(plan.lastRestorableLSN).toBeNull();
    expect(plan.waitingFor.backupType).toBe('Full');
    expect(reasonOf(plan, 'log.trn')).toBe('WaitingForFullBackup');
  });

  it('reports incomplete sets and unreadable files with their reasons', () => {
    const planner = new RestorePlanner();
    planner.addFile(
      file('growing.bak', [{ type: 'Full', guid: 'F', first: 100n, last: 200n, complete: false }]),
    );
    planner.addFile(unreadable('notes.txt'));
    planner.addFile(unreadable('cut.bak', 'Truncated'));
    planner.addFile(unreadable('bad.bak', 'CorruptDescriptor'));
    expect(reasonOf(planner.plan('Sales'), 'growing.bak')).toBe('IncompleteBackupFile');
    expect(planner.invalidFiles().map((i) => [i.file, i.reason])).toEqual([
      ['bad.bak', 'CorruptBackupFile'],
      ['cut.bak', 'IncompleteBackupFile'],
      ['notes.txt', 'NotABackupFile'],
    ]);
  });

  it('replaces a file that is read again (a backup that finished writing)', () => {
    const planner = new RestorePlanner();
    planner.addFile(
      file('full.bak', [{ type: 'Full', guid: 'F', first: 100n, last: 200n, complete: false }]),
    );
    expect(planner.plan('Sales').status).toBe('NoFullBackup');
    planner.addFile(file('full.bak', [{ type: 'Full', guid: 'F', first: 100n, last: 200n }]));
    const plan = planner.plan('Sales');
    expect(plan.status).toBe('Ready');
    expect(plan.ignored).toEqual([]);
    planner.removeFile('full.bak');
    expect(planner.plan('Sales').status).toBe('NoFullBackup');
  });

  it('plans one database on request and reports the others as such', () => {
    const report = buildPlanReport(
      [full, file('hr.bak', [{ db: 'HR', type: 'Full', guid: 'H', first: 1n, last: 2n }])],
      { database: 'Sales' },
    );
    expect(report.databases.map((d) => d.databaseName)).toEqual(['Sales']);
    expect(reasonOf(report.databases[0] as DatabasePlan, 'hr.bak')).toBe('BackupOfAnotherDatabase');
  });
});

describe('incremental planning', () => {
  it('gives the same plan whatever order thousands of files arrive in', () => {
    const files = [
      ...chain(3000),
      file('gap.trn', [{ type: 'Log', guid: 'G', first: 1_000_000n, last: 1_000_010n }]),
      file('empty.trn', [{ type: 'Log', guid: 'E', first: 500n, last: 500n }]),
      file('old.trn', [{ type: 'Log', guid: 'O', first: 10n, last: 20n }]),
    ];
    const inOrder = planOf(files);
    const random = seededRandom(7);
    for (let trial = 0; trial < 3; trial++) {
      const shuffled = [...files];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = random.below(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j] as PlannerFile, shuffled[i] as PlannerFile];
      }
      // Read the plan between arrivals too, so that the incremental path (not only a re-plan) is used.
      const planner = new RestorePlanner();
      shuffled.forEach((f, index) => {
        planner.addFile(f);
        if (index % 97 === 0) planner.lastRestorableLsn('Sales');
      });
      expect(planner.plan('Sales')).toEqual(inOrder);
    }
    expect(inOrder.restorePlan).toHaveLength(3001);
    expect(inOrder.lastRestorableLSN).toBe(195n + 3000n * 10n);
  });
});

describe('a pinned base', () => {
  it('keeps the full a restore started from when a later full arrives', () => {
    const planner = new RestorePlanner();
    planner.addFile(full);
    planner.addFile(file('log1.trn', [{ type: 'Log', guid: 'L1', first: 190n, last: 300n }]));
    planner.pinBase('Sales', 'F1');
    planner.addFile(file('full2.bak', [{ type: 'Full', guid: 'F2', first: 280n, last: 320n }]));
    planner.addFile(file('log2.trn', [{ type: 'Log', guid: 'L2', first: 300n, last: 400n }]));
    const plan = planner.plan('Sales');
    expect(stepFiles(plan)).toEqual(['full.bak', 'log1.trn', 'log2.trn']);
    expect(reasonOf(plan, 'full2.bak')).toBe('FullBackupAfterRestoreStarted');
    planner.pinBase('Sales', null);
    expect(stepFiles(planner.plan('Sales'))).toEqual(['full2.bak', 'log2.trn']);
  });
});
