#!/usr/bin/env node
/**
 * The `sqlmig` command. Each sub-command lives in its own file and is registered here.
 */
import { Command } from 'commander';

import { registerBackupCommands } from './backup-commands.js';
import { version } from './version.js';

const program = new Command()
  .name('sqlmig')
  .description(
    'Migrate SQL Server databases to Azure SQL Managed Instance and SQL Server, with minimal downtime.',
  )
  .version(version)
  .showHelpAfterError();

registerBackupCommands(program);

await program.parseAsync(process.argv);
