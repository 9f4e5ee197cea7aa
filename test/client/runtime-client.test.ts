/**
 * The runtime node's client refuses to send keys and passwords over plain HTTP to another host unless
 * told to, and says what to do; loopback and HTTPS addresses are taken.
 */
import { describe, expect, it } from 'vitest';

import { RuntimeClient } from '../../src/client/index.js';

describe('RuntimeClient addresses', () => {
  it('takes HTTPS anywhere and plain HTTP on this machine', () => {
    expect(() => new RuntimeClient('https://sqlmig.contoso.com')).not.toThrow();
    expect(() => new RuntimeClient('http://127.0.0.1:7007/')).not.toThrow();
    expect(() => new RuntimeClient('http://localhost:7007')).not.toThrow();
  });

  it('refuses plain HTTP to another host unless allowed, and what is not a URL', () => {
    expect(() => new RuntimeClient('http://10.0.0.5:7007')).toThrow(
      /not reached over HTTPS.*reverse proxy/,
    );
    expect(() => new RuntimeClient('http://10.0.0.5:7007', { allowPlainHttp: true })).not.toThrow();
    expect(() => new RuntimeClient('ftp://10.0.0.5')).toThrow(/not reached over HTTPS/);
    expect(() => new RuntimeClient('sqlmig.contoso.com')).toThrow(/is not a URL/);
  });
});
