/**
 * The Azure Blob store's options, compiled once at the boundary: the account URL, the container and
 * the credential are checked when the store is made, so a typo fails at start-up with a message that
 * names it rather than at the first upload. The account key and the SAS token appear in no message
 * and in no `description`; `secrets` lists them so that failures can be scrubbed of them.
 */
import {
  AnonymousCredential,
  ContainerClient,
  StorageSharedKeyCredential,
  type StoragePipelineOptions,
  type StorageRetryOptions,
} from '@azure/storage-blob';

import { BlobStoreError } from './errors.js';

export interface AzureBlobStoreOptions {
  /**
   * The account's blob endpoint without a query: `https://<account>.blob.core.windows.net`, or
   * Azurite's `http://127.0.0.1:10000/<account>`. Plain `http` only on a loopback address.
   */
  readonly accountUrl: string;
  /** The container the blobs are in; it must exist. */
  readonly containerName: string;
  readonly credential: AzureBlobCredential;
  /** The account's name when the URL does not show it (a custom domain or private endpoint). */
  readonly accountName?: string;
  readonly retry?: AzureRetryOptions;
}

/** An account key (as in the portal's "Access keys"), or a SAS token for the container or account. */
export type AzureBlobCredential =
  | { readonly accountKey: string; readonly sasToken?: never }
  | { readonly sasToken: string; readonly accountKey?: never };

/** How each request is retried (exponentially) on network failures, timeouts and 5xx answers. */
export interface AzureRetryOptions {
  /** Attempts per request, the first included. Default 4. */
  readonly maxTries?: number;
  /** The wait before the first retry, doubled each time. Default 4,000. */
  readonly retryDelayMs?: number;
  /** Default 120,000. */
  readonly maxRetryDelayMs?: number;
  /** The time one attempt may take. Default: the service's own time-outs. */
  readonly tryTimeoutMs?: number;
}

export interface CompiledAzureOptions {
  readonly accountName: string;
  /** The account URL without a trailing slash. */
  readonly accountUrl: string;
  readonly containerName: string;
  readonly credentialKind: 'account key' | 'SAS token';
  readonly container: ContainerClient;
  /** The strings no message may contain. */
  readonly secrets: readonly string[];
}

const containerName = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
const accountName = /^[a-z0-9]{3,24}$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function compileAzureOptions(options: AzureBlobStoreOptions): CompiledAzureOptions {
  const url = parseAccountUrl(options.accountUrl);
  const account = options.accountName ?? accountNameOf(url);
  if (options.accountName === undefined && !isPathStyle(url) && url.pathname !== '/') {
    refuse(
      `the account URL ${shownUrl(url)} has a path: pass the URL of the account only, and the ` +
        'container as containerName (or, behind a custom endpoint, the account as accountName)',
    );
  }
  if (!accountName.test(account)) {
    refuse(
      `"${account}" is not a storage account name (3 to 24 lowercase letters and digits). ` +
        'Pass the account URL as in the portal, or the account name as accountName.',
    );
  }
  if (!containerName.test(options.containerName)) {
    refuse(
      `${JSON.stringify(options.containerName)} is not a container name: 3 to 63 lowercase ` +
        'letters, digits and single hyphens, starting and ending with a letter or digit',
    );
  }
  const base = url.href.replace(/\/+$/, '');
  const pipeline: StoragePipelineOptions = {
    retryOptions: retryOptionsOf(options.retry ?? {}),
    userAgentOptions: { userAgentPrefix: 'sqlmig' },
  };
  return {
    accountName: account,
    accountUrl: base,
    containerName: options.containerName,
    ...clientOf(options.credential, account, `${base}/${options.containerName}`, pipeline),
  };
}

