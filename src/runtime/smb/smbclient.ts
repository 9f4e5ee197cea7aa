/**
 * Runs Samba's `smbclient` against one share, its commands fed on standard input (one per line:
 * unlike `-c`, which splits on every `;`, a line keeps names with `;` whole), and turns what it
 * reports into `SmbShareError`s.
 *
 * The password never appears on the command line (which `ps` shows to every user) nor on disk: it
 * is written into a pipe that the child reads as file descriptor 3 (`PASSWD_FD=3`, documented in
 * smbclient(1)). `-E` sends everything smbclient prints to standard error (listings included), so
 * standard output holds only a file's bytes, for `get NAME -`. Dates are printed in UTC
 * and the C locale, which the listing parser expects. Each run has a deadline (or, for a transfer,
 * a longest silence) and is killed when it passes or when the caller's signal aborts.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { SmbShareError, type SmbShareErrorCode } from './errors.js';
import { formatUncPath, type UncPath } from './unc-path.js';

export interface SmbConnection {
  readonly path: UncPath;
  /** TCP port; null for smbclient's default (445, then 139). */
  readonly port: number | null;
  /** The user name, `DOMAIN\user` or `user@domain` for a domain account. */
  readonly user: string;
  readonly password: string;
  readonly smbclientPath: string;
}

export interface SmbclientCall {
  /** What the run is for, in messages: "listing", "reading backup/full.bak". */
  readonly purpose: string;
  readonly commands: readonly string[];
  /** Where standard output goes (a file's bytes); collected as text when absent. */
  readonly output?: Writable;
  /** Longest run, or with `output` longest time without a byte. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

export interface SmbclientResult {
  /** What smbclient printed (listings, messages), password-scrubbed, its own chatter left out. */
  readonly printed: string;
}

/** A name inside the share as one argument of an smbclient command (names never hold `"`). */
export function quoteSmbArgument(name: string): string {
  return `"${name}"`;
}

