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
  readonly blockSizeKib?: number;
  readonly maxUploadKibPerSecond?: number;
  readonly smbPort?: number;
  readonly allowPlainHttp: boolean;
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
    .option('--jobs <n>', 'jobs run at once', wholeNumber('--jobs', 1, 64), 4)
    .option(
      '--block-size-kib <n>',
      'size of each uploaded block, 64 to 102400 KiB (default 4096; larger for files over 195 GiB)',
      wholeNumber('--block-size-kib', 64, 102_400),
    )
    .option(
      '--max-upload-kib-per-second <n>',
      "a cap on this node's upload rate, all uploads together (default: none)",
      wholeNumber('--max-upload-kib-per-second', 1, 10_000_000),
    )
    .option(
      '--smb-port <port>',
      'the TCP port of the SMB servers holding the shares (default 445)',
      wholeNumber('--smb-port', 1, 65_535),
    )
    .option(
      '--allow-plain-http',
      'reach a service on another host over plain HTTP: keys and share passwords cross the network in clear text (a trusted network only)',
      false,
    )
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
        ...(options.blockSizeKib ? { blockSizeBytes: options.blockSizeKib * 1024 } : {}),
        ...(options.maxUploadKibPerSecond
          ? { maxUploadBytesPerSecond: options.maxUploadKibPerSecond * 1024 }
          : {}),
        ...(options.smbPort ? { smbPort: options.smbPort } : {}),
        allowPlainHttp: options.allowPlainHttp,
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
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
      try {
        await node.register();
      } catch (error) {
        if (node.stopped) return; // stopped while the service did not answer yet
        throw error;
      }
      await node.run();
    });
}

function defaultNodeName(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '');
  return name || 'runtime-node';
}

function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${flag} takes a whole number from ${min} to ${max}, not ${value}.`);
    return n;
  };
}
