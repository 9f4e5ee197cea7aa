import { describe, expect, it } from 'vitest';

import { managedInstanceLayoutProblems, uploadName } from '../../src/planning/index.js';
import { file, unreadable } from '../support/planner-files.js';

describe('Log Replay Service layout rules', () => {
  it('names files with the extensions Log Replay Service reads', () => {
    expect(uploadName('Sales/Sales_LOG_1.trn', 2)).toBe('Sales_LOG_1.log');
    expect(uploadName('Sales/Sales_DIFF.bak', 5)).toBe('Sales_DIFF.bak');
    expect(uploadName('Sales/Sales_DIFF.dif', 5)).toBe('Sales_DIFF.diff');
    expect(uploadName('Sales/NoExtension', 1)).toBe('NoExtension.bak');
    expect(uploadName('Sales/Full.BAK', 1)).toBe('Full.BAK');
  });

  it('finds nothing wrong in one flat folder per database with checksummed backups', () => {
    const problems = managedInstanceLayoutProblems([
      file('Sales/full.bak', [{ type: 'Full', guid: 'F', first: 1n, last: 2n }]),
      file('Sales/log.log', [{ type: 'Log', guid: 'L', first: 1n, last: 3n }]),
      file('HR/full.bak', [{ db: 'HR', type: 'Full', guid: 'H', first: 1n, last: 2n }]),
      unreadable('Sales/readme.txt'),
    ]);
    expect(problems).toEqual([]);
  });

  it('reports each problem with its code, severity and files', () => {
    const problems = managedInstanceLayoutProblems([
      file('Sales/FULL/full.bak', [
        { type: 'Full', guid: 'F', first: 1n, last: 2n, checksums: false },
      ]),
      file('Sales/LOG/log.trn', [{ type: 'Log', guid: 'L', first: 1n, last: 3n }]),
      file('mixed/hr.bak', [{ db: 'HR', type: 'Full', guid: 'H', first: 1n, last: 2n }]),
      file('mixed/fin.bak', [
        { db: 'Finance', type: 'Full', guid: 'X', first: 1n, last: 2n },
        { db: 'Finance', type: 'Log', guid: 'Y', first: 1n, last: 3n },
      ]),
      file('nightly-backups/ops.bak', [
        { db: 'Ops', type: 'Full', guid: 'O', first: 1n, last: 2n },
      ]),
    ]);
    const byCode = Object.fromEntries(problems.map((p) => [p.code, p]));
    expect(byCode.NestedFolders).toMatchObject({
      severity: 'error',
      files: ['Sales/FULL/full.bak', 'Sales/LOG/log.trn'],
    });
    expect(byCode.MultipleDatabasesInFolder).toMatchObject({
      files: ['mixed/fin.bak', 'mixed/hr.bak'],
    });
    expect(byCode.BackupWordInPath?.files).toEqual(['nightly-backups/ops.bak']);
    expect(byCode.UnsupportedFileExtension?.message).toContain('Sales/LOG/log.trn → log.log');
    expect(byCode.AppendedMedia?.files).toEqual(['mixed/fin.bak']);
    expect(byCode.FullBackupMissingChecksum).toMatchObject({
      severity: 'warning',
      files: ['Sales/FULL/full.bak'],
    });
  });
});
