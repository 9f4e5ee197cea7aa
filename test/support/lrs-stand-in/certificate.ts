/**
 * A throwaway self-signed certificate for 127.0.0.1, made by the `openssl` command, for the Log
 * Replay Service stand-in: the Azure pipeline sends bearer tokens over https only, so the stand-in
 * speaks TLS and the test trusts this certificate through an https.Agent.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoopbackCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export function loopbackCertificate(): LoopbackCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'lrs-stand-in-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
