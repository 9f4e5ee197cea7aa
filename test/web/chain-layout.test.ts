/**
 * The restore chain's layout (what the dashboard's picture draws): sets in LSN order whatever order
 * the service lists them in, compared as whole numbers beyond 2^53; ignored sets marked with their
 * reasons and left out of the chain; a gap where a log begins after the chain's reach.
 */
import { describe, expect, it } from 'vitest';

import type { BackupSetInfo, MigrationStatusDetails } from '../../src/api-contract/index.js';
import { chainLayout } from '../../src/web/dashboard/chain-layout.js';

function set(
  id: string,
  backupType: 'Full' | 'Differential' | 'Log',
  firstLSN: string,
  lastLSN: string,
  options: { ignoreReason?: string; restored?: boolean } = {},
): BackupSetInfo {
  return {
    backupSetId: id,
    firstLSN,
    lastLSN,
    backupType,
    listOfBackupFiles: [
      {
        fileName: `${id}.${backupType === 'Log' ? 'trn' : 'bak'}`,
        status: options.ignoreReason ? 'Ignored' : options.restored ? 'Restored' : 'Uploaded',
        totalSize: 1000,
        dataRead: 1000,
        dataWritten: 1000,
        copyThroughput: 10,
        copyDuration: 0.1,
        familySequenceNumber: 1,
        ignoreReason: options.ignoreReason ?? null,
        message: null,
      },
    ],
    backupStartDate: null,
    backupFinishDate: null,
    isBackupRestored: options.restored ?? false,
    hasBackupChecksums: true,
    familyCount: 1,
    ignoreReasons: [],
  };
}

function details(full: BackupSetInfo | null, active: BackupSetInfo[]): MigrationStatusDetails {
  return {
    migrationState: 'Restoring',
    fullBackupSetInfo: full,
    lastRestoredBackupSetInfo: null,
    activeBackupSets: active,
    invalidFiles: [],
    blobContainerName: 'Sales',
    isFullBackupRestored: true,
    restoreBlockingReason: null,
    completeRestoreErrorMessage: null,
    fileUploadBlockingErrors: [],
    currentRestoringFilename: null,
    lastRestoredFilename: null,
    pendingLogBackupsCount: 0,
  };
}

describe('chainLayout', () => {
  it('orders the sets by LSN (a full before a log that starts where it does) and finds the gap', () => {
    // The LSNs of the corpus chain RestoreTimeClean: log 1 starts with the full; log 3 leaves a gap.
    const full = set('full', 'Full', '25000000006200170', '25000000013200001', { restored: true });
    const log1 = set('log1', 'Log', '25000000006200170', '25000000015300001', { restored: true });
    const log3 = set('log3', 'Log', '25000000016300001', '25000000017300001');
    const items = chainLayout(details(full, [log3, log1, full]));
    expect(items.map((i) => i.set.backupSetId)).toEqual(['full', 'log1', 'log3']);
    expect(items.map((i) => i.gapBefore)).toEqual([
      null,
      null,
      { from: '25000000015300001', to: '25000000016300001' },
    ]);
    expect(items.every((i) => i.ignoredBecause.length === 0)).toBe(true);
  });

  it('marks ignored sets with their reasons and keeps them out of the chain', () => {
    const full = set('full', 'Full', '1000', '2000');
    const covered = set('old-log', 'Log', '500', '1500', {
      ignoreReason: 'LogBackupCoveredByBase',
    });
    const diff = set('diff', 'Differential', '3000', '4000');
    const log = set('log', 'Log', '3500', '5000');
    const items = chainLayout(details(full, [diff, log, covered]));
    expect(items.map((i) => [i.set.backupSetId, i.ignoredBecause, i.gapBefore])).toEqual([
      ['old-log', ['LogBackupCoveredByBase'], null],
      ['full', [], null],
      ['diff', [], null],
      ['log', [], null],
    ]);
  });

  it('compares LSNs as whole numbers, past what a double holds exactly', () => {
    const full = set('full', 'Full', '9007199254740990', '9007199254740992');
    const a = set('a', 'Log', '9007199254740992', '9007199254740993');
    const b = set('b', 'Log', '9007199254740995', '9007199254740999');
    const items = chainLayout(details(full, [b, a]));
    expect(items.map((i) => i.set.backupSetId)).toEqual(['full', 'a', 'b']);
    expect(items[2]?.gapBefore).toEqual({ from: '9007199254740993', to: '9007199254740995' });
  });

  it('draws nothing before the first set arrives', () => {
    expect(chainLayout(details(null, []))).toEqual([]);
  });
});
