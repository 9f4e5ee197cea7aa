/**
 * `sqlmig backup plan`: the restore plan a folder of backups gives, per database, and why every other
 * file is left out.
 */
import { stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';

import { readBackupFiles, type FileResult } from '../backup/index.js';
import {
  buildPlanReport,
  planReportJson,
  type PlannerFile,
  type RestoreTarget,
} from '../planning/index.js';
import { renderPlanReport } from './plan-text.js';

export interface PlanCommandOptions {
  readonly recursive: boolean;
  readonly json: boolean;
  readonly database?: string;
  readonly target?: RestoreTarget;
}

export async function runPlanCommand(
  paths: readonly string[],
  options: PlanCommandOptions,
): Promise<number> {
  const base = await commonFolder(paths);
  const results = await readBackupFiles(paths, { recursive: options.recursive });
  const files = results.map((result) => toPlannerFile(result, base));
  const report = buildPlanReport(files, {
    ...(options.target ? { target: options.target } : {}),
    ...(options.database !== undefined ? { database: options.database } : {}),
  });
  process.stdout.write(
    options.json
      ? `${JSON.stringify(planReportJson(report), null, 2)}\n`
      : renderPlanReport(report, options.target),
  );
  const missing = results.filter(
    (r) => 'error' in r && r.error.code === 'ReadFailed' && paths.includes(r.file),
  );
  return missing.length > 0 ? 1 : 0;
}

function toPlannerFile(result: FileResult, base: string): PlannerFile {
  const path = relative(base, resolve(result.file)).split(sep).join('/');
  return 'error' in result
    ? { path, error: { code: result.error.code, message: result.error.message } }
    : { path, media: result.media };
}

/** Paths are shown relative to the folder given (or, for several, to the folder holding them all). */
async function commonFolder(paths: readonly string[]): Promise<string> {
  const folders = await Promise.all(
    paths.map(async (path) => {
      const absolute = resolve(path);
      const info = await stat(absolute).catch(() => null);
      return info?.isDirectory() ? absolute : dirname(absolute);
    }),
  );
  let common = folders[0] ?? process.cwd();
  for (const folder of folders.slice(1)) {
    while (common !== dirname(common) && !`${folder}${sep}`.startsWith(`${common}${sep}`))
      common = dirname(common);
  }
  return common;
}
