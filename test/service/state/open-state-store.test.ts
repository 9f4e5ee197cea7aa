import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openStateStore, SQLITE_FILE } from '../../../src/service/state/index.js';
import { expectCode } from './state-fixtures.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sqlmig-open-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('openStateStore', () => {
  it('keeps the state in <dataDir>/sqlmig.db by default, creating the directory', async () => {
    const dir = path.join(dataDir, 'nested', 'data');
    const store = await openStateStore({ dataDir: dir });
    try {
      expect(store.kind).toBe('sqlite');
      expect(store.description).toBe(`SQLite file ${path.join(dir, SQLITE_FILE)}`);
      await store.migrate();
      expect((await stat(path.join(dir, SQLITE_FILE))).isFile()).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('uses PostgreSQL for a postgres URL and never describes it with its password', async () => {
    for (const [url, description] of [
      [
        'postgres://sqlmig:s3cr%40t@db.example.com:6432/state?sslmode=require',
        'postgres://sqlmig@db.example.com:6432/state',
      ],
      ['postgresql://admin:hunter2@localhost/sqlmig', 'postgresql://admin@localhost/sqlmig'],
    ] as const) {
      const store = await openStateStore({ dataDir, databaseUrl: url });
      expect(store.kind).toBe('postgres');
      expect(store.description).toBe(`PostgreSQL ${description}`);
      expect(store.description).not.toMatch(/s3cr|hunter2/);
      await store.close();
    }
  });

  it('refuses URLs that are empty, unparseable or not PostgreSQL, without echoing them', async () => {
    for (const url of [
      '',
      'mysql://root:hunter2@db/state',
      'not a url hunter2',
      'sqlite:///data/x.db',
    ]) {
      const error = await expectCode(
        openStateStore({ dataDir, databaseUrl: url }),
        'InvalidDatabaseUrl',
      );
      expect(error.message).toContain('SQLMIG_DATABASE_URL');
      expect(error.message).not.toContain('hunter2');
    }
  });

  it('says which data directory it cannot create', async () => {
    const blocker = path.join(dataDir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const error = await expectCode(
      openStateStore({ dataDir: path.join(blocker, 'data') }),
      'Unavailable',
    );
    expect(error.message).toContain(`cannot create the data directory ${blocker}`);
  });

  it('reports an unreachable PostgreSQL server with its description', async () => {
    const store = await openStateStore({ dataDir, databaseUrl: 'postgres://u:pw@127.0.0.1:1/db' });
    const error = await expectCode(store.migrate(), 'Unavailable');
    expect(error.message).toContain(
      'cannot connect to the state database PostgreSQL postgres://u@127.0.0.1:1/db',
    );
    await store.close();
  });
});
