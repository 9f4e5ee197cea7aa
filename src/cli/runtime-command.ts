/**
 * `sqlmig runtime`: an integration runtime node next to the backups. It registers with one of the
 * service's two auth keys, then heartbeats and runs the service's jobs (list, read headers, upload)
 * until stopped; it reaches the service outbound only.
 */
import { hostname } from 'node:os';

import type { Command } from 'commander';

import { RuntimeNode } from '../runtime/index.js';

interface RuntimeOptions {
  readonly service: string;
  readonly authKey?: string;
  readonly name: string;
  readonly jobs: number;
}

export function registerRuntimeCommand(program: Command): void {
  program
    .command('runtime')
    .description(
      "Run an integration runtime node: registers with the service's auth key, then reads and uploads the backups the service's migrations ask for.",
    )
    .requiredOption('--service <url>', "the migration service's address (as sqlmig up prints it)")
    .option(
      '--auth-key <key>',
      "one of the service's two keys (sqlmig service keys NAME); or set SQLMIG_AUTH_KEY, which other users of this machine cannot see in the process list",
    )
    .option('--name <node>', 'the node name shown by the service', defaultNodeName())
    .option('--jobs <n>', 'jobs run at once', parseJobs, 4)
    .action(async (options: RuntimeOptions) => {
      const authKey = options.authKey ?? process.env.SQLMIG_AUTH_KEY;
      if (!authKey)
        throw new Error(
          'Give the service\'s auth key with --auth-key or SQLMIG_AUTH_KEY (see "sqlmig service keys NAME").',
        );
      const node = new RuntimeNode({
        serviceUrl: options.service,
        authKey,
        nodeName: options.name,
        concurrentJobs: options.jobs,
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
      await node.register();
      let stopping = false;
      const stop = () => {
        if (stopping) process.exit(130);
        stopping = true;
        process.stdout.write(
          'Stopping: jobs under way stop now; their leases expire and other nodes resume them.\n',
        );
        node.stop();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await node.run();
    });
}

function defaultNodeName(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '');
  return name || 'runtime-node';
}

function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new Error(`--jobs takes a whole number from 1 to 64, not ${value}.`);
  return n;
}
