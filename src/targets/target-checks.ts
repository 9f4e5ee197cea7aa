/**
 * Runs a target's pre-start checks one after the other, each kept as Succeeded with what it found or
 * Failed with the error's message (which says what to do): one failure does not hide the others.
 */
import type { RestoreTarget, StartRestore, TargetCheck } from './restore-target.js';

export class TargetChecks {
  readonly #checks: TargetCheck[] = [];

  /** Runs `work`; its result is the check's message. Resolves to whether it succeeded. */
  async run(check: string, work: () => Promise<string> | string): Promise<boolean> {
    try {
      this.#checks.push({ check, status: 'Succeeded', message: await work() });
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#checks.push({ check, status: 'Failed', message });
      return false;
    }
  }

  get all(): TargetCheck[] {
    return [...this.#checks];
  }
}

/** The target's own checks, or, for a target without them, whether the database name is free. */
export async function checkRestoreTarget(
  target: RestoreTarget,
  request: StartRestore,
): Promise<TargetCheck[]> {
  if (target.check) return target.check(request);
  const checks = new TargetChecks();
  await checks.run('databaseName', async () => {
    if (await target.databaseExists(request.databaseName))
      throw new Error(
        `Database ${request.databaseName} exists on ${target.description}; sqlmig never overwrites a database. Choose another target name.`,
      );
    return `No database ${request.databaseName} on ${target.description}: a migration may create it.`;
  });
  return checks.all;
}
