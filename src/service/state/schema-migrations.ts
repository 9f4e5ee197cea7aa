import { StateError } from './errors.js';
import { SCHEMA_STEPS, type SchemaStep } from './schema-steps.js';
import { textOf, type SqlSession } from './sql-session.js';

/** The ledger: one row per applied step, written in the step's own transaction. */
const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS schema_ledger (
  step INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  applied_at TEXT NOT NULL
)`;

export interface SchemaLock {
  /** Where the state is, for messages. */
  readonly description: string;
  /**
   * Runs `work` in one transaction that holds the schema lock from its first statement (SQLite:
   * `BEGIN IMMEDIATE`; PostgreSQL: `pg_advisory_xact_lock`); commits when `work` resolves.
   */
  withLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
}

/**
 * Applies the pending steps, one transaction each. Each transaction takes the lock, then reads the
 * ledger, so two processes migrating at once apply every step exactly once: the second one waits,
 * then finds the step recorded. Refuses a database whose ledger names a step this code does not know.
 * Resolves to the names of the steps this call applied.
 */
export async function migrateSchema(
  lock: SchemaLock,
  steps: readonly SchemaStep[] = SCHEMA_STEPS,
): Promise<string[]> {
  const applied: string[] = [];
  for (;;) {
    const name = await lock.withLock(async (session) => {
      await session.run(LEDGER_DDL);
      const done = await appliedSteps(session);
      refuseUnknownSteps(done, steps, lock.description);
      const position = steps.findIndex((step) => !done.has(step.name));
      const step = steps[position];
      if (step === undefined) return null;
      for (const statement of step.statements(session.dialect)) await session.run(statement);
      await session.run('INSERT INTO schema_ledger (step, name, applied_at) VALUES (?, ?, ?)', [
        position + 1,
        step.name,
        new Date().toISOString(),
      ]);
      return step.name;
    });
    if (name === null) return applied;
    applied.push(name);
  }
}

async function appliedSteps(session: SqlSession): Promise<Set<string>> {
  const rows = await session.all('SELECT name FROM schema_ledger ORDER BY step');
  return new Set(rows.map((row) => textOf(row, 'schema_ledger', 'name')));
}

function refuseUnknownSteps(
  done: ReadonlySet<string>,
  steps: readonly SchemaStep[],
  description: string,
): void {
  const known = new Set(steps.map((step) => step.name));
  const unknown = [...done].find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new StateError(
      'SchemaTooNew',
      `the state database was migrated by a newer sqlmig (step ${unknown}); upgrade sqlmig or point it at another database (this one is ${description}).`,
    );
  }
}
