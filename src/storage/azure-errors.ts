/**
 * Azure's failures as `BlobStoreError`s. The SDK's `RestError` keeps the request it failed on, and
 * with a SAS that request's URL holds the token, so the original error is never passed on as a
 * `cause`: the cause is a plain error carrying the status, the service's error code and its request
 * id (what Azure support asks for), with every secret scrubbed from its text.
 */
import { BlobStoreError } from './errors.js';

export interface AzureFailureContext {
  readonly accountName: string;
  readonly accountUrl: string;
  readonly containerName: string;
  readonly credentialKind: string;
  readonly secrets: readonly string[];
  readonly blobName: string | null;
  /** What was being done, as the start of a sentence: `Staging block "7" of blob "a.bak"`. */
  readonly action: string;
  /** What is true of the stored data after the failure, as a sentence. */
  readonly kept: string;
}

/** What the store needs to know of an Azure failure, read from a `RestError` or a network error. */
export interface AzureFailure {
  /** The HTTP status, or null when no answer came (network, time-out). */
  readonly status: number | null;
  /** The service's error code (`x-ms-error-code`), or the network error's (`ECONNREFUSED`). */
  readonly code: string;
}

export function failureOf(error: unknown): AzureFailure {
  const fields = (error ?? {}) as { statusCode?: unknown; code?: unknown; details?: unknown };
  const details = (fields.details ?? {}) as { errorCode?: unknown };
  const status = typeof fields.statusCode === 'number' ? fields.statusCode : null;
  const code = [details.errorCode, fields.code].find((c) => typeof c === 'string' && c !== '');
  return {
    status,
    code: typeof code === 'string' ? code : error instanceof Error ? error.name : '',
  };
}

export function azureFailure(error: unknown, context: AzureFailureContext): BlobStoreError {
  if (error instanceof BlobStoreError) return error;
  const { status, code } = failureOf(error);
  const cause = scrubbedCause(error, context.secrets);
  const { accountName, containerName, blobName, action, kept } = context;
  const account = `storage account "${accountName}"`;
  const options = { blobName, cause };
  if (status === 403) {
    const permission = /PermissionMismatch|ResourceTypeMismatch|ServiceMismatch/.test(code);
    const keyFix =
      'Copy the key again from the portal ("Access keys"; a regenerated key replaces the old one)';
    const sasFix = 'Check the SAS token: its signature, its expiry and the IP addresses it allows';
    const fix = permission
      ? `the ${context.credentialKind} does not allow it (${code}). To upload, sqlmig needs a SAS ` +
        'with Read, Add, Create, Write, Delete and List permissions on container ' +
        `"${containerName}" (to restore, Read and List); make one with them, or use the account key.`
      : `the ${context.credentialKind} was not accepted (${code}). ` +
        `${context.credentialKind === 'account key' ? keyFix : sasFix}, and the account's ` +
        'firewall and network rules.';
    return new BlobStoreError(
      'AuthenticationFailed',
      `${action} was refused by ${account}: ${fix} ${kept}`,
      options,
    );
  }
  if (status === 404 && code === 'ContainerNotFound') {
    return new BlobStoreError(
      'ContainerNotFound',
      `${action} failed: container "${containerName}" does not exist in ${account} ` +
        `(${context.accountUrl}). Create it, or correct the container name. ${kept}`,
      options,
    );
  }
  if (code === 'Md5Mismatch' || (code === 'InvalidOperation' && /md5/i.test(cause.message))) {
    return new BlobStoreError(
      'ContentMismatch',
      `${action} was refused by ${account}: the bytes it received do not have the MD5 sent ` +
        `with them, so they were damaged on the way. Nothing was stored; stage the block again.`,
      options,
    );
  }
  if (status === null) {
    return new BlobStoreError(
      'StorageFailed',
      `${action} failed: ${account} at ${context.accountUrl} could not be reached ` +
        `(${code || 'no answer'}: ${cause.message}). Check the URL, DNS, proxy and firewall, then ` +
        `retry. ${kept}`,
      options,
    );
  }
  return new BlobStoreError(
    'StorageFailed',
    `${action} failed: ${account} answered HTTP ${status}${code ? ` ${code}` : ''} ` +
      `(${firstLine(cause.message)}). ${kept}`,
    options,
  );
}

/** A copy of the failure without the request, its URL or its headers, and without any secret. */
export function scrubbedCause(error: unknown, secrets: readonly string[]): Error {
  const { status, code } = failureOf(error);
  const fields = (error ?? {}) as {
    details?: { requestId?: unknown; 'x-ms-request-id'?: unknown };
  };
  const requestId = fields.details?.requestId ?? fields.details?.['x-ms-request-id'];
  const text = error instanceof Error ? error.message : String(error);
  const cause = new Error(scrub(text, secrets));
  cause.name = 'AzureStorageFailure';
  return Object.assign(cause, {
    statusCode: status,
    code,
    requestId: typeof requestId === 'string' ? requestId : null,
  });
}

export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) if (secret !== '') clean = clean.split(secret).join('[secret]');
  return clean.replace(/([?&]sig=)[^&\s"']+/gi, '$1[secret]');
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/\.$/, '') || 'no message';
}
