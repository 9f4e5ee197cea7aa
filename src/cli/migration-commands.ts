/**
 * `sqlmig migration …`: start, show, list, watch, cut over and cancel database migrations.
 */
import { resolve } from 'node:path';

import { Option, type Command } from 'commander';

import type { MigrationResource } from '../client/index.js';
import { renderMigration } from './migration-text.js';
import { connect, type ConnectionOptions } from './service-connection.js';

interface Common extends ConnectionOptions {
  readonly serviceName: string;
}

const terminal = new Set(['Succeeded', 'Failed', 'Canceled']);

export function registerMigrationCommands(program: Command): void {
  const migration = program
    .command('migration')
    .description('Database migrations: start, follow, cut over, cancel.');
  const common = (command: Command) =>
    command
      .option('--service-name <name>', 'the migration service', 'default')
      .option('--data-dir <dir>', "the local service's data folder")
      .option('--service <url>', 'another service (token in SQLMIG_TOKEN)');

  common(
    migration
      .command('start')
      .description('Start migrating a database from a folder of its backups.')
      .requiredOption('--target-db <name>', 'the database to create on the target')
      .requiredOption('--source-db <name>', 'the database the backups are of')
      .requiredOption(
        '--backup-folder <path>',
        "the folder the backups are (or will be) in, or an SMB share \\\\host\\share\\path (read by the service's runtime nodes)",
      )
      .option(
        '--share-user <name>',
        "the SMB share's account (DOMAIN\\user); its password is read from SQLMIG_SHARE_PASSWORD",
      )
      .addOption(
        new Option('--mode <mode>', 'online: you cut over; offline: cut over after the last backup')
          .choices(['online', 'offline'])
          .default('online'),
      )
      .option(
        '--last-backup <file>',
        'offline: the last backup file to restore (default: the last of the chain found)',
      ),
  ).action(
    async (
      options: Common & {
        targetDb: string;
        sourceDb: string;
        backupFolder: string;
        shareUser?: string;
        mode: 'online' | 'offline';
        lastBackup?: string;
      },
    ) => {
      const share = /^(\\\\|\/\/)/.test(options.backupFolder);
      const password = process.env.SQLMIG_SHARE_PASSWORD;
      if (share && (!options.shareUser || password === undefined))
        throw new Error(
          `${options.backupFolder} is an SMB share: give its account with --share-user and its password in SQLMIG_SHARE_PASSWORD (not on the command line, where other users of this machine could see it).`,
        );
      if (options.lastBackup && options.mode !== 'offline')
        throw new Error('--last-backup goes with --mode offline.');
      const client = await connect(options);
      const started = await client.startMigration(options.serviceName, options.targetDb, {
        sourceDatabaseName: options.sourceDb,
        // A share's path is the service's runtime nodes' to read, as given; a folder is made absolute.
        backupFolder: share ? options.backupFolder : resolve(options.backupFolder),
        ...(share && options.shareUser
          ? { shareUserName: options.shareUser, sharePassword: password ?? '' }
          : {}),
        offline: options.mode === 'offline',
        ...(options.lastBackup ? { lastBackupName: options.lastBackup } : {}),
      });
      process.stdout.write(
        `Migration of ${options.sourceDb} to ${started.name} started (${options.mode}). Follow it with: sqlmig migration watch ${started.name}\n`,
      );
    },
  );

  common(
    migration
      .command('show')
      .argument('<target-db>')
      .option('--json', 'print the DMS-shaped resource as JSON', false)
      .description('Show a migration with its backup files.'),
  ).action(async (name: string, options: Common & { json: boolean }) => {
    const found = await (await connect(options)).getMigration(options.serviceName, name);
    process.stdout.write(
      options.json ? `${JSON.stringify(found, null, 2)}\n` : renderMigration(found),
    );
  });

  common(
    migration
      .command('list')
      .option('--json', 'print JSON', false)
      .description("List a service's migrations."),
  ).action(async (options: Common & { json: boolean }) => {
    const { value } = await (await connect(options)).listMigrations(options.serviceName);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      return;
    }
    const lines = value.map(
      (m) =>
        `${m.name.padEnd(24)} ${m.properties.migrationStatus.padEnd(12)} from ${m.properties.sourceDatabaseName}  started ${m.properties.startedOn ?? '-'}`,
    );
    process.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'No migrations.\n');
  });

  common(
    migration
      .command('cutover')
      .argument('<target-db>')
      .description('Cut over an online migration once everything is restored.'),
  ).action(async (name: string, options: Common) => {
    const done = await (await connect(options)).cutover(options.serviceName, name);
    process.stdout.write(
      `Cutover of ${done.name} accepted: ${done.properties.migrationStatus}. Follow it with: sqlmig migration watch ${done.name}\n`,
    );
  });

  common(
    migration
      .command('cancel')
      .argument('<target-db>')
      .description('Cancel a migration: stop it and drop the target database.'),
  ).action(async (name: string, options: Common) => {
    const done = await (await connect(options)).cancel(options.serviceName, name);
    process.stdout.write(`Cancel of ${done.name} accepted: ${done.properties.migrationStatus}.\n`);
  });

  common(
    migration
      .command('watch')
      .argument('<target-db>')
      .option('--interval <ms>', 'how often to look', (v) => Number(v), 1000)
      .description('Follow a migration file by file until it ends (exit 0 when it succeeds).'),
  ).action(async (name: string, options: Common & { interval: number }) => {
    const client = await connect(options);
    let previous = '';
    for (;;) {
      const current: MigrationResource = await client.getMigration(options.serviceName, name);
      const text = renderMigration(current);
      if (text !== previous) {
        process.stdout.write(`${new Date().toISOString()}\n${text}\n`);
        previous = text;
      }
      if (terminal.has(current.properties.migrationStatus)) {
        process.exitCode = current.properties.migrationStatus === 'Succeeded' ? 0 : 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.max(200, options.interval)));
    }
  });
}
