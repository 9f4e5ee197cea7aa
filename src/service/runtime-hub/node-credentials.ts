/**
 * The credential a runtime node gets when it registers with one of its service's auth keys, and uses
 * from then on. It names its service and node, so the service finds the record at once, and carries a
 * random secret of which the service keeps only the SHA-256: a stolen database holds no usable
 * credential. Regenerating an auth key does not end the nodes registered with it (as in Azure DMS);
 * `deleteNode` does.
 *
 *   sqlmig-node.<service, base64url>.<node, base64url>.<secret, 32 random bytes, base64url>
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const prefix = 'sqlmig-node';

export interface NodeCredential {
  readonly token: string;
  readonly hash: string;
}

export function issueNodeCredential(serviceName: string, nodeName: string): NodeCredential {
  const secret = randomBytes(32).toString('base64url');
  const token = [prefix, encode(serviceName), encode(nodeName), secret].join('.');
  return { token, hash: hashOf(secret) };
}

/** The service and node a credential names, and its secret; `null` when it is not one. */
export function parseNodeCredential(
  token: string,
): { serviceName: string; nodeName: string; secret: string } | null {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== prefix) return null;
  const [, service = '', node = '', secret = ''] = parts;
  const serviceName = Buffer.from(service, 'base64url').toString('utf8');
  const nodeName = Buffer.from(node, 'base64url').toString('utf8');
  if (!serviceName || !nodeName || secret.length < 32) return null;
  return { serviceName, nodeName, secret };
}

/** Whether `secret` is the one whose hash is kept (compared in constant time). */
export function credentialMatches(secret: string, hash: string | null): boolean {
  if (hash === null) return false;
  const a = Buffer.from(hashOf(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