/** The container's client for the one credential given, and the secrets it holds. */
function clientOf(
  credential: AzureBlobCredential,
  account: string,
  containerUrl: string,
  pipeline: StoragePipelineOptions,
): Pick<CompiledAzureOptions, 'credentialKind' | 'container' | 'secrets'> {
  const { accountKey, sasToken } = credential as { accountKey?: unknown; sasToken?: unknown };
  if (accountKey !== undefined && sasToken === undefined) {
    if (typeof accountKey !== 'string' || !base64.test(accountKey)) {
      refuse(
        `the account key given for storage account "${account}" is not base64 (a key is 88 ` +
          'characters ending in "=="). Copy it again from the portal ("Access keys") or from ' +
          '`az storage account keys list`',
      );
    }
    const shared = new StorageSharedKeyCredential(account, accountKey);
    const container = new ContainerClient(containerUrl, shared, pipeline);
    return { credentialKind: 'account key', container, secrets: [accountKey] };
  }
  if (sasToken !== undefined && accountKey === undefined) {
    const token = typeof sasToken === 'string' ? sasToken.replace(/^\?/, '') : '';
    const signature = new URLSearchParams(token).get('sig') ?? '';
    if (signature === '' || !new URLSearchParams(token).has('sv') || token.includes('#')) {
      refuse(
        `the SAS token given for storage account "${account}" is not one: it needs at least ` +
          'the "sv" and "sig" fields. Generate a SAS for the container and pass its query string',
      );
    }
    const anonymous = new AnonymousCredential();
    const container = new ContainerClient(`${containerUrl}?${token}`, anonymous, pipeline);
    const secrets = [token, signature, encodeURIComponent(signature)];
    return { credentialKind: 'SAS token', container, secrets };
  }
  return refuse(
    'give the credential as either { accountKey } or { sasToken }, exactly one of them',
  );
}

function parseAccountUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse(
      'the account URL is not a URL (expected https://<account>.blob.core.windows.net)',
    );
  }
  const shown = shownUrl(url);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    refuse(
      `the account URL ${shown} carries a query, fragment or user: pass a SAS token as ` +
        'credential.sasToken, not in the URL',
    );
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    refuse(
      `the account URL ${shown} is not https: requests carrying the credential would cross the ` +
        'network in clear text (plain http is accepted only on a loopback address, for Azurite)',
    );
  }
  return url;
}

/** `https://acct.blob.core.windows.net` → acct; path style (`http://127.0.0.1:10000/acct`) → acct. */
function accountNameOf(url: URL): string {
  if (!isPathStyle(url)) return url.hostname.split('.')[0] ?? '';
  const segments = url.pathname.split('/').filter((s) => s !== '');
  return segments.length === 1 ? decodeURIComponent(segments[0] ?? '') : '';
}

/** An IP address or localhost names no account: the account is the URL's path (Azurite's style). */
function isPathStyle(url: URL): boolean {
  return url.hostname === 'localhost' || /^[\d.]+$|^\[/.test(url.hostname);
}

function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function retryOptionsOf(retry: AzureRetryOptions): StorageRetryOptions {
  for (const [key, value] of Object.entries(retry)) {
    if (
      typeof value !== 'number' ||
      !Number.isSafeInteger(value) ||
      value < (key === 'maxTries' ? 1 : 0)
    ) {
      refuse(`retry.${key} must be a whole number${key === 'maxTries' ? ' of 1 or more' : ''}`);
    }
  }
  return {
    ...(retry.maxTries !== undefined && { maxTries: retry.maxTries }),
    ...(retry.retryDelayMs !== undefined && { retryDelayInMs: retry.retryDelayMs }),
    ...(retry.maxRetryDelayMs !== undefined && { maxRetryDelayInMs: retry.maxRetryDelayMs }),
    ...(retry.tryTimeoutMs !== undefined && { tryTimeoutInMs: retry.tryTimeoutMs }),
  };
}

function refuse(problem: string): never {
  throw new BlobStoreError('InvalidArgument', `Cannot use Azure Blob Storage: ${problem}.`);
}
