/**
 * TEST SUPPORT — the embedded service as a user runs it: `node dist/cli/main.js up` in a child
 * process, and `sqlmig …` commands run against it. The build must exist (`npm run build`; `npm test`
 * builds first). Every wait here is bounded and says what it waited for when it gives up.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, readFile, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { ServiceClient } from '../../src/client/index.js';
import { projectRoot } from './corpus.js';

export const cliPath = join(projectRoot, 'dist', 'cli', 'main.js');

export interface ServiceProcess {
  readonly dataDir: string;
  readonly url: string;
  readonly pid: number;
  readonly client: ServiceClient;
  /** What the process printed so far (stdout and stderr, interleaved). */
  output(): string;
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM (the service drains and exits), SIGKILL if it is not gone after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartService {
  readonly dataDir: string;
  /** More flags for `sqlmig up` (the hidden `--poll-interval-ms`, …). */
  readonly args?: readonly string[];
  /** More environment variables (a storage account key, …). */
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

const children = new Set<ChildProcess>();

function checkBuilt(): void {
  if (!existsSync(cliPath))
    throw new Error(`${cliPath} is missing: run "npm run build" before these tests.`);
}

/** Starts `sqlmig up --data-dir … --port 0` and waits for the URL it prints. */
export async function startService(options: StartService): Promise<ServiceProcess> {
  checkBuilt();
  const child = spawn(
    process.execPath,
    [cliPath, 'up', '--data-dir', options.dataDir, '--port', '0', ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...withoutServiceEnv(), ...options.env } },
  );
  children.add(child);
  let log = '';
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      children.delete(child);
      resolve();
    });
  });
  const limit = options.startTimeoutMs ?? 15_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`sqlmig up did not print its URL within ${limit} ms. It printed:\n${log}`));
    }, limit);
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const found = /sqlmig is running at (http:\/\/[^\s]+) /.exec(log);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`sqlmig up exited (${signal ?? code}) before it was ready:\n${log}`));
    });
  });
  const token = (await readFile(join(options.dataDir, 'service.token'), 'utf8')).trim();
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    dataDir: options.dataDir,
    url,
    pid: child.pid ?? -1,
    client: new ServiceClient(url, token),
    output: () => log,
    kill,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface RuntimeNodeProcess {
  readonly name: string;
  /** What the node printed so far (stdout and stderr, interleaved). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `sqlmig runtime --service URL --name NAME …` with the auth key in SQLMIG_AUTH_KEY (as a
 * user would keep it off the command line), and waits until it says it registered — unless
 * `expectRegistered` is false (a node that must be refused).
 */
export async function startRuntimeNode(options: {
  readonly url: string;
  readonly authKey: string;
  readonly name: string;
  readonly args?: readonly string[];
  readonly expectRegistered?: boolean;
}): Promise<RuntimeNodeProcess> {
  checkBuilt();
  const child = spawn(
    process.execPath,
    [cliPath, 'runtime', '--service', options.url, '--name', options.name, ...(options.args ?? [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...withoutServiceEnv(), SQLMIG_AUTH_KEY: options.authKey },
    },
  );
  children.add(child);
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ?? code ?? -1);
    });
  });
  const node: RuntimeNodeProcess = {
    name: options.name,
    output: () => log,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  if (options.expectRegistered === false) return node;
  await waitFor(`runtime node ${options.name} to register`, () =>
    Promise.resolve(
      /registered as node/.test(log) ||
        (child.exitCode !== null && Promise.reject(new Error(`it exited: ${log}`))),
    ),
  );
  return node;
}

/** Kills every process these helpers started that is still running (for `afterAll`). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => {
            resolve();
          });
          child.kill('SIGKILL');
        }),
    ),
  );
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sqlmig <args>` to the end (at most `timeoutMs`). */
export async function sqlmig(args: readonly string[], timeoutMs = 20_000): Promise<CliResult> {
  checkBuilt();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cliPath, ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: withoutServiceEnv() },
      (error, stdout, stderr) => {
        children.delete(child);
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    children.add(child);
  });
}

/** `sqlmig <args> --json`, parsed; fails with the command's output when it does not succeed. */
export async function sqlmigJson<T>(args: readonly string[]): Promise<T> {
  const result = await sqlmig([...args, '--json']);
  if (result.code !== 0)
    throw new Error(`sqlmig ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Calls `probe` every `intervalMs` until it returns a value that is not undefined or false. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown = null;
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const state = options.describe ? await options.describe().catch(String) : '';
      const cause = lastError instanceof Error ? ` Last error: ${lastError.message}` : '';
      throw new Error(`Waited ${timeoutMs} ms for ${what}.${cause}${state ? `\n${state}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

/**
 * Puts a file into a watched folder the way a finished copy lands: written under a hidden name, then
 * renamed, so the service never sees it half-written (tests of half-written files write directly).
 */
export async function arrive(folder: string, source: string, as?: string): Promise<void> {
  const name = as ?? basename(source);
  const hidden = join(folder, `.${name}.partial`);
  await copyFile(source, hidden);
  await rename(hidden, join(folder, name));
}

/** The environment without settings that would send the child to another service or database. */
function withoutServiceEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SQLMIG_DATABASE_URL;
  delete env.SQLMIG_TOKEN;
  delete env.SQLMIG_DATA_DIR;
  return env;
}
