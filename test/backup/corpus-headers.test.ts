import { describe, expect, it } from 'vitest';

import { fileKind, headerRows, openFileSource, readBackupMedia } from '../../src/backup/index.js';
import {
  corpusFile,
  corpusSkipReason,
  expectedHeaders,
  hasBackupCorpus,
} from '../support/corpus.js';

if (!hasBackupCorpus) console.warn(`Skipping the corpus conformance tests: ${corpusSkipReason}.`);

/**
 * Sets the reader finds that expected-headers.json does not list (its reader stopped at Position 1).
 * Each is proven by the bytes: see docs/backup-reader.md, "Where expected-headers.json is incomplete".
 */
const setsMissingFromExpected: Readonly<Record<string, readonly number[]>> = {
  'appveyor-lab/singlerestore/SharePoint_Config-compressed-v1.bak': [2],
};

describe.skipIf(!hasBackupCorpus)('every corpus file matches expected-headers.json', () => {
  const expected = hasBackupCorpus ? expectedHeaders() : {};

  it('covers every file of the manifest', () => {
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(45);
  });

  for (const [relative, sets] of Object.entries(expected)) {
    it(relative, async () => {
      const source = await openFileSource(corpusFile(relative));
      try {
        const media = await readBackupMedia(source);
        const rows = headerRows(relative, media);
        const extra = setsMissingFromExpected[relative] ?? [];
        expect(rows.map((row) => row.Position)).toEqual([
          ...sets.map((set) => set.Position),
          ...extra,
        ]);
        sets.forEach((want, index) => {
          const got = rows[index] as unknown as Record<string, unknown>;
          for (const [field, value] of Object.entries(want)) {
            expect(got[field], `${relative} set ${index + 1} ${field}`).toEqual(
              field === 'Files'
                ? (value as object[]).map((file): unknown => expect.objectContaining(file))
                : value,
            );
          }
        });
        for (const row of rows) expect(row.Complete, `${relative} set ${row.Position}`).toBe(true);
        // Every corpus file is a data file or the log (SFIN codes 1 and 2): no code left unnamed.
        for (const set of media.sets)
          for (const file of set.files) {
            expect(fileKind(file), `${relative} ${file.LogicalName}`).toMatch(/^(data|log)$/);
            expect(file).not.toHaveProperty('UnknownTypeCode');
          }
      } finally {
        await source.close();
      }
    });
  }

  it('the second set of the compressed sample is a real full backup of the same database', async () => {
    const relative = 'appveyor-lab/singlerestore/SharePoint_Config-compressed-v1.bak';
    const source = await openFileSource(corpusFile(relative));
    try {
      const [first, second] = (await readBackupMedia(source)).sets.map((set) => set.header);
      expect(second).toMatchObject({
        Position: 2,
        DatabaseName: 'SharePoint_Config',
        BackupType: 1,
        BackupSetGUID: '82d28802-f4e0-4de5-9752-32058f603aae',
        // A later full's differential base is the previous full's checkpoint.
        DatabaseBackupLSN: first?.CheckpointLSN,
        BackupStartDate: '2018-10-06T23:16:47',
      });
      expect(second?.FirstLSN).toBeGreaterThan(first?.LastLSN ?? 0n);
    } finally {
      await source.close();
    }
  });
});
