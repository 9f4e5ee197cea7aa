/**
 * `sqlmig backup …`: looking into backup files with no SQL Server at hand.
 */
import type { Command } from 'commander';

import {
  headerRows,
  readBackupFiles,
  type FileResult,
  type HeaderErrorJson,
  type HeaderJson,
} from '../backup/index.js';
import { renderHeaderTable } from './header-table.js';

export function registerBackupCommands(program: Command): void {
  const backup = program
    .command('backup')
    .description('Read SQL Server backup files without SQL Server.');

  backup
    .command('headers')
    .description(
      'Show what RESTORE HEADERONLY and RESTORE FILELISTONLY would: every backup set in the files and folders given.',
    )
    .argument('<paths...>', 'backup files, or folders of them')
    .option('-r, --recursive', 'also read files in sub-folders of the folders given', false)
    .option(
      '--json',
      'print one JSON array, one object per backup set, keyed as RESTORE HEADERONLY',
      false,
    )
    .action(async (paths: string[], options: { recursive: boolean; json: boolean }) => {
      const results = await readBackupFiles(paths, { recursive: options.recursive });
      const failed = results.filter((result) => 'error' in result).length;
      process.stdout.write(
        options.json ? `${JSON.stringify(toJson(results), null, 2)}\n` : renderHeaderTable(results),
      );
      if (failed > 0) process.exitCode = 1;
    });
}

function toJson(results: readonly FileResult[]): (HeaderJson | HeaderErrorJson)[] {
  return results.flatMap((result): (HeaderJson | HeaderErrorJson)[] =>
    'error' in result
      ? [{ File: result.file, Error: { code: result.error.code, message: result.error.message } }]
      : headerRows(result.file, result.media),
  );
}
