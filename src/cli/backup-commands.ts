/**
 * `sqlmig backup …`: looking into backup files with no SQL Server at hand.
 */
import { Option, type Command } from 'commander';

import {
  headerRows,
  readBackupFiles,
  type FileResult,
  type HeaderErrorJson,
  type HeaderJson,
} from '../backup/index.js';
import { renderHeaderTable } from './header-table.js';
import { runPlanCommand, type PlanCommandOptions } from './plan-command.js';

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

  backup
    .command('plan')
    .description(
      'Plan the restore of every database in the files and folders given: what is restored in which order, how far it reaches, and why every other file is left out.',
    )
    .argument('<paths...>', 'backup files, or folders of them')
    .option('-r, --recursive', 'also read files in sub-folders of the folders given', false)
    .option('--database <name>', 'plan this database only; backups of others are reported as such')
    .addOption(
      new Option(
        '--target <target>',
        "apply the target's rules too: mi (Log Replay Service) or sqlserver",
      ).choices(['mi', 'sqlserver']),
    )
    .option('--json', 'print the plan as JSON', false)
    .action(async (paths: string[], options: PlanCommandOptions) => {
      process.exitCode = await runPlanCommand(paths, options);
    });
}

function toJson(results: readonly FileResult[]): (HeaderJson | HeaderErrorJson)[] {
  return results.flatMap((result): (HeaderJson | HeaderErrorJson)[] =>
    'error' in result
      ? [{ File: result.file, Error: { code: result.error.code, message: result.error.message } }]
      : headerRows(result.file, result.media),
  );
}
