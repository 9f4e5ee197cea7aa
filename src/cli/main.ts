#!/usr/bin/env node
/**
 * The `sqlmig` command. Each sub-command lives in its own file and is registered here.
 */
import { Command } from 'commander';

import { registerAssessCommand } from './assess-command.js';
import { registerBackupCommands } from './backup-commands.js';
import { registerMigrationCommands } from './migration-commands.js';
import { registerPerfCommands } from './perf-command.js';
import { registerRuntimeCommand } from './runtime-command.js';
import { registerServiceCommands } from './service-commands.js';
import { registerSkuCommands } from './sku-command.js';
import { registerTargetCommands } from './target-commands.js';
import { version } from './version.js';

const program = new Command()
  .name('sqlmig')
  .description(
    'Migrate SQL Server databases to Azure SQL Managed Instance and SQL Server, with minimal downtime.',
  )
  .version(version)
  .showHelpAfterError();

registerBackupCommands(program);
registerServiceCommands(program);
registerMigrationCommands(program);
registerRuntimeCommand(program);
registerTargetCommands(program);
registerAssessCommand(program);
registerPerfCommands(program);
registerSkuCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Errors a user can act on are printed as they are, without a stack trace.
  process.stderr.write(`sqlmig: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
