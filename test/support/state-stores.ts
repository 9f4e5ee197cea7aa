/**
 * TEST SUPPORT — fresh, isolated state store locations for the conformance suite: a new temporary
 * directory per SQLite location, a new schema (in one database per suite run) per PostgreSQL
 * location. Stores are opened through the public `openStateStore`, as the service opens them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';

import { openStateStore, SQLITE_FILE, type StateStore } from '../../src/service/state/index.js';
import type { TestPostgres } from './postgres.js';

export type Row = Record<string, unknown>;

export interface StoreLocation {
  /** Opens a store on this location, migrated unless `migrate` is false; closed by `cleanup()`. */
  open(options?: { migrate?: boolean }): Promise<StateStore>;
  /** Runs SQL on this location outside any store (to read the ledger, or play a newer sqlmig). */
  sql(statement: string): Promise<Row[]>;
}

export interface StoreHarness {
  readonly kind: 'sqlite' | 'postgres';
  /** A new, empty location. */
  fresh(): Promise<StoreLocation>;
  /** Closes the stores opened since the last cleanup and removes their locations. */
  cleanup(): Promise<void>;
  /** Releases what the harness itself holds (the suite's database). */
  dispose(): Promise<void>;
}

function tracker(): {
  open: (options: Parameters<typeof openStateStore>[0], migrate: boolean) => Promise<StateStore>;
  onCleanup: (action: () => Promise<unknown>) => void;
  cleanup: () => Promise<void>;
} {
  let actions: (() => Promise<unknown>)[] = [];
  const onCleanup = (action: () => Promise<unknown>): void => {
    actions.push(action);
  };
  return {
    onCleanup,
    async open(options, migrate) {
      const store = await openStateStore(options);
      onCleanup(() => store.close());
      if (migrate) await store.migrate();
      return store;
    },
    async cleanup() {
      const pending = actions.reverse();
      actions = [];
      for (const action of pending) await action();
    },
  };
}

const tempDir = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'sqlmig-state-'));

export function sqliteHarness(): StoreHarness {
  const track = tracker();
  return {
    kind: 'sqlite',
    async fresh() {
      const dataDir = await tempDir();
      track.onCleanup(() => rm(dataDir, { recursive: true, force: true }));
      return {
        open: (options) => track.open({ dataDir }, options?.migrate ?? true),
        sql(statement) {
          const db = new Database(path.join(dataDir, SQLITE_FILE));
          try {
            const prepared = db.prepare(statement);
            if (prepared.reader) return Promise.resolve(prepared.all() as Row[]);
            prepared.run();
            return Promise.resolve([]);
          } finally {
            db.close();
          }
        },
      };
    },
    cleanup: () => track.cleanup(),
    dispose: () => Promise.resolve(),
  };
}

export async function postgresHarness(server: TestPostgres): Promise<StoreHarness> {
  const databaseUrl = await server.createDatabase();
  const dataDir = await tempDir();
  const track = tracker();
  const query = async (url: string, statement: string): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<Row>(statement)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    kind: 'postgres',
    async fresh() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      await query(databaseUrl, `CREATE SCHEMA ${schema}`);
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const schemaUrl = url.toString();
      return {
        open: (options) =>
          track.open({ dataDir, databaseUrl: schemaUrl }, options?.migrate ?? true),
        sql: (statement) => query(schemaUrl, statement),
      };
    },
    cleanup: () => track.cleanup(),
    async dispose() {
      await track.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
