import { setTimeout as sleep } from 'node:timers/promises';

import Database from 'better-sqlite3';

import { AsyncMutex } from './async-mutex.js';
import { messageOf, StateError } from './errors.js';
import { migrateSchema } from './schema-migrations.js';
import { sqliteDialect, type SqlRow, type SqlSession } from './sql-session.js';
import type { StateStore, StateTransaction } from './state-store.js';
import {
  NestingGuard,
  settle,
  withStateTransaction,
  type BegunTransaction,
} from './transaction-scope.js';

export interface SqliteStoreOptions {
  /** The database file; created when missing. */
  readonly path: string;
  /** How long a transaction waits for another connection's write lock before failing. */
  readonly busyTimeoutMs: number;
  /** Refuse a transaction started inside another (see `NestingGuard`). Default true. */
  readonly checkNesting?: boolean;
}

/**
 * The default state store: one SQLite file in WAL mode, for one service process. Every transaction
 * is `BEGIN IMMEDIATE`, so it holds the write lock from its start and never fails half-way on a
 * lock; transactions of this connection queue on an async mutex.
 *
 * The busy timeout is applied asynchronously: SQLite's own `busy_timeout` would block the event loop
 * while waiting, which freezes the whole service and, with two connections in one process, waits
 * for a lock that only this same thread could release. So `BEGIN IMMEDIATE` is tried without
 * waiting and retried on timers until `busyTimeoutMs` has passed.
 */
export function openSqliteStore(options: SqliteStoreOptions): StateStore {
  let db: Database.Database | undefined;
  try {
    db = new Database(options.path, { timeout: options.busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    // Commits are written to the WAL without an fsync each (the WAL is synced at checkpoints): a
    // killed process loses nothing, a power cut may take back the last commits but never corrupts
    // the file. An fsync per commit cost 0.25 ms of the event loop on this project's machines, and
    // a busy service commits over a thousand times a second. (decision 0002)
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 0');
  } catch (error) {
    db?.close();
    throw new StateError(
      'Unavailable',
      `cannot open the state database file ${options.path}: ${messageOf(error)}. Check that the data directory exists and that sqlmig may write to it.`,
      { cause: error },
    );
  }
  return new SqliteStateStore(db, options);
}

class SqliteStateStore implements StateStore {
  readonly kind = 'sqlite';
  readonly description: string;
  readonly #db: Database.Database;
  readonly #options: SqliteStoreOptions;
  readonly #mutex = new AsyncMutex();
  /** Transactions asked for and not begun yet (`#grouped`). */
  readonly #pending: {
    readonly run: () => Promise<unknown>;
    readonly resolve: (value: unknown) => void;
    readonly reject: (error: unknown) => void;
  }[] = [];
  readonly #begun: BegunTransaction;
  readonly #nesting: NestingGuard;
  /** Each grouped transaction's savepoint statements, prepared once (a busy service runs thousands). */
  readonly #savepoints: {
    readonly savepoint: Database.Statement;
    readonly release: Database.Statement;
    readonly rollbackTo: Database.Statement;
  };
  #closed = false;

  constructor(db: Database.Database, options: SqliteStoreOptions) {
    this.#db = db;
    this.#options = options;
    this.description = `SQLite file ${options.path}`;
    this.#nesting = new NestingGuard(this.description, options.checkNesting ?? true);
    this.#savepoints = {
      savepoint: db.prepare('SAVEPOINT grouped'),
      release: db.prepare('RELEASE grouped'),
      rollbackTo: db.prepare('ROLLBACK TO grouped'),
    };
    this.#begun = {
      session: sqliteSession(db),
      commit: () =>
        Promise.resolve().then(() => {
          this.#db.exec('COMMIT');
        }),
      rollback: () => {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        return Promise.resolve();
      },
    };
  }

  migrate(): Promise<void> {
    return this.#nesting.enter(async () => {
      await migrateSchema({
        description: this.description,
        withLock: (work) => this.#exclusive(() => work(this.#begun.session)),
      });
    });
  }

  transaction<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T> {
    return this.#nesting.enter(() => this.#grouped(work));
  }

  /**
   * Group commit: the transactions asked for within one turn of the event loop run one after the
   * other inside one `BEGIN IMMEDIATE … COMMIT`, each in a savepoint of its own. One that fails is
   * rolled back to its savepoint alone; each caller learns its outcome once the COMMIT is done (a
   * failed COMMIT fails them all, and nothing of them is kept). A busy service asks for hundreds of
   * small transactions a second; a commit each was most of what the state store cost.
   */
  #grouped<T>(work: (tx: StateTransaction) => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(
        new StateError('StoreClosed', `the state store (${this.description}) has been closed.`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({
        run: () => withStateTransaction(this.#begun.session, work),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (this.#pending.length === 1) {
        setImmediate(() => {
          void this.#mutex.run(() => this.#commitPending());
        });
      }
    });
  }

  async #commitPending(): Promise<void> {
    const batch = this.#pending.splice(0, this.#pending.length);
    if (batch.length === 0) return;
    if (this.#closed) {
      const closed = new StateError(
        'StoreClosed',
        `the state store (${this.description}) was closed before this transaction began.`,
      );
      for (const item of batch) item.reject(closed);
      return;
    }
    try {
      await this.#beginImmediate();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    const outcomes: (() => void)[] = [];
    const { savepoint, release, rollbackTo } = this.#savepoints;
    for (const item of batch) {
      savepoint.run();
      try {
        const value = await item.run();
        release.run();
        outcomes.push(() => {
          item.resolve(value);
        });
      } catch (error) {
        rollbackTo.run();
        release.run();
        outcomes.push(() => {
          item.reject(error);
        });
      }
    }
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      await this.#begun.rollback();
      for (const item of batch) item.reject(error);
      return;
    }
    for (const outcome of outcomes) outcome();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#mutex.run(() => Promise.resolve(this.#db.close()));
  }

  /** Runs `work` in a `BEGIN IMMEDIATE` transaction, one at a time on this connection. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(
        new StateError('StoreClosed', `the state store (${this.description}) has been closed.`),
      );
    }
    return this.#mutex.run(async () => {
      await this.#beginImmediate();
      return settle(this.#begun, work);
    });
  }

  async #beginImmediate(): Promise<void> {
    const deadline = Date.now() + this.#options.busyTimeoutMs;
    for (let delayMs = 1; ; delayMs = Math.min(delayMs * 2, 50)) {
      try {
        this.#db.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() >= deadline) {
          throw new StateError(
            'Busy',
            `the state database file ${this.#options.path} stayed locked by another connection for ${this.#options.busyTimeoutMs} ms. Is another sqlmig service using the same data directory? A SQLite state file serves one service process; use PostgreSQL (SQLMIG_DATABASE_URL) to run several.`,
            { cause: error },
          );
        }
      }
      await sleep(delayMs);
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : null;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED');
}

/**
 * Statements are prepared once per connection and reused. Each runs at once, when called (not in a
 * later microtask), so the transaction's check that it is still open and the statement are one step.
 */
function sqliteSession(db: Database.Database): SqlSession {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    dialect: sqliteDialect,
    all: (sql, params = []) => settled(() => prepare(sql).all(...params) as SqlRow[]),
    run: (sql, params = []) => settled(() => prepare(sql).run(...params).changes),
  };
}

function settled<T>(statement: () => T): Promise<T> {
  try {
    return Promise.resolve(statement());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
