/**
 * `sqlmig perf collect` as a user runs it. The built command: the login asked for, the password never
 * taken from nor echoed to the command line, an unreachable server failing clearly through the real
 * tedious connection. Ctrl-C: the command's run in a child process over the scripted source (a
 * stand-in; no SQL Server runs here), sent a real SIGINT — it writes the partial window, closes the
 * connection and exits 0.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { projectRoot } from '../support/corpus.js';

const run = promisify(execFile);
const cli = join(projectRoot, 'dist', 'cli', 'main.js');

async function sqlmig(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const merged = Object.fromEntries(
    Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined),
  );
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: merged,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let folder = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sqlmig-perf-cli-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('sqlmig perf collect', () => {
  it('asks for the login, with the password in SQLMIG_SQL_PASSWORD', async () => {
    const result = await sqlmig(['perf', 'collect', '--server', 'db01', '--output', folder], {
      SQLMIG_SQL_PASSWORD: undefined,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--sql-user NAME, and its password in SQLMIG_SQL_PASSWORD');
    const bad = await sqlmig([
      'perf',
      'collect',
      '--server',
      'db01',
      '--output',
      folder,
      '--iterations',
      '1',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--iterations takes a whole number from 2 to 10000, not 1.');
  });

  it('fails clearly against a server that does not answer, never showing the password', async () => {
    const password = 'S3cret-Pa55word!';
    const result = await sqlmig(
      [
        'perf',
        'collect',
        '--server',
        '127.0.0.1:9',
        '--sql-user',
        'perf_reader',
        '--output',
        join(folder, 'out'),
      ],
      { SQLMIG_SQL_PASSWORD: password },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot connect to SQL Server 127.0.0.1:9');
    expect(result.stderr).toContain('Check the host name, the port');
    expect(result.stdout + result.stderr).not.toContain(password);
  });
});

describe('Ctrl-C', () => {
  async function collectUntil(
    args: string[],
    ready: (stderr: string) => boolean,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'test', 'support', 'perf-collect-process.ts'), ...args],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!signalled && ready(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stdout, stderr };
  }

  it('writes the partial window, saying how many samples it held, closes the connection and exits 0', async () => {
    const result = await collectUntil([folder, '40', '4'], (err) =>
      err.includes('6 samples taken'),
    );
    expect(result.stderr).toContain(
      'Collecting from SQL01 (SQL Server 2019 (15.0.4355.3), 4 logical CPUs, 16384 MB) as perf_reader',
    );
    expect(result.stderr).toContain('Window 1 written');
    expect(result.stderr).toContain('Stopping: writing the samples of the current window');
    expect(result.stderr).toMatch(
      /Stopped: \d+ samples taken, 2 windows written \(the last one partial, holding [1-3] samples?\)/,
    );
    expect(result.stderr).toContain('closed: true');
    expect(result.code).toBe(0);
    const text = await readFile(
      join(folder, 'SQL01,MSSQLSERVER_PerformanceAggregated_Counters.csv'),
      'utf8',
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'ServerName,DatabaseName,DatabaseFileName,FileType,TimeDataCollected,CounterName,AggregatorType,Value',
    );
    const occurrences = lines
      .filter((l) => l.includes(',IM,Occurence,'))
      .map((l) => Number(l.split(',')[7]));
    expect(occurrences[0]).toBe(4);
    expect(occurrences).toHaveLength(2);
    expect(occurrences[1]).toBeLessThan(4);
    const instance = await readFile(
      join(folder, 'SQL01,MSSQLSERVER_CommonInstanceLevel_Counters.csv'),
      'utf8',
    );
    expect(instance.trimEnd().split('\n')).toHaveLength(2);
  });

  it('with --recommend, prints a recommendation after each window written', async () => {
    const result = await collectUntil([folder, '40', '3', '--recommend'], (err) =>
      err.includes('Window 2 written'),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('stand-in recommendation over 1 window(s)');
    expect(result.stdout).toContain('stand-in recommendation over 2 window(s)');
  });
});
