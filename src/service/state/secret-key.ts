import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';

import { messageOf, StateError } from './errors.js';

export const SECRET_KEY_BYTES = 32;
export const SECRET_KEY_FILE = 'secret.key';

/** The key secrets are sealed with. Opaque: its bytes are not reachable from outside this folder. */
export interface SecretKey {
  /** Where the key came from, for messages: `SQLMIG_SECRET_KEY` or the key file's path. */
  readonly source: string;
  /** Names the source only; `toJSON()` and `util.inspect()` say the same. */
  toString(): string;
}

export interface LoadSecretKeyOptions {
  /** sqlmig's data directory; the key file is `<dataDir>/secret.key`. */
  readonly dataDir: string;
  /** Where `SQLMIG_SECRET_KEY` is read from; `process.env` when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const keyBytes = new WeakMap<SecretKey, Buffer>();

/** The bytes of a key made by this module (for secret-box.ts only; not exported by index.ts). */
export function secretKeyBytes(key: SecretKey): Buffer {
  const bytes = keyBytes.get(key);
  if (bytes === undefined) {
    throw new StateError('InvalidSecretKey', 'this SecretKey was not made by loadSecretKey().');
  }
  return bytes;
}

/**
 * The key from `SQLMIG_SECRET_KEY` (base64 of 32 bytes) when set, else from the key file, which is
 * created on first use with 32 random bytes and mode 0600. Several service replicas sharing one
 * PostgreSQL state database must share the key: give each the same `SQLMIG_SECRET_KEY`.
 */
export async function loadSecretKey(options: LoadSecretKeyOptions): Promise<SecretKey> {
  const fromEnv = (options.env ?? process.env)['SQLMIG_SECRET_KEY'];
  if (fromEnv !== undefined) return makeKey(decodeEnvKey(fromEnv), 'SQLMIG_SECRET_KEY');
  const file = path.join(options.dataDir, SECRET_KEY_FILE);
  return makeKey(await readOrCreateKeyFile(file), `key file ${file}`);
}

function makeKey(bytes: Buffer, source: string): SecretKey {
  const describe = (): string => `[SecretKey from ${source}]`;
  const key: SecretKey = Object.freeze({
    source,
    toString: describe,
    toJSON: describe,
    [inspect.custom]: describe,
  });
  keyBytes.set(key, bytes);
  return key;
}

function decodeEnvKey(text: string): Buffer {
  const trimmed = text.trim();
  const bytes = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed) || bytes.length !== SECRET_KEY_BYTES) {
    throw new StateError(
      'InvalidSecretKey',
      `SQLMIG_SECRET_KEY must be ${SECRET_KEY_BYTES} random bytes in base64 (44 characters, for example from \`openssl rand -base64 32\`), but it is not (${trimmed.length} characters). Set the key this state was written with.`,
    );
  }
  return bytes;
}

async function readOrCreateKeyFile(file: string): Promise<Buffer> {
  try {
    return await readKeyFile(file);
  } catch (error) {
    if (!isNotFound(error)) throw unreadable(file, error);
  }
  await createKeyFile(file);
  return readKeyFile(file).catch((error: unknown) => {
    throw unreadable(file, error);
  });
}

function unreadable(file: string, error: unknown): StateError {
  if (error instanceof StateError) return error;
  return new StateError(
    'InvalidSecretKey',
    `cannot read the secret key file ${file}: ${messageOf(error)}. Check that sqlmig's user may read it, or set SQLMIG_SECRET_KEY.`,
    { cause: error },
  );
}

async function readKeyFile(file: string): Promise<Buffer> {
  const info = await stat(file);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8);
    throw new StateError(
      'InvalidSecretKey',
      `the secret key file ${file} can be read by other users (mode 0${mode}); run \`chmod 600 ${file}\` so only sqlmig's user can read it.`,
    );
  }
  const bytes = await readFile(file);
  if (bytes.length !== SECRET_KEY_BYTES) {
    throw new StateError(
      'InvalidSecretKey',
      `the secret key file ${file} holds ${bytes.length} bytes; a sqlmig key is ${SECRET_KEY_BYTES} bytes. Restore the file from a backup, or set SQLMIG_SECRET_KEY.`,
    );
  }
  return bytes;
}

/** Writes a temporary file, then links it into place: two processes starting at once get one key. */
async function createKeyFile(file: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(randomBytes(SECRET_KEY_BYTES));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, file).catch((error: unknown) => {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    });
  } catch (error) {
    throw new StateError(
      'InvalidSecretKey',
      `cannot create the secret key file ${file}: ${messageOf(error)}. Check that sqlmig may write to the data directory, or set SQLMIG_SECRET_KEY.`,
      { cause: error },
    );
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