export async function runSmbclient(
  connection: SmbConnection,
  call: SmbclientCall,
): Promise<SmbclientResult> {
  call.signal?.throwIfAborted();
  const { path, port, user, password } = connection;
  const args = [`//${path.host}/${path.share}`, '-m', 'SMB3', '-E', '-U', user];
  if (port !== null) args.push('-p', String(port));
  if (path.folder !== '') args.push('-D', path.folder);
  if (password === '') args.push('-N');
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };
  // Any password the environment holds would be taken before PASSWD_FD.
  delete env['PASSWD'];
  delete env['PASSWD_FILE'];
  delete env['PASSWD_FD'];
  if (password !== '') env['PASSWD_FD'] = '3';
  const child = spawn(connection.smbclientPath, args, {
    env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });

  let stderr = '';
  let stopped = null as 'timeout' | 'abort' | 'output failed' | null;
  const stop = (why: 'timeout' | 'abort' | 'output failed'): void => {
    stopped ??= why;
    child.kill('SIGKILL');
  };
  let timer = setTimeout(() => {
    stop('timeout');
  }, call.timeoutMs);
  const onAbort = (): void => {
    stop('abort');
  };
  call.signal?.addEventListener('abort', onAbort, { once: true });

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const secretPipe = child.stdio[3];
  for (const stream of [child.stdin, secretPipe]) {
    // A child that exits early (not installed, refused at once) closes its end: not our failure.
    stream?.on('error', () => undefined);
  }
  if (secretPipe && 'end' in secretPipe) secretPipe.end(password);
  child.stdin.end(call.commands.map((command) => `${command}\n`).join(''));

  const output = call.output;
  let copied: Promise<unknown>;
  if (output) {
    child.stdout.on('data', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stop('timeout');
      }, call.timeoutMs);
    });
    copied = pipeline(child.stdout, output).catch((error: unknown) => {
      stop('output failed');
      throw error;
    });
  } else {
    child.stdout.resume(); // nothing comes there with -E
    copied = Promise.resolve();
  }
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve(code);
    });
  });
  // Both are awaited below; whichever fails second must not go unhandled.
  void exited.catch(() => undefined);
  void copied.catch(() => undefined);
  try {
    const [code] = await Promise.all([exited, copied]);
    if (stopped === 'abort') call.signal?.throwIfAborted();
    if (stopped === 'timeout') {
      throw new SmbShareError(
        'TimedOut',
        `${call.purpose} on ${describe(connection)}: smbclient ${output ? 'sent nothing' : 'did not finish'} for ${call.timeoutMs} ms and was stopped. Check that the server answers, or allow more time (timeoutMs).`,
      );
    }
    const messages = scrub(chatterless(stderr), password);
    const failure = classify(connection, call.purpose, messages, code);
    if (failure) throw failure;
    return { printed: messages };
  } catch (error) {
    if (stopped === 'abort' && call.signal?.aborted) throw call.signal.reason;
    if (isMissingProgram(error)) {
      throw new SmbShareError(
        'SmbClientMissing',
        `smbclient (Samba's SMB client, which sqlmig runs to read shares) is not installed at ${connection.smbclientPath}. Install it: apt-get install smbclient (Debian, Ubuntu), dnf install samba-client (Fedora, RHEL), or give its path (smbclientPath).`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** `\\host\share\folder` (port N) as user U: never the password. */
export function describe(connection: SmbConnection): string {
  const port = connection.port === null ? '' : ` (port ${connection.port})`;
  return `${formatUncPath(connection.path)}${port} as ${connection.user}`;
}

function isMissingProgram(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/** smbclient's lines that say nothing about the outcome. */
function chatterless(text: string): string {
  return text
    .split('\n')
    .filter(
      (line) =>
        line.trim() !== '' &&
        !line.startsWith('Try "help"') &&
        !line.startsWith('Error reading password from file descriptor'),
    )
    .join('\n');
}

/** Defence in depth: smbclient never prints the password, and nothing that quotes it may either. */
function scrub(text: string, password: string): string {
  return password === '' ? text : text.split(password).join('********');
}

/**
 * The NT status in smbclient's messages. Listing lines (which start with spaces or `\`) are
 * skipped: a file may be named after a status. In a message, a status starts the line, follows
 * `: ` (a name cannot hold `:`), or is in `(Error …)`.
 */
function ntStatus(messages: string): string | null {
  const lines = messages.split('\n').filter((line) => !/^(?:\s|\\)/.test(line));
  for (const pattern of [/^(NT_STATUS_\w+)/, /: (NT_STATUS_\w+)$/, /\(Error (NT_STATUS_\w+)\)/]) {
    for (const line of lines) {
      const found = pattern.exec(line.trimEnd())?.[1];
      if (found !== undefined) return found;
    }
  }
  return null;
}

const logonStatuses = new Set([
  'NT_STATUS_LOGON_FAILURE',
  'NT_STATUS_WRONG_PASSWORD',
  'NT_STATUS_NO_SUCH_USER',
  'NT_STATUS_ACCOUNT_DISABLED',
  'NT_STATUS_ACCOUNT_LOCKED_OUT',
  'NT_STATUS_ACCOUNT_EXPIRED',
  'NT_STATUS_ACCOUNT_RESTRICTION',
  'NT_STATUS_PASSWORD_EXPIRED',
  'NT_STATUS_PASSWORD_MUST_CHANGE',
  'NT_STATUS_INVALID_LOGON_HOURS',
  'NT_STATUS_INVALID_WORKSTATION',
]);
const unreachableStatuses = new Set([
  'NT_STATUS_CONNECTION_REFUSED',
  'NT_STATUS_CONNECTION_RESET',
  'NT_STATUS_CONNECTION_DISCONNECTED',
  'NT_STATUS_HOST_UNREACHABLE',
  'NT_STATUS_NETWORK_UNREACHABLE',
  'NT_STATUS_PORT_UNREACHABLE',
  'NT_STATUS_IO_TIMEOUT',
  'NT_STATUS_BAD_NETWORK_PATH',
]);
const notFoundStatuses = new Set([
  'NT_STATUS_OBJECT_NAME_NOT_FOUND',
  'NT_STATUS_OBJECT_PATH_NOT_FOUND',
  'NT_STATUS_NO_SUCH_FILE',
  'NT_STATUS_NOT_A_DIRECTORY',
  'NT_STATUS_OBJECT_NAME_INVALID',
]);

/**
 * The error smbclient's messages and exit code show, or null when it succeeded. In the
 * stdin mode smbclient exits 0 even when a command failed, so its messages are what count.
 */
function classify(
  connection: SmbConnection,
  purpose: string,
  messages: string,
  code: number | null,
): SmbShareError | null {
  const status = ntStatus(messages);
  if (status === null && code === 0) return null;
  const where = describe(connection);
  const said = messages.trim() === '' ? `exit code ${String(code)}` : messages.trim();
  const port = connection.port ?? 445;
  const make = (errorCode: SmbShareErrorCode, text: string): SmbShareError =>
    new SmbShareError(errorCode, `${purpose} on ${where}: ${text}`, { ntStatus: status });
  if (/Connection to .* failed/.test(messages) || (status && unreachableStatuses.has(status))) {
    return make(
      'HostUnreachable',
      `no SMB server answered at ${connection.path.host} port ${port} (${status ?? said}). Check the host name, that the server is running, and that a firewall lets this machine reach TCP port ${port}.`,
    );
  }
  if (status && logonStatuses.has(status)) {
    return make(
      'LogonFailure',
      `the server refused the user name or password (${status}). Check the user name (DOMAIN\\user for a domain account) and the password, and that the account is neither locked nor expired.`,
    );
  }
  if (status === 'NT_STATUS_BAD_NETWORK_NAME') {
    return make(
      'ShareNotFound',
      `${connection.path.host} has no share named ${connection.path.share} (${status}). Check the share name; smbclient -L //${connection.path.host} -U USER lists the server's shares.`,
    );
  }
  if (status === 'NT_STATUS_ACCESS_DENIED' || status === 'NT_STATUS_NETWORK_ACCESS_DENIED') {
    return make(
      'AccessDenied',
      `the user may not read this (${status}): ${said}. Give the account read access to the share and its folders.`,
    );
  }
  if (status && notFoundStatuses.has(status)) {
    return make('PathNotFound', `not found (${status}): ${said}. Check the folder and file names.`);
  }
  return make(
    'SmbClientFailed',
    `smbclient failed (${status ?? `exit code ${String(code)}`}): ${said}`,
  );
}
