/**
 * `sqlmig assess --server`, run as a user runs it (the built command in a child process), against a
 * port nothing listens on: the real tedious connection is refused and the message names the server
 * and what to check, without the password.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { projectRoot } from '../support/corpus.js';

const run = promisify(execFile);
const cli = join(projectRoot, 'dist', 'cli', 'main.js');

/** A port that was free a moment ago: listened on, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('sqlmig assess --server (built command)', () => {
  it('names the server it could not reach and exits 1, printing no password', async () => {
    const port = await closedPort();
    const result = await run(
      process.execPath,
      [cli, 'assess', '--server', `127.0.0.1:${port}`, '--sql-user', 'assessor'],
      { env: { ...process.env, SQLMIG_SQL_PASSWORD: 'Secret-Pa55' } },
    ).then(
      (r) => ({ code: 0, ...r }),
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^sqlmig: Cannot connect to SQL Server 127\\.0\\.0\\.1:${port}: Failed to connect.*Check the host name, the port, and that SQL Server is running`,
        's',
      ),
    );
    expect(result.stderr).not.toContain('Secret-Pa55');
  }, 30_000);
});
