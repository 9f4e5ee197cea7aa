/**
 * How a CLI command reaches the migration service: `--service URL` with the token in SQLMIG_TOKEN, or
 * else the local service started by `sqlmig up` with the same data folder (its address and token are
 * in that folder).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { ServiceClient } from '../client/index.js';

export interface ConnectionOptions {
  readonly dataDir?: string;
  readonly service?: string;
}

export function defaultDataDir(): string {
  return process.env.SQLMIG_DATA_DIR ?? join(homedir(), '.sqlmig');
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

export async function connect(options: ConnectionOptions): Promise<ServiceClient> {
  if (options.service) {
    const token = process.env.SQLMIG_TOKEN;
    if (!token)
      throw new CliError(`Set SQLMIG_TOKEN to the token of the service at ${options.service}.`);
    return new ServiceClient(options.service, token);
  }
  const dataDir = options.dataDir ?? defaultDataDir();
  const info = await readFile(join(dataDir, 'service.json'), 'utf8').catch(() => null);
  if (!info) {
    throw new CliError(
      `No sqlmig service is running with data folder ${dataDir}. Start one with "sqlmig up${options.dataDir ? ` --data-dir ${dataDir}` : ''}", or name another with --service URL.`,
    );
  }
  const { url } = JSON.parse(info) as { url: string };
  const token = (await readFile(join(dataDir, 'service.token'), 'utf8')).trim();
  return new ServiceClient(url, token);
}
