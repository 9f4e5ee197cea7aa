/**
 * The `sql/` module without a SQL Server: `quoteName`, `SqlError`, and parameter binding as the SQL
 * Server target uses it, checked against the scripted connection (a stand-in). The tedious adapter
 * itself (`openSqlConnection`) cannot be tested here: no SQL Server runs on the project's machines.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { memorySource, readBackupMedia } from '../../src/backup/index.js';
import { uploadName } from '../../src/planning/index.js';
import { isSqlError, quoteName, SqlError } from '../../src/sql/index.js';
import { createSqlServerTarget } from '../../src/targets/index.js';
import { corpusFile, hasBackupCorpus } from '../support/corpus.js';
import { MemoryBlobStore } from '../support/memory-blob-store.js';
import { ScriptedSqlConnection, serverError } from '../support/scripted-sql.js';

describe('quoteName', () => {
  it('brackets a name and doubles every ]', () => {
    expect(quoteName('Sales')).toBe('[Sales]');
    expect(quoteName('a]b]]c')).toBe('[a]]b]]]]c]');
    expect(quoteName("x'; DROP DATABASE master; --")).toBe("[x'; DROP DATABASE master; --]");
    expect(quoteName('[already]')).toBe('[[already]]]');
  });

  it('refuses what QUOTENAME would not take: empty, longer than 128, NUL', () => {
    expect(quoteName('n'.repeat(128))).toHaveLength(130);
    expect(() => quoteName('n'.repeat(129))).toThrow(/at most 128/);
    expect(() => quoteName('')).toThrow(RangeError);
    expect(() => quoteName('a\u0000b')).toThrow(RangeError);
  });
});

describe('SqlError', () => {
  it('carries SQL Server messages; number is the cause, not the 3013 after it', () => {
    const error = serverError(
      [4305, 'too recent'],
      [3013, 'RESTORE LOG is terminating abnormally.'],
    );
    expect(isSqlError(error)).toBe(true);
    expect(error.number).toBe(4305);
    expect(error.class).toBe(16);
    expect(error.state).toBe(1);
    expect(error.has(3013)).toBe(true);
    expect(error.message).toBe(
      'Msg 4305, Level 16, State 1: too recent Msg 3013, Level 16, State 1: RESTORE LOG is terminating abnormally.',
    );
    expect(new SqlError('LoginFailed', 'x').number).toBeNull();
  });
});

describe.skipIf(!hasBackupCorpus)('parameter binding (scripted connection)', () => {
  it('sends hostile names and paths as bound parameters, never in the statement text', async () => {
    const path = 'appveyor-lab/RestoreTimeClean/RestoreTimeClean.bak';
    const bytes = readFileSync(corpusFile(path));
    const media = await readBackupMedia(memorySource(path, bytes));
    const store = new MemoryBlobStore();
    const folder = "it's [odd]";
    await store.put(`${folder}/${uploadName(path, 1)}`, bytes);
    const hostile = "RestoreTimeClean'); DROP DATABASE master; --";
    const connection = new ScriptedSqlConnection()
      .on(/^SELECT DB_ID/, [{ databaseId: null }])
      .on(
        /^RESTORE FILELISTONLY/,
        (media.sets[0]?.files ?? []).map((f, i) => ({
          LogicalName: i === 0 ? hostile : f.LogicalName,
          Type: f.Type,
          FileId: f.FileId,
          TDEThumbprint: null,
        })),
      )
      .on(/InstanceDefaultDataPath/, [{ dataPath: "D:\\it's data\\", logPath: 'D:\\log\\' }]);
    const target = createSqlServerTarget({
      connect: () => Promise.resolve(connection),
      instanceDescription: 'scripted',
      store,
      source: {
        kind: 'Url',
        containerUrl: 'https://acct.blob.core.windows.net/c',
        accountKey: Buffer.from('k').toString('base64'),
      },
      autoAdvance: false,
    });
    const name = "Sa]les'; --";
    await target.start({ databaseName: name, folder });
    await target.advance(name);
    const restore = connection.sent.find((s) => s.sql.startsWith('RESTORE DATABASE'));
    expect(restore?.sql).toBe(
      "RESTORE DATABASE [Sa]]les'; --] FROM URL = @url0 WITH NORECOVERY, MOVE @logical0 TO @physical0, MOVE @logical1 TO @physical1, STATS = 10;",
    );
    expect(restore?.params.logical0).toBe(hostile);
    expect(restore?.params.physical0).toBe(
      "D:\\it's data\\Sa]les'; --_RestoreTimeClean'); DROP DATABASE master; --.mdf",
    );
    expect(restore?.params.url0).toBe(
      "https://acct.blob.core.windows.net/c/it's%20%5Bodd%5D/RestoreTimeClean.bak",
    );
    for (const sent of connection.sent) {
      expect(sent.sql).not.toContain('DROP DATABASE master');
      expect(sent.sql).not.toContain("it's data");
    }
    expect(connection.sent[0]).toEqual({
      sql: 'SELECT DB_ID(@name) AS databaseId;',
      params: { name },
    });
  });
});
