/**
 * The databases that completed rehearsals left "online", so that sqlmig's never-overwrite check
 * (`databaseExists`, and a start of the same name) holds for them until `stop` drops them. Kept in
 * memory, and in a JSON file when one is given (the embedded service keeps it in its data folder),
 * so that a restarted service still knows them after their migrations were deleted. The file is read
 * once, when the target is made; each change rewrites it whole (a temporary file renamed over it).
 */
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

import { RestoreTargetError } from '../target-error.js';

interface OnlineDatabase {
  readonly databaseName: string;
  readonly completedOn: string;
}

export class OnlineDatabases {
  readonly #file: string | null;
  readonly #onError: (error: unknown) => void;
  /** By database name in lower case (names compare as SQL Server's do, case-insensitively). */
  readonly #databases = new Map<string, OnlineDatabase>();
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string | null, onError: (error: unknown) => void) {
    this.#file = file;
    this.#onError = onError;
    if (file !== null)
      for (const db of readList(file)) this.#databases.set(keyOf(db.databaseName), db);
  }

  has(databaseName: string): boolean {
    return this.#databases.has(keyOf(databaseName));
  }

  add(databaseName: string, completedOn: Date): void {
    if (this.has(databaseName)) return;
    this.#databases.set(keyOf(databaseName), {
      databaseName,
      completedOn: completedOn.toISOString(),
    });
    this.#save();
  }

  remove(databaseName: string): void {
    if (this.#databases.delete(keyOf(databaseName))) this.#save();
  }

  /** Resolves once every change so far is on disk (or reported to `onError`). */
  saved(): Promise<void> {
    return this.#writing;
  }

  #save(): void {
    const file = this.#file;
    if (file === null) return;
    const list = [...this.#databases.values()];
    this.#writing = this.#writing.then(async () => {
      try {
        const temporary = `${file}.tmp`;
        await writeFile(temporary, `${JSON.stringify({ databases: list }, null, 2)}\n`);
        await rename(temporary, file);
      } catch (error) {
        this.#onError(error);
      }
    });
  }
}

function keyOf(databaseName: string): string {
  return databaseName.toLowerCase();
}

function readList(file: string): OnlineDatabase[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw unreadable(file, error instanceof Error ? error.message : String(error));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unreadable(file, 'it is not JSON');
  }
  const databases = (parsed as { databases?: unknown } | null)?.databases;
  if (
    !Array.isArray(databases) ||
    !databases.every(
      (db: unknown) =>
        typeof (db as OnlineDatabase | null)?.databaseName === 'string' &&
        typeof (db as OnlineDatabase).completedOn === 'string',
    )
  ) {
    throw unreadable(file, 'it does not hold a list of databases');
  }
  return databases as OnlineDatabase[];
}

function unreadable(file: string, why: string): RestoreTargetError {
  return new RestoreTargetError(
    'InvalidRequest',
    `Rehearsal target: cannot read the list of databases earlier rehearsals left online, ${file}: ${why}. ` +
      'It lists the databases sqlmig must not overwrite: repair it, or delete it to forget them all.',
  );
}
