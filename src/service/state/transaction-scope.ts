import { AsyncLocalStorage } from 'node:async_hooks';

import { StateError } from './errors.js';
import { SqlStateTransaction } from './sql-transaction.js';
import type { SqlSession } from './sql-session.js';
import type { StateTransaction } from './state-store.js';

/** The transactions the current async context was started inside; `open` until their work ends. */
const enclosing = new AsyncLocalStorage<readonly { readonly guard: object; open: boolean }[]>();

/**
 * Refuses `transaction()` inside a transaction of the same store: with SQLite it would wait for
 * itself forever, with PostgreSQL it would be a second, independent transaction. Different stores
 * may nest, and work started inside a transaction but run after it ended (a timer, a background
 * task) may start its own. Each store makes one and runs every transaction through `enter`.
 *
 * The check follows the async context of every promise of the process (`AsyncLocalStorage`), which
 * on Node 20 costs each promise a hook: about a quarter more time for promise-heavy code in a
 * micro-benchmark, and the busy service's event loop went from 84% to 71% busy without it. So it
 * runs when `check` is true (stores are opened so by default, and so in the test suites, where a
 * nested transaction in the engine would be caught) and the service turns it off.
 */
export class NestingGuard {
  readonly #description: string;
  readonly #check: boolean;

  /** `description`: the store, as messages name it. */
  constructor(description: string, check: boolean) {
    this.#description = description;
    this.#check = check;
  }

  async enter<T>(work: () => Promise<T>): Promise<T> {
    if (!this.#check) return work();
    const outer = enclosing.getStore() ?? [];
    if (outer.some((scope) => scope.guard === this && scope.open)) {
      throw new StateError(
        'NestedTransaction',
        `a transaction on ${this.#description} was started inside another transaction on it; use the outer transaction's StateTransaction instead.`,
      );
    }
    const scope = { guard: this, open: true };
    try {
      return await enclosing.run([...outer, scope], work);
    } finally {
      scope.open = false;
    }
  }
}

export interface BegunTransaction {
  readonly session: SqlSession;
  commit(): Promise<void>;
  /** Must not throw: a failed rollback is the store's to handle (PostgreSQL discards the client). */
  rollback(): Promise<void>;
}

/** Runs `work` in a begun transaction: commits when it resolves, rolls back when it throws. */
export async function settle<T>(begun: BegunTransaction, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
    await begun.commit();
  } catch (error) {
    await begun.rollback();
    throw error;
  }
  return result;
}

/** Runs `work` with a `StateTransaction` that refuses use once `work` has settled. */
export async function withStateTransaction<T>(
  session: SqlSession,
  work: (tx: StateTransaction) => Promise<T>,
): Promise<T> {
  const tx = new SqlStateTransaction(session);
  try {
    return await work(tx);
  } finally {
    tx.end();
  }
}
