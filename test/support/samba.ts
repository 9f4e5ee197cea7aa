/**
 * TEST SUPPORT — a real Samba server (`smbd`) for tests, on a free port of 127.0.0.1, the way
 * docs/stack-notes describe it: a throwaway smb.conf with every state folder under one temporary
 * folder, one user added with `smbpasswd -c CONF -a -s`, and `stop()` ending the server (its whole
 * process group) and deleting the folder. Samba's defaults are kept otherwise, asynchronous I/O
 * included (under which another SMB client returned zero-filled gaps).
 *
 * Without smbd, smbpasswd or smbclient the suites skip, saying why; with `CI` set they fail instead,
 * since CI installs Samba (.ci/run).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const startTimeoutMs = 20_000;
const searchPath = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

export interface TestSamba {
  readonly host: string;
  readonly port: number;
  readonly userName: string;
  readonly password: string;
  /** The writable share `backups`: its folder on this machine. */
  readonly backupsFolder: string;
  /** `\\127.0.0.1\share` or `\\127.0.0.1\share\folder\sub` (folder parts joined with `/`). */
  location(share: string, folder?: string): string;
  /** Stops smbd and deletes its folder (the read-only shares' folders are left alone). */
  stop(): Promise<void>;
}

export interface SambaOptions {
  /** More shares, read-only: share name → existing folder (read in place). */
  readonly readOnlyShares?: Readonly<Record<string, string>>;
}

export type SambaAvailability =
  | { readonly available: true; start(options?: SambaOptions): Promise<TestSamba> }
  | { readonly available: false; readonly reason: string };

/** Decided without starting anything, so a suite can be skipped at collection with the reason. */
export function sambaForTests(env = process.env): SambaAvailability {
  const missing = ['smbd', 'smbpasswd', 'smbclient'].filter((tool) => findTool(tool) === null);
  if (missing.length === 0) return { available: true, start: startSamba };
  const reason = `${missing.join(', ')} not installed (apt-get install -y samba smbclient)`;
  if (env['CI'] !== undefined && env['CI'] !== '') {
    return {
      available: true,
      start: () => Promise.reject(new Error(`CI is set, so Samba must be installed: ${reason}`)),
    };
  }
  return { available: false, reason };
}

function findTool(name: string): string | null {
  const folders = [...(process.env['PATH'] ?? '').split(':'), ...searchPath];
  for (const folder of folders) {
    if (folder !== '' && existsSync(join(folder, name))) return join(folder, name);
  }
  return null;
}

async function startSamba(options: SambaOptions = {}): Promise<TestSamba> {
  const root = await mkdtemp(join(tmpdir(), 'sqlmig-samba-'));
  try {
    const port = await freePort();
    const backupsFolder = join(root, 'backups');
    for (const folder of [
      'backups',
      'state',
      'private',
      'lock',
      'cache',
      'pid',
      'ncalrpc',
      'log',
    ]) {
      await mkdir(join(root, folder), { mode: 0o700 });
    }
    const config = join(root, 'smb.conf');
    await writeFile(config, smbConf(root, port, options.readOnlyShares ?? {}));
    const userName = userInfo().username;
    // Spaces, quotes and a semicolon: the password must reach smbclient whole.
    const password = `p a;"ss ${randomBytes(6).toString('hex')}`;
    const added = spawnSync(
      findTool('smbpasswd') ?? 'smbpasswd',
      ['-c', config, '-a', '-s', userName],
      {
        input: `${password}\n${password}\n`,
        encoding: 'utf8',
      },
    );
    if (added.status !== 0) {
      throw new Error(`smbpasswd -a ${userName} failed: ${added.stderr}${added.stdout}`);
    }
    const child = spawn(
      findTool('smbd') ?? 'smbd',
      ['--foreground', '--no-process-group', '-s', config, '--debug-stdout', '-d', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        output = (output + chunk).slice(-4000);
      });
    }
    const onExit = (): void => {
      killGroup(child, 'SIGKILL');
    };
    process.once('exit', onExit);
    try {
      await waitUntilListening(child, port, () => output);
    } catch (error) {
      process.removeListener('exit', onExit);
      await stopProcess(child);
      throw error;
    }
    return {
      host: '127.0.0.1',
      port,
      userName,
      password,
      backupsFolder,
      location(share, folder = '') {
        const parts = ['', '', '127.0.0.1', share, ...folder.split('/').filter(Boolean)];
        return parts.join('\\');
      },
      async stop() {
        process.removeListener('exit', onExit);
        try {
          await stopProcess(child);
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

function smbConf(root: string, port: number, readOnly: Readonly<Record<string, string>>): string {
  const lines = [
    '[global]',
    '  server role = standalone server',
    '  interfaces = 127.0.0.1',
    '  bind interfaces only = yes',
    `  smb ports = ${port}`,
    '  disable netbios = yes',
    `  state directory = ${join(root, 'state')}`,
    `  private dir = ${join(root, 'private')}`,
    `  lock directory = ${join(root, 'lock')}`,
    `  cache directory = ${join(root, 'cache')}`,
    `  pid directory = ${join(root, 'pid')}`,
    `  ncalrpc dir = ${join(root, 'ncalrpc')}`,
    `  log file = ${join(root, 'log', 'log.%m')}`,
    `  passdb backend = tdbsam:${join(root, 'private', 'passdb.tdb')}`,
    '  load printers = no',
    '  printing = bsd',
    '  printcap name = /dev/null',
    '  disable spoolss = yes',
    '',
    '[backups]',
    `  path = ${join(root, 'backups')}`,
    '  read only = no',
  ];
  for (const [name, path] of Object.entries(readOnly)) {
    lines.push('', `[${name}]`, `  path = ${path}`, '  read only = yes');
  }
  return `${lines.join('\n')}\n`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no free port found');
  return address.port;
}

async function waitUntilListening(
  child: ChildProcess,
  port: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `smbd exited (${child.exitCode ?? child.signalCode}) before listening:\n${output()}`,
      );
    }
    const listening = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (listening) return;
    if (Date.now() > deadline) {
      throw new Error(
        `smbd did not listen on 127.0.0.1:${port} within ${startTimeoutMs} ms:\n${output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** smbd forks a process per client: the whole group it leads is signalled. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL'); // children of a parent that died
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => {
    killGroup(child, 'SIGKILL');
  }, 5_000);
  await exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL');
}
