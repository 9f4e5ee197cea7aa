/**
 * Who the Managed Instance target is in Azure: a service principal from the environment when
 * `AZURE_CLIENT_ID`, `AZURE_TENANT_ID` and `AZURE_CLIENT_SECRET` are all set (`ClientSecretCredential`),
 * else `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI, …), both
 * from `@azure/identity`. The description names the identity for error messages, never its secret.
 */
import type { Agent } from 'node:http';

import type * as Identity from '@azure/identity';
import type { TokenCredential } from '@azure/identity';

const identityPackage = '@azure/identity';

/** Microsoft Entra ID's sign-in hosts of the public and sovereign clouds (instance discovery knows them). */
const publicAuthorityHosts: ReadonlySet<string> = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.microsoftonline.de',
]);

export interface DescribedCredential {
  readonly credential: TokenCredential;
  readonly description: string;
}

export interface CredentialFromEnvironmentOptions {
  /** Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Microsoft Entra ID's authority host (sovereign clouds). Default: the library's. */
  readonly authorityHost?: string;
  /** An HTTPS agent for the token requests (a proxy, extra trusted CAs). */
  readonly agent?: Agent;
}

export async function credentialFromEnvironment(
  options: CredentialFromEnvironmentOptions = {},
): Promise<DescribedCredential> {
  // Loaded by a name the linter does not follow: eslint-plugin-import-x's no-cycle walks into
  // @azure/identity's dependencies and stops the lint run at @azure/msal-common's `node` folder,
  // which it takes for a resolver named "node". Only the Managed Instance target needs the library.
  const { ClientSecretCredential, DefaultAzureCredential } = (await import(
    identityPackage
  )) as typeof Identity;
  const env = options.env ?? process.env;
  // AZURE_AUTHORITY_HOST, as @azure/identity's own environment credential reads it: a sovereign
  // cloud's sign-in host, or a private one (Azure Stack Hub's AD FS), which instance discovery does
  // not know and must not be asked about.
  const authorityHost = options.authorityHost ?? env.AZURE_AUTHORITY_HOST;
  const privateAuthority =
    authorityHost !== undefined && !publicAuthorityHosts.has(new URL(authorityHost).hostname);
  const common = {
    ...(authorityHost ? { authorityHost } : {}),
    ...(privateAuthority ? { disableInstanceDiscovery: true } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
  };
  const tenantId = env.AZURE_TENANT_ID;
  const clientId = env.AZURE_CLIENT_ID;
  const secret = env.AZURE_CLIENT_SECRET;
  if (tenantId && clientId && secret) {
    return {
      credential: new ClientSecretCredential(tenantId, clientId, secret, common),
      description: `service principal ${clientId} in tenant ${tenantId} (AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET)`,
    };
  }
  return {
    credential: new DefaultAzureCredential(common),
    description:
      'DefaultAzureCredential (environment, workload identity, managed identity, then Azure CLI / PowerShell / azd sign-in)',
  };
}
