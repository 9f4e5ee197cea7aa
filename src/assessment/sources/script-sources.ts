/**
 * The T-SQL an offline assessment reads, one source at a time: `.sql` files, folders of them
 * (recursively: schema script folders, SSDT projects) and `.dacpac` files. Each source carries the
 * database it belongs to: `--database` when given, else the dacpac's name, the folder's or the
 * file's name. Folders contribute their `.sql` files only, so that an SSDT project's own build
 * output (`bin/…/*.dacpac`) is not assessed twice; a .dacpac is read when it is named.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';

import type { SqlObjectRef } from '../detect/scan-state.js';
import { AssessmentError } from '../errors.js';
import { decodeScript } from '../tsql/decode.js';
import { readDacpac, type DacpacModelHit } from './dacpac.js';

export type SourceItem =
  | {
      readonly kind: 'script';
      readonly file: string;
      readonly database: string;
      readonly text: string;
      readonly object: SqlObjectRef | null;
    }
  | {
      readonly kind: 'model';
      readonly file: string;
      readonly database: string;
      readonly hit: DacpacModelHit;
    }
  | { readonly kind: 'error'; readonly error: AssessmentError };

export interface SourceOptions {
  /** Every source belongs to this database (USE statements are then ignored). */
  readonly database?: string;
}

export async function* scriptSources(
  paths: readonly string[],
  options: SourceOptions = {},
): AsyncGenerator<SourceItem> {
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) {
      yield {
        kind: 'error',
        error: new AssessmentError('PathNotFound', path, `${path} does not exist.`),
      };
      continue;
    }
    if (info.isDirectory()) {
      const database = options.database ?? basename(resolve(path));
      for (const file of await sqlFilesUnder(path)) yield await scriptFile(file, database);
    } else if (extname(path).toLowerCase() === '.dacpac') {
      yield* dacpacFile(path, options.database);
    } else {
      yield await scriptFile(path, options.database ?? basename(path, extname(path)));
    }
  }
}

async function sqlFilesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && extname(e.name).toLowerCase() === '.sql')
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function scriptFile(file: string, database: string): Promise<SourceItem> {
  try {
    const text = decodeScript(await readFile(file));
    return { kind: 'script', file: shown(file), database, text, object: null };
  } catch (cause) {
    return {
      kind: 'error',
      error: new AssessmentError(
        'UnreadableFile',
        file,
        `${file} could not be read: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      ),
    };
  }
}

async function* dacpacFile(file: string, database: string | undefined): AsyncGenerator<SourceItem> {
  let contents;
  try {
    contents = readDacpac(await readFile(file), shown(file));
  } catch (cause) {
    yield {
      kind: 'error',
      error:
        cause instanceof AssessmentError
          ? cause
          : new AssessmentError(
              'UnreadableFile',
              file,
              `${file} could not be read: ${cause instanceof Error ? cause.message : String(cause)}`,
              { cause },
            ),
    };
    return;
  }
  const name = database ?? contents.databaseName ?? basename(file, extname(file));
  for (const script of contents.scripts)
    yield {
      kind: 'script',
      file: shown(file),
      database: name,
      text: script.text,
      object: script.object,
    };
  for (const hit of contents.modelHits)
    yield { kind: 'model', file: shown(file), database: name, hit };
}

/** Paths are shown with forward slashes, as given (relative stays relative). */
function shown(file: string): string {
  return file.split('\\').join('/');
}
