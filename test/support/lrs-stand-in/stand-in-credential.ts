/**
 * A minimal `TokenCredential` for tests (a stand-in, not @azure/identity): the OAuth2 client
 * credentials grant against the Log Replay Service stand-in's token endpoint
 * (`POST /{tenant}/oauth2/v2.0/token`, Microsoft identity platform's v2.0 shape), over TLS trusted
 * through the test's agent. Why not `ClientSecretCredential` with `authorityHost` pointed at the
 * stand-in: MSAL refuses an http authority (`authority_uri_insecure`), and over https it first reads
 * the authority's OpenID metadata and instance discovery, which this stand-in does not imitate.
 */
import { request, type Agent } from 'node:https';

import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

export class StandInClientSecretCredential implements TokenCredential {
  readonly #tokenUrl: string;
  readonly #clientId: string;
  readonly #secret: string;
  readonly #agent: Agent;

  constructor(authority: string, tenantId: string, clientId: string, secret: string, agent: Agent) {
    this.#tokenUrl = `${authority}/${tenantId}/oauth2/v2.0/token`;
    this.#clientId = clientId;
    this.#secret = secret;
    this.#agent = agent;
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    if (options?.abortSignal?.aborted) throw new Error('aborted');
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.#clientId,
      client_secret: this.#secret,
      scope: Array.isArray(scopes) ? scopes.join(' ') : scopes,
    }).toString();
    const { status, body } = await post(this.#tokenUrl, form, this.#agent);
    const json = JSON.parse(body) as Record<string, unknown>;
    if (status !== 200) {
      const said = json.error_description ?? json.error;
      const error = new Error(typeof said === 'string' ? said : `HTTP ${status}`);
      error.name = 'AuthenticationError';
      throw error;
    }
    return {
      token: String(json.access_token),
      expiresOnTimestamp: Date.now() + Number(json.expires_in) * 1000,
      tokenType: 'Bearer',
    };
  }
}

function post(url: string, form: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}
