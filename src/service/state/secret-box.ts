import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

import { StateError } from './errors.js';
import type { SealedSecret } from './records.js';
import { secretKeyBytes, type SecretKey } from './secret-key.js';

/**
 * Seals secrets (service auth keys, SQL passwords, storage keys) before they reach the state store,
 * and opens them when the engine needs them. AES-256-GCM with a fresh 96-bit IV per value; the
 * format is `v1:<iv>:<tag>:<data>`, base64 parts. It never logs, and the key never appears in
 * `String()`, `JSON.stringify()` or `util.inspect()` of the box.
 */
export interface SecretBox {
  /** Where the key came from (`SQLMIG_SECRET_KEY` or the key file), for messages. */
  readonly keySource: string;
  seal(plaintext: string): SealedSecret;
  /** Throws `SecretKeyMismatch` when the key differs from the sealing one or the value was altered. */
  open(sealed: SealedSecret): string;
  /** Names the key's source only; `toJSON()` and `util.inspect()` say the same. */
  toString(): string;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function createSecretBox(key: SecretKey): SecretBox {
  return new AesGcmSecretBox(key);
}

class AesGcmSecretBox implements SecretBox {
  readonly keySource: string;
  readonly #key: Buffer;

  constructor(key: SecretKey) {
    this.keySource = key.source;
    this.#key = secretKeyBytes(key);
  }

  seal(plaintext: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64'));
    return `v1:${parts.join(':')}` as SealedSecret;
  }

  open(sealed: SealedSecret): string {
    const [iv, tag, data] = parseSealed(sealed);
    const decipher = createDecipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch (error) {
      // GCM cannot tell a different key from altered bytes: both fail the same authentication.
      throw new StateError(
        'SecretKeyMismatch',
        `cannot open a sealed secret: the secret key does not match the one the state was written with (this key is from ${this.keySource}), or the stored value was altered. Start sqlmig with the key the state was written with (SQLMIG_SECRET_KEY or the data directory's secret.key).`,
        { cause: error },
      );
    }
  }

  toString(): string {
    return `[SecretBox key from ${this.keySource}: redacted]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function parseSealed(sealed: string): [Buffer, Buffer, Buffer] {
  const parts = sealed.split(':');
  const [version, iv, tag, data] = parts;
  if (
    parts.length !== 4 ||
    version !== 'v1' ||
    iv === undefined ||
    tag === undefined ||
    data === undefined ||
    ![iv, tag, data].every((part) => BASE64.test(part))
  ) {
    throw invalidSealed(`it is not v1:<iv>:<tag>:<data> with base64 parts`);
  }
  const bytes = [iv, tag, data].map((part) => Buffer.from(part, 'base64'));
  const [ivBytes, tagBytes, dataBytes] = bytes as [Buffer, Buffer, Buffer];
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
    throw invalidSealed(`its IV or authentication tag has the wrong length`);
  }
  return [ivBytes, tagBytes, dataBytes];
}

function invalidSealed(reason: string): StateError {
  return new StateError(
    'InvalidSealedSecret',
    `a stored secret cannot be opened because ${reason}; it was not written by sqlmig's secret box, or was damaged. Set the secret again.`,
  );
}
