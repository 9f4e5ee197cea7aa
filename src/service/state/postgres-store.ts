import pg from 'pg';

import { messageOf, StateError } from './errors.js';
import { migrateSchema } from './schema-migrations.js';
import { postgresDialect, type SqlRow, type SqlSession } from './sql-session.js';
import type { StateStore, StateTransaction } from './state-store.js';
import { NestingGuard, settle, withStateTransaction } from './transaction-scope.js';

export interface PostgresStoreOptions {
  /** A validated `postgres://` URL (see database-url.ts). */
  readonly connectionString: string;
  /** The URL without its password, for messages. */
  readonly description: string;
  /** Refuse a transaction started inside another (see `NestingGuard`). Default true. */
  readonly checkNesting?: boolean;
}

/**
 * The advisory lock that serialises schema migrations: the two-key form, `'sqlm'` in ASCII and 1
 * (schema). Advisory locks are per database, so two sqlmig databases on one server do not contend.
 */
const SCHEMA_LOCK_SQL = 'SELECT pg_advisory_xact_lock(1936813165, 1)';

/**
 * The state store for several service replicas: a `pg` pool, one pooled client per transaction, READ
 * COMMITTED. Writes are safe without stronger isolation because every versioned write is a
 * compare-and-set on its row, and event appends lock their migration's row (`FOR NO KEY UPDATE`).
 */
export function openPostgresStore(options: PostgresStoreOptions): StateStore {
  return new PostgresStateStore(options);
}

class PostgresStateStore implements StateStore {
  readonly kind = 'postgres';
  readonly description: string;
  readonly #pool: pg.Pool;
  readonly #nesting: NestingGuard;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    this.description = `PostgreSQL ${options.description}`;
    this.#nesting = new NestingGuard(this.description, options.checkNesting ?? true);
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      application_name: 'sqlmig',
      connectionTimeoutMillis: 15_000,
    });
    // An idle client whose connection breaks (server restart, network) is dropped by the pool; the
    // next transaction connects afresh and reports the failure if the server is still away.
    this.#pool.on('error', () => undefined);
  }

  migrate(): Promise<void> {
    return this.#nesting.enter(async () => {
      await migrateSchema({
        description: this.description,
        withLock: (work) =>
          this.#inTransaction(async (session) => {
            await session.run(SCHEMA_LOCK_SQL);
            return work(session);
          }),
      });
    });
  }

  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T> {
    return this.#nesting.enter(() =>
      this.#inTransaction((session) => withStateTransaction(session, work)),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #inTransaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    const session = postgresSession(client);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release(true);
      throw error;
    }
    try {
      return await settle(
        {
          session,
          commit: async () => {
            const result = await client.query('COMMIT');
            // COMMIT of a transaction in which a statement failed is answered with ROLLBACK.
            if (result.command === 'ROLLBACK') throw abortedTransaction(this.description);
          },
          rollback: async () => {
            try {
              await client.query('ROLLBACK');
            } catch (error) {
              broken = error instanceof Error ? error : new Error(messageOf(error));
            }
          },
        },
        () => work(session),
      );
    } finally {
      client.release(broken);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    if (this.#closed) {
      throw new StateError('StoreClosed', `the state store (${this.description}) has been closed.`);
    }
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw new StateError(
        'Unavailable',
        `cannot connect to the state database ${this.description}: ${messageOf(error)}. Check SQLMIG_DATABASE_URL, that the server is running, and that it accepts this user.`,
        { cause: error },
      );
    }
  }
}

function abortedTransaction(description: string): StateError {
  return new StateError(
    'TransactionAborted',
    `a statement failed inside a transaction on ${description}, so PostgreSQL rolled the whole transaction back and nothing was saved. A failed state call must end its transaction: let the error propagate out of transaction().`,
  );
}

/** `?` placeholders become `$1`, `$2`, …; the SQL of this folder has no `?` anywhere else. */
function postgresSession(client: pg.PoolClient): SqlSession {
  const numbered = (sql: string): string => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${String(++n)}`);
  };
  return {
    dialect: postgresDialect,
    all: async (sql, params = []) => (await client.query<SqlRow>(numbered(sql), [...params])).rows,
    run: async (sql, params = []) => (await client.query(numbered(sql), [...params])).rowCount ?? 0,
  };
}
