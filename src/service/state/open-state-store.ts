import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { parseDatabaseUrl } from './database-url.js';
import { messageOf, StateError } from './errors.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { StateStore } from './state-store.js';

export const SQLITE_FILE = 'sqlmig.db';
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export interface OpenStateStoreOptions {
  /** sqlmig's data directory (created when missing): the SQLite file `sqlmig.db` lives here. */
  readonly dataDir: string;
  /** `SQLMIG_DATABASE_URL`: a `postgres://` URL puts the state in PostgreSQL instead of SQLite. */
  readonly databaseUrl?: string | undefined;
  /** SQLite: how long a transaction waits for another process's write lock. Default 5000. */
  readonly busyTimeoutMs?: number | undefined;
  /**
   * Refuse a transaction started inside another of the same store (`NestedTransaction`; with SQLite
   * it would wait for itself forever). Default true; it slows every promise of the process on Node
   * 20 (transaction-scope.ts), so the service, whose code the test suites check with it on, turns
   * it off.
   */
  readonly checkNesting?: boolean | undefined;
}

/**
 * Opens the state store the options name; call `migrate()` before the first transaction. Nothing is
 * connected yet for PostgreSQL: a server that cannot be reached is reported by the first call.
 */
export async function openStateStore(options: OpenStateStoreOptions): Promise<StateStore> {
  if (options.databaseUrl !== undefined) {
    return openPostgresStore({
      ...parseDatabaseUrl(options.databaseUrl),
      checkNesting: options.checkNesting ?? true,
    });
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new StateError(
      'InvalidArgument',
      `busyTimeoutMs must be a whole number of milliseconds, 0 or more; got ${String(busyTimeoutMs)}.`,
    );
  }
  try {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StateError(
      'Unavailable',
      `cannot create the data directory ${options.dataDir}: ${messageOf(error)}. Create it, or point sqlmig at a directory it may write to.`,
      { cause: error },
    );
  }
  return openSqliteStore({
    path: path.join(options.dataDir, SQLITE_FILE),
    busyTimeoutMs,
    checkNesting: options.checkNesting ?? true,
  });
}
