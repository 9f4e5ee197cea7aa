/**
 * Where the shared corpus of real backup files lives: `../shared/corpus` beside the project. Tests
 * that need it skip, saying why, when it is absent; they never pass silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corpusRoot = resolve(projectRoot, '..', 'shared', 'corpus');
export const backupCorpus = join(corpusRoot, 'backups');
export const hasBackupCorpus = existsSync(join(backupCorpus, 'expected-headers.json'));

export const corpusSkipReason = `the backup corpus is not at ${backupCorpus}`;

/** File (relative to the backups folder) → the backup sets an independent reader decoded from it. */
export type ExpectedHeaders = Record<string, Record<string, unknown>[]>;

export function expectedHeaders(): ExpectedHeaders {
  return JSON.parse(
    readFileSync(join(backupCorpus, 'expected-headers.json'), 'utf8'),
  ) as ExpectedHeaders;
}

export function corpusFile(relative: string): string {
  return join(backupCorpus, relative);
}
