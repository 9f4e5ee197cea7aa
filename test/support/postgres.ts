/**
 * TEST SUPPORT — a PostgreSQL server for tests. With `SQLMIG_TEST_DATABASE_URL` set (CI starts a
 * server), that server is used; its user must be allowed to CREATE DATABASE. Otherwise a throwaway
 * PostgreSQL 15 cluster is started in a temporary directory, the way docs/stack-notes describe it
 * (as root: initdb and pg_ctl run as the `postgres` user), and removed again by `stop()`.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env['SQLMIG_TEST_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** Where the server is, for test names. */
  readonly description: string;
  /** Creates a database with a random name and returns its URL; `stop()` drops it. */
  createDatabase(): Promise<string>;
  /** Drops the databases this made; stops and removes a cluster this started. */
  stop(): Promise<void>;
}

export type PostgresAvailability =
  | { readonly available: true; start(): Promise<TestPostgres> }
  | { readonly available: false; readonly reason: string };

/** Decided without starting anything, so a suite can be skipped at collection with the reason. */
export function postgresForTests(env = process.env): PostgresAvailability {
  const url = env['SQLMIG_TEST_DATABASE_URL'];
  if (url !== undefined && url !== '') {
    return { available: true, start: () => Promise.resolve(externalServer(url)) };
  }
  for (const tool of ['initdb', 'pg_ctl']) {
    if (!existsSync(path.join(BIN, tool))) {
      return {
        available: false,
        reason: `SQLMIG_TEST_DATABASE_URL is not set and ${path.join(BIN, tool)} is absent (install postgresql-15 or set SQLMIG_TEST_DATABASE_URL)`,
      };
    }
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return {
      available: false,
      reason: 'running as root and there is no postgres user to run initdb',
    };
  }
  return { available: true, start: startCluster };
}

function externalServer(adminUrl: string): TestPostgres {
  const created: string[] = [];
  const admin = (): pg.Client => new pg.Client({ connectionString: adminUrl });
  const url = new URL(adminUrl);
  return {
    description: `SQLMIG_TEST_DATABASE_URL (${url.hostname}:${url.port || '5432'})`,
    async createDatabase() {
      const name = `sqlmig_test_${randomBytes(6).toString('hex')}`;
      await withClient(admin(), (client) => client.query(`CREATE DATABASE ${name}`));
      created.push(name);
      const databaseUrl = new URL(adminUrl);
      databaseUrl.pathname = `/${name}`;
      return databaseUrl.toString();
    },
    async stop() {
      await withClient(admin(), async (client) => {
        for (const name of created.splice(0)) {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        }
      });
    },
  };
}

async function startCluster(): Promise<TestPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sqlmig-pg-'));
  const asRoot = process.getuid?.() === 0;
  const pgRun = (tool: string, args: string[]): Promise<unknown> =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, tool), ...args])
      : run(path.join(BIN, tool), args);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  const stopCluster = (): Promise<unknown> =>
    pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  const port = await freePort();
  try {
    if (asRoot) {
      const { uid, gid } = postgresIds();
      await chown(dir, uid, gid);
    }
    await pgRun('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
    ]);
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
    await pgRun('pg_ctl', ['-D', data, '-l', log, '-w', '-o', options, 'start']);
  } catch (error) {
    const tail = await readFile(log, 'utf8').catch(() => '(no server log)');
    await stopCluster().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not start a test PostgreSQL in ${dir}: ${String(error)}\n${tail}`, {
      cause: error,
    });
  }
  // If the test process dies without stop(), at least do not leave a server running.
  const onExit = (): void => {
    const args = ['-D', data, '-m', 'immediate', 'stop'];
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', path.join(BIN, 'pg_ctl'), ...args]);
    else spawnSync(path.join(BIN, 'pg_ctl'), args);
  };
  process.once('exit', onExit);
  const server = externalServer(`postgres://postgres@127.0.0.1:${port}/postgres`);
  return {
    description: `a throwaway PostgreSQL 15 on 127.0.0.1:${port}`,
    createDatabase: () => server.createDatabase(),
    async stop() {
      process.removeListener('exit', onExit);
      try {
        await server.stop();
      } finally {
        await stopCluster();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function withClient<T>(client: pg.Client, work: (c: pg.Client) => Promise<T>): Promise<T> {
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string): number =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
