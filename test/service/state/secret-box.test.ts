import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createSecretBox,
  loadSecretKey,
  SECRET_KEY_FILE,
  type SealedSecret,
} from '../../../src/service/state/index.js';
import { expectCode } from './state-fixtures.js';

const envKey = (): { SQLMIG_SECRET_KEY: string } => ({
  SQLMIG_SECRET_KEY: randomBytes(32).toString('base64'),
});
const boxFromEnv = async (env = envKey()) => createSecretBox(await loadSecretKey({ dataDir, env }));

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sqlmig-secrets-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('SecretBox', () => {
  it('seals into v1:<iv>:<tag>:<data> and opens what it sealed', async () => {
    const box = await boxFromEnv();
    for (const secret of ['Pa$$w0rd:with;colons', '', 'ünïcødé 🔑', 'x'.repeat(10_000)]) {
      const sealed = box.seal(secret);
      expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]*$/);
      expect(sealed).not.toContain(secret || '\u0000');
      expect(box.open(sealed)).toBe(secret);
    }
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('detects altered ciphertext, tags and IVs', async () => {
    const box = await boxFromEnv();
    const [version, iv, tag, data] = box.seal('the sa password').split(':') as [
      string,
      string,
      string,
      string,
    ];
    const flip = (part: string): string => {
      const bytes = Buffer.from(part, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    for (const altered of [
      [version, iv, tag, flip(data)],
      [version, iv, flip(tag), data],
      [version, flip(iv), tag, data],
    ]) {
      expect(() => box.open(altered.join(':') as SealedSecret)).toThrow(
        expect.objectContaining({ code: 'SecretKeyMismatch' }),
      );
    }
    for (const malformed of [
      'v2:a:b:c',
      'plain text',
      `v1:${iv}:${tag}`,
      `v1:${iv}:AAAA:${data}`,
    ]) {
      expect(() => box.open(malformed as SealedSecret)).toThrow(
        expect.objectContaining({ code: 'InvalidSealedSecret' }),
      );
    }
  });

  it('says the key does not match when opened with another key', async () => {
    const sealed = (await boxFromEnv()).seal('storage account key');
    const other = await boxFromEnv();
    expect(() => other.open(sealed)).toThrow(
      'the secret key does not match the one the state was written with',
    );
  });

  it('never shows its key', async () => {
    const env = envKey();
    const key = await loadSecretKey({ dataDir, env });
    const box = createSecretBox(key);
    const raw = env.SQLMIG_SECRET_KEY;
    const hex = Buffer.from(raw, 'base64').toString('hex');
    for (const shown of [
      String(box),
      JSON.stringify({ box, key }),
      inspect(box),
      inspect(key),
      String(key),
    ]) {
      expect(shown).not.toContain(raw);
      expect(shown).not.toContain(hex);
      expect(shown).toContain('SQLMIG_SECRET_KEY');
    }
    expect(Object.keys(box)).toEqual(['keySource']);
  });
});

describe('loadSecretKey', () => {
  it('creates a 32-byte key file with mode 0600 on first use and reuses it', async () => {
    const dir = path.join(dataDir, 'not-yet-there');
    const first = createSecretBox(await loadSecretKey({ dataDir: dir, env: {} }));
    const file = path.join(dir, SECRET_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file)).toHaveLength(32);
    const again = createSecretBox(await loadSecretKey({ dataDir: dir, env: {} }));
    expect(again.open(first.seal('kept across restarts'))).toBe('kept across restarts');
    expect(first.keySource).toBe(`key file ${file}`);
  });

  it('gives processes starting at once the same key', async () => {
    const boxes = await Promise.all(
      Array.from({ length: 8 }, async () =>
        createSecretBox(await loadSecretKey({ dataDir, env: {} })),
      ),
    );
    const sealed = boxes[0]?.seal('one key') as SealedSecret;
    for (const box of boxes) expect(box.open(sealed)).toBe('one key');
  });

  it('prefers SQLMIG_SECRET_KEY over the key file', async () => {
    const env = envKey();
    await loadSecretKey({ dataDir, env: {} });
    const fromEnv = await boxFromEnv(env);
    expect(fromEnv.keySource).toBe('SQLMIG_SECRET_KEY');
    const sameEnv = await boxFromEnv({ ...env });
    expect(sameEnv.open(fromEnv.seal('x'))).toBe('x');
  });

  it('refuses a malformed environment key, a short key file and one others can read', async () => {
    for (const bad of ['', 'not base64!', randomBytes(16).toString('base64')]) {
      const error = await expectCode(
        loadSecretKey({ dataDir, env: { SQLMIG_SECRET_KEY: bad } }),
        'InvalidSecretKey',
      );
      expect(error.message).toContain('32 random bytes in base64');
    }
    const file = path.join(dataDir, SECRET_KEY_FILE);
    await writeFile(file, randomBytes(31), { mode: 0o600 });
    const short = await expectCode(loadSecretKey({ dataDir, env: {} }), 'InvalidSecretKey');
    expect(short.message).toContain('holds 31 bytes');
    await writeFile(file, randomBytes(32));
    await chmod(file, 0o644);
    const open = await expectCode(loadSecretKey({ dataDir, env: {} }), 'InvalidSecretKey');
    expect(open.message).toContain('chmod 600');
  });
});
