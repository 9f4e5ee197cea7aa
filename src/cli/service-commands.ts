/**
 * `sqlmig up` (the embedded service) and `sqlmig service …` (migration services and their keys).
 */
import { resolve } from 'node:path';

import { Option, type Command } from 'commander';

import type { AzureBlobStoreOptions } from '../storage/index.js';
import { openBrowser } from './open-browser.js';
import { startEmbeddedService, type EmbeddedServiceOptions } from './embedded-service.js';
import { connect, defaultDataDir, type ConnectionOptions } from './service-connection.js';

export function registerServiceCommands(program: Command): void {
  program
    .command('up')
    .description(
      'Start the embedded migration service (API on 127.0.0.1, rehearsal target, in-process integration runtime) and keep it running.',
    )
    .option(
      '--data-dir <dir>',
      'where the service keeps its state, blobs and token',
      defaultDataDir(),
    )
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 7007)
    .option(
      '--open',
      "open the dashboard in the desktop's browser (the token is not in the address)",
      false,
    )
    // Hidden: for tests that drive the real process (short polls, a slow simulated restore).
    .addOption(
      new Option('--poll-interval-ms <ms>', 'how often the engine looks at every migration')
        .argParser(positiveNumber('--poll-interval-ms'))
        .hideHelp(),
    )
    .addOption(
      new Option('--restore-bytes-per-second <n>', "the rehearsal target's simulated speed")
        .argParser(positiveNumber('--restore-bytes-per-second'))
        .hideHelp(),
    )
    .addOption(
      new Option('--upload-block-bytes <n>', 'the block size of uploads')
        .argParser(positiveNumber('--upload-block-bytes'))
        .hideHelp(),
    )
    .option(
      '--upload-storage-url <url>',
      "upload the backups into Azure Blob Storage: the account's blob endpoint (https://ACCOUNT.blob.core.windows.net); its key in SQLMIG_STORAGE_ACCOUNT_KEY, or a container SAS in SQLMIG_STORAGE_SAS",
    )
    .option('--upload-container <name>', 'the container, with --upload-storage-url')
    .option(
      '--managed-instance <resource-id>',
      'restore to this Azure SQL Managed Instance through Log Replay Service instead of rehearsing (/subscriptions/ID/resourceGroups/GROUP/providers/Microsoft.Sql/managedInstances/NAME); needs --upload-storage-url with the account key; signs in with AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET or DefaultAzureCredential',
    )
    .option(
      '--arm-endpoint <url>',
      "Azure Resource Manager's endpoint for --managed-instance in a sovereign cloud (with AZURE_AUTHORITY_HOST for its sign-in host); default https://management.azure.com",
    )
    .option(
      '--sql-server <host[:port]>',
      'restore to this SQL Server (on a VM or on-premises) instead of rehearsing: FROM URL from --upload-container, or FROM DISK with --sql-restore-from-disk',
    )
    .option(
      '--sql-user <name>',
      'the SQL login for --sql-server; its password in SQLMIG_SQL_PASSWORD',
    )
    .option(
      '--sql-trust-server-certificate',
      "accept the instance's TLS certificate without checking it (a self-signed one)",
      false,
    )
    .option(
      '--sql-restore-from-disk <folder>',
      'download the backups into this folder and RESTORE … FROM DISK (when the instance cannot reach the storage account)',
    )
    .option(
      '--sql-instance-folder <path>',
      'the --sql-restore-from-disk folder as the instance sees it (a share or another mount)',
    )
    .addOption(
      new Option('--lease-ms <ms>', "how long a runtime node's lease lasts without a report")
        .argParser(positiveNumber('--lease-ms'))
        .hideHelp(),
    )
    .addOption(
      new Option('--lease-within-ms <ms>', 'how long a job waits for a runtime node')
        .argParser(positiveNumber('--lease-within-ms'))
        .hideHelp(),
    )
    .action(async (options: UpOptions) => {
      const uploadStorage = uploadStorageOf(options);
      const service = await startEmbeddedService({
        ...(uploadStorage ? { uploadStorage } : {}),
        ...(options.managedInstance ? { managedInstance: options.managedInstance } : {}),
        ...(options.armEndpoint ? { armEndpoint: options.armEndpoint } : {}),
        ...sqlServerOf(options),
        dataDir: options.dataDir,
        port: options.port,
        databaseUrl: process.env.SQLMIG_DATABASE_URL,
        ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
        ...(options.restoreBytesPerSecond
          ? { restoreBytesPerSecond: options.restoreBytesPerSecond }
          : {}),
        ...(options.uploadBlockBytes ? { uploadBlockBytes: options.uploadBlockBytes } : {}),
        ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
        ...(options.leaseWithinMs ? { leaseWithinMs: options.leaseWithinMs } : {}),
      });
      process.stdout.write(
        [
          `sqlmig is running at ${service.url} (data folder ${options.dataDir}).`,
          options.managedInstance || options.sqlServer
            ? `Target: ${service.targetDescription}.`
            : `Target: rehearsal — Log Replay Service's rules are applied to the uploaded backups; nothing is restored.`,
          `Uploads go to ${service.uploadsTo}.`,
          `Dashboard: ${service.url}/ (sign in with the token in ${service.tokenFile}).`,
          `API: ${service.url}/api (OpenAPI document: ${service.url}/api/openapi.json), token in ${service.tokenFile}.`,
          `Next: sqlmig migration start --target-db NAME --source-db NAME --backup-folder PATH --mode online`,
          'Ctrl-C stops it (a second Ctrl-C forces).',
          '',
        ].join('\n'),
      );
      if (options.open) {
        const problem = await openBrowser(`${service.url}/`);
        if (problem) process.stderr.write(`sqlmig: ${problem}.\n`);
      }
      let stopping = false;
      const stop = () => {
        if (stopping) process.exit(130);
        stopping = true;
        process.stdout.write(
          'Stopping: uploads in flight stop at their next block and resume at the next start…\n',
        );
        void service.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  const service = program
    .command('service')
    .description(
      'Migration services: each has its own keys, integration runtime nodes and migrations.',
    );
  const connection = (command: Command) =>
    command
      .option('--data-dir <dir>', "the local service's data folder")
      .option('--service <url>', 'another service (token in SQLMIG_TOKEN)');

  connection(
    service
      .command('create')
      .argument('<name>')
      .description('Create a migration service (or show the existing one).'),
  ).action(async (name: string, options: ConnectionOptions) => {
    const client = await connect(options);
    const created = await client.createService(name);
    process.stdout.write(
      `Service ${created.name}: ${created.properties.integrationRuntimeState}.\n`,
    );
  });
  connection(
    service
      .command('list')
      .option('--json', 'print JSON', false)
      .description('List migration services.'),
  ).action(async (options: ConnectionOptions & { json: boolean }) => {
    const { value } = await (await connect(options)).listServices();
    process.stdout.write(
      options.json
        ? `${JSON.stringify(value, null, 2)}\n`
        : value
            .map(
              (s) =>
                `${s.name}  ${s.properties.integrationRuntimeState}  created ${s.properties.createdAt}`,
            )
            .join('\n') + '\n',
    );
  });
  connection(
    service
      .command('show')
      .argument('<name>')
      .option('--json', 'print JSON', false)
      .description('Show a migration service.'),
  ).action(async (name: string, options: ConnectionOptions & { json: boolean }) => {
    const found = await (await connect(options)).getService(name);
    process.stdout.write(
      options.json
        ? `${JSON.stringify(found, null, 2)}\n`
        : `Service ${found.name}: integration runtime ${found.properties.integrationRuntimeState}; created ${found.properties.createdAt}.\n`,
    );
  });
  connection(
    service
      .command('delete')
      .argument('<name>')
      .description('Delete a migration service that runs no migration.'),
  ).action(async (name: string, options: ConnectionOptions) => {
    await (await connect(options)).deleteService(name);
    process.stdout.write(`Service ${name} deleted.\n`);
  });
  connection(
    service
      .command('keys')
      .argument('[name]', 'the service', 'default')
      .option(
        '--regenerate <key>',
        'replace authKey1 or authKey2 (the old one stops working for new registrations)',
      )
      .description("Show the integration runtime's authentication keys."),
  ).action(async (name: string, options: ConnectionOptions & { regenerate?: string }) => {
    const client = await connect(options);
    if (
      options.regenerate !== undefined &&
      options.regenerate !== 'authKey1' &&
      options.regenerate !== 'authKey2'
    ) {
      throw new Error(`--regenerate takes authKey1 or authKey2, not ${options.regenerate}.`);
    }
    const keys = options.regenerate
      ? await client.regenerateAuthKey(name, options.regenerate)
      : await client.listAuthKeys(name);
    process.stdout.write(`authKey1: ${keys.authKey1}\nauthKey2: ${keys.authKey2}\n`);
  });
  connection(
    service
      .command('nodes')
      .argument('[name]', 'the service', 'default')
      .option('--json', 'print JSON', false)
      .description("The integration runtime's nodes and their health (listMonitoringData)."),
  ).action(async (name: string, options: ConnectionOptions & { json: boolean }) => {
    const client = await connect(options);
    const [{ nodes }, found] = await Promise.all([
      client.listMonitoringData(name),
      client.getService(name),
    ]);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ name, nodes }, null, 2)}\n`);
      return;
    }
    const lines = [
      `Service ${name}: integration runtime ${found.properties.integrationRuntimeState}.`,
    ];
    for (const n of nodes) {
      const jobs =
        n.concurrentJobsLimit === null
          ? ''
          : `, jobs ${n.concurrentJobsRunning ?? 0}/${n.concurrentJobsLimit}`;
      const memory = n.availableMemoryInMB === null ? '' : `, ${n.availableMemoryInMB} MB free`;
      const cpu = n.cpuUtilization === null ? '' : `, CPU ${n.cpuUtilization}%`;
      lines.push(`  ${n.nodeName}: last seen ${n.lastSeenAt}${cpu}${memory}${jobs}`);
    }
    if (nodes.length === 0)
      lines.push(
        `  No node: start one next to the backups with "sqlmig runtime --service URL --auth-key KEY" (sqlmig service keys ${name}).`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  connection(
    service
      .command('test-connection')
      .argument('[name]', 'the service', 'default')
      .requiredOption(
        '--backup-folder <path>',
        'the folder or SMB share (\\\\host\\share\\path) to reach from the node',
      )
      .option('--share-user <name>', "the share's account; its password in SQLMIG_SHARE_PASSWORD")
      .option('--json', 'print JSON', false)
      .description(
        'Check through a runtime node each hop a migration needs: the backup location and the upload storage.',
      ),
  ).action(
    async (
      name: string,
      options: ConnectionOptions & { backupFolder: string; shareUser?: string; json: boolean },
    ) => {
      const password = process.env.SQLMIG_SHARE_PASSWORD;
      const result = await (
        await connect(options)
      ).testConnection(name, {
        path: options.backupFolder,
        ...(options.shareUser ? { username: options.shareUser } : {}),
        ...(options.shareUser && password !== undefined ? { password } : {}),
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        const lines = [`Checked from node ${result.nodeName}:`];
        for (const check of result.checks)
          lines.push(`  ${check.hop}: ${check.status} (${check.durationMs} ms). ${check.message}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (result.checks.some((c) => c.status === 'Failed')) process.exitCode = 1;
    },
  );
  connection(
    service
      .command('delete-node')
      .argument('<name>', 'the service')
      .argument('<node>', 'the node')
      .description('Remove an integration runtime node (its jobs go to the other nodes).'),
  ).action(async (name: string, node: string, options: ConnectionOptions) => {
    await (await connect(options)).deleteNode(name, node);
    process.stdout.write(`Node ${node} removed from service ${name}.\n`);
  });
}

