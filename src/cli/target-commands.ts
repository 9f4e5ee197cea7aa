/**
 * `sqlmig target check --target-db NAME`: the checks a migration's start would make on the service's
 * restore target — reachable, signed in, ready, the database name free, the login's permissions —
 * made alone, each with what it found and, when it fails, what to do. Nothing is created or changed.
 */
import type { Command } from 'commander';

import { connect, type ConnectionOptions } from './service-connection.js';

export function registerTargetCommands(program: Command): void {
  const target = program.command('target').description("The service's restore target.");
  target
    .command('check')
    .description(
      'Check the restore target for a database as a migration would before starting, changing nothing.',
    )
    .requiredOption('--target-db <name>', 'the database a migration would create')
    .option('--json', 'print JSON', false)
    .option('--data-dir <dir>', "the local service's data folder")
    .option('--service <url>', 'another service (token in SQLMIG_TOKEN)')
    .action(async (options: ConnectionOptions & { targetDb: string; json: boolean }) => {
      const result = await (await connect(options)).checkTarget(options.targetDb);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        const lines = [
          `Target ${result.target.kind} (${result.target.scope}), for ${options.targetDb}:`,
        ];
        for (const check of result.checks)
          lines.push(`  ${check.check}: ${check.status}. ${check.message}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (result.checks.some((c) => c.status === 'Failed')) process.exitCode = 1;
    });
}
