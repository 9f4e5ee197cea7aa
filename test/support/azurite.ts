/**
 * TEST SUPPORT — Azurite, Microsoft's Azure Storage emulator (blob service only), for tests. It runs
 * as ONE process (`azurite-blob`; `npx azurite` would start three) on a port of 127.0.0.1 that the
 * system picks, with its data in a temporary folder that `stop()` deletes. `--skipApiVersionCheck`
 * is needed because @azure/storage-blob 12.32 sends an API version newer than Azurite 3.35 knows
 * (docs/stack-notes). The account is Azurite's well-known development account.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  ContainerClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

import { projectRoot } from './corpus.js';

const main = join(projectRoot, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
const startTimeoutMs = 20_000;

/** Azurite's development account; its key is published in Azurite's documentation. */
export const azuriteAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

export interface TestAzurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly accountUrl: string;
  readonly accountName: string;
  readonly accountKey: string;
  readonly port: number;
  /** Creates an empty container with a new name, and returns the name. */
  createContainer(): Promise<string>;
  deleteContainer(name: string): Promise<void>;
  /** A SAS token (no leading `?`) for a container, valid one hour: `permissions` as in "racwdl". */
  containerSas(name: string, permissions: string): string;
  /** Stops the process and starts it again on the same port and folder: the data is kept. */
  restart(): Promise<void>;
  /** Stops the process and deletes its folder. */
  stop(): Promise<void>;
}

export type AzuriteAvailability =
  | { readonly available: true; start(): Promise<TestAzurite> }
  | { readonly available: false; readonly reason: string };

/** Decided without starting anything, so a suite can be skipped at collection with the reason. */
export function azuriteForTests(): AzuriteAvailability {
  if (!existsSync(main)) {
    return {
      available: false,
      reason: `Azurite is not installed (${main} is absent; it is the devDependency azurite@3.35.0)`,
    };
  }
  return { available: true, start: startAzurite };
}

async function startAzurite(): Promise<TestAzurite> {
  const location = await mkdtemp(join(tmpdir(), 'sqlmig-azurite-'));
  let child: ChildProcess | null = null;
  let port = 0;
  const onExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', onExit);
  const launch = async (): Promise<void> => {
    const started = await launchProcess(location, port);
    child = started.child;
    port = started.port;
    await waitUntilAnswering(port);
  };
  try {
    await launch();
  } catch (error) {
    process.removeListener('exit', onExit);
    await rm(location, { recursive: true, force: true });
    throw error;
  }
  const accountUrl = `http://127.0.0.1:${port}/${azuriteAccount.name}`;
  const sharedKey = new StorageSharedKeyCredential(azuriteAccount.name, azuriteAccount.key);
  const admin = (name: string) => new ContainerClient(`${accountUrl}/${name}`, sharedKey);
  return {
    accountUrl,
    accountName: azuriteAccount.name,
    accountKey: azuriteAccount.key,
    port,
    async createContainer() {
      const name = `test-${randomBytes(8).toString('hex')}`;
      await admin(name).create();
      return name;
    },
    async deleteContainer(name) {
      await admin(name).deleteIfExists();
    },
    containerSas(name, permissions) {
      const expiresOn = new Date(Date.now() + 3_600_000);
      const sas = { containerName: name, permissions: ContainerSASPermissions.parse(permissions) };
      return generateBlobSASQueryParameters({ ...sas, expiresOn }, sharedKey).toString();
    },
    async restart() {
      if (child !== null) await stopProcess(child);
      await launch();
    },
    async stop() {
      process.removeListener('exit', onExit);
      try {
        if (child !== null) await stopProcess(child);
      } finally {
        await rm(location, { recursive: true, force: true });
      }
    },
  };
}

/** Starts azurite-blob; with port 0 the system picks one, which Azurite prints when it listens. */
function launchProcess(
  location: string,
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const args = [
    main,
    ...['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location],
    ...['--silent', '--skipApiVersionCheck', '--loose', '--disableTelemetry'],
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start (${why}) in ${location}:\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      fail(`no "listens on" line within ${startTimeoutMs} ms`);
    }, startTimeoutMs);
    const onExit = (code: number | null, signal: string | null): void => {
      fail(`it exited with ${signal ?? `code ${String(code)}`}`);
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const found = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (found === null) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      for (const stream of [child.stdout, child.stderr]) {
        stream.removeListener('data', onData);
        stream.resume(); // what it prints later is not read, but must not fill the pipe
      }
      resolve({ child, port: Number(found[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Any HTTP answer (an unauthenticated request gets 403) shows the service is serving. */
async function waitUntilAnswering(port: number): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: `/${azuriteAccount.name}?comp=list` });
      req.once('response', (res) => {
        res.resume();
        resolve(true);
      });
      req.once('error', () => {
        resolve(false);
      });
      req.end();
    });
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`Azurite on port ${port} does not answer`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface CorruptingProxy {
  /** The account URL through the proxy. */
  readonly accountUrl: string;
  /** How many Put Block bodies were damaged so far. */
  readonly corrupted: number;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of Azurite that flips the last byte of every Put Block body
 * (`comp=block`), keeping its length and headers: a block damaged on the way, after the client
 * computed its MD5. Everything else passes unchanged.
 */
export async function startCorruptingProxy(azurite: TestAzurite): Promise<CorruptingProxy> {
  let corrupted = 0;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const isBlock = incoming.method === 'PUT' && /[?&]comp=block(&|$)/.test(incoming.url ?? '');
      if (isBlock && body.length > 0) {
        body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0xff;
        corrupted += 1;
      }
      const forwarded = request(
        {
          host: '127.0.0.1',
          port: azurite.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: `127.0.0.1:${azurite.port}` },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    accountUrl: `http://127.0.0.1:${port}/${azurite.accountName}`,
    get corrupted() {
      return corrupted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** The URL of an account on a loopback port that nothing listens on. */
export async function unreachableAccountUrl(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  const port = typeof address === 'object' && address !== null ? address.port : 1;
  return `http://127.0.0.1:${port}/${azuriteAccount.name}`;
}