interface UpOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly open: boolean;
  readonly pollIntervalMs?: number;
  readonly restoreBytesPerSecond?: number;
  readonly uploadBlockBytes?: number;
  readonly leaseMs?: number;
  readonly leaseWithinMs?: number;
  readonly uploadStorageUrl?: string;
  readonly uploadContainer?: string;
  readonly managedInstance?: string;
  readonly armEndpoint?: string;
  readonly sqlServer?: string;
  readonly sqlUser?: string;
  readonly sqlTrustServerCertificate: boolean;
  readonly sqlRestoreFromDisk?: string;
  readonly sqlInstanceFolder?: string;
}

/** `--sql-server` and its companions, the password from SQLMIG_SQL_PASSWORD. */
function sqlServerOf(options: UpOptions): Pick<EmbeddedServiceOptions, 'sqlServer'> {
  if (!options.sqlServer) {
    if (options.sqlUser || options.sqlRestoreFromDisk || options.sqlInstanceFolder)
      throw new Error(
        '--sql-user, --sql-restore-from-disk and --sql-instance-folder go with --sql-server.',
      );
    return {};
  }
  if (options.managedInstance)
    throw new Error('Give one target: --sql-server or --managed-instance, not both.');
  const found = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(options.sqlServer);
  if (!found?.[1])
    throw new Error(`--sql-server takes host or host:port, not ${options.sqlServer}.`);
  const password = process.env.SQLMIG_SQL_PASSWORD;
  if (!options.sqlUser || password === undefined)
    throw new Error(
      '--sql-server needs the SQL login: --sql-user NAME, and its password in SQLMIG_SQL_PASSWORD (not on the command line, where other users of this machine could see it).',
    );
  if (options.sqlInstanceFolder && !options.sqlRestoreFromDisk)
    throw new Error('--sql-instance-folder goes with --sql-restore-from-disk.');
  return {
    sqlServer: {
      server: found[1],
      ...(found[2] ? { port: Number(found[2]) } : {}),
      user: options.sqlUser,
      password,
      trustServerCertificate: options.sqlTrustServerCertificate,
      ...(options.sqlRestoreFromDisk
        ? {
            restoreFromDisk: {
              downloadFolder: resolve(options.sqlRestoreFromDisk),
              ...(options.sqlInstanceFolder ? { instanceFolder: options.sqlInstanceFolder } : {}),
            },
          }
        : {}),
    },
  };
}

/** `--upload-storage-url` and `--upload-container`, with the credential from the environment. */
function uploadStorageOf(options: UpOptions): AzureBlobStoreOptions | null {
  const { uploadStorageUrl: accountUrl, uploadContainer: containerName } = options;
  if (!accountUrl && !containerName) return null;
  if (!accountUrl || !containerName)
    throw new Error('--upload-storage-url and --upload-container go together.');
  const accountKey = process.env.SQLMIG_STORAGE_ACCOUNT_KEY;
  const sasToken = process.env.SQLMIG_STORAGE_SAS;
  if (Boolean(accountKey) === Boolean(sasToken))
    throw new Error(
      "Give the storage account's credential in the environment, one of: SQLMIG_STORAGE_ACCOUNT_KEY (the account key) or SQLMIG_STORAGE_SAS (a container SAS with read, create, write, delete and list).",
    );
  return {
    accountUrl,
    containerName,
    credential: accountKey ? { accountKey } : { sasToken: sasToken ?? '' },
  };
}

function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`${flag} takes a positive number, not ${value}.`);
    return n;
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port takes a number from 0 to 65535, not ${value}.`);
  return port;
}
