/**
 * The Managed Instance target's options, compiled once: defaults applied, values checked, frozen.
 * Names follow the Azure resource ids they build (`/subscriptions/{subscriptionId}/resourceGroups/
 * {resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}`).
 */
import type { Agent } from 'node:http';

import type { TokenCredential } from '@azure/identity';

import { RestoreTargetError } from '../target-error.js';

/**
 * How Log Replay Service reads the backups' container:
 * - `AccountKey`: sqlmig signs a SAS with the storage account key (Read + List only, valid
 *   `sasValidityDays`); the key never leaves this process.
 * - `ManagedIdentity`: no SAS; the instance's managed identity reads the container
 *   (`storageContainerIdentity: ManagedIdentity`; it needs Storage Blob Data Reader on it).
 * A user-delegation SAS is not offered: Azure Storage limits a user delegation key to 7 days, and
 * Log Replay Service keeps the SAS it was started with for the whole job (up to 30 days).
 */
export type ManagedInstanceStorage =
  | {
      readonly kind: 'AccountKey';
      /** `https://<account>.blob.core.windows.net/<container>` (no SAS, no trailing slash). */
      readonly containerUrl: string;
      readonly accountKey: string;
      /** Default: the first label of the host (`<account>.blob…`), else the first path segment. */
      readonly accountName?: string;
    }
  | { readonly kind: 'ManagedIdentity'; readonly containerUrl: string };

export interface ManagedInstanceTargetOptions {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly managedInstanceName: string;
  /** Who calls Azure Resource Manager: see `credentialFromEnvironment()`. */
  readonly credential: TokenCredential;
  /** Shown in messages about authentication (e.g. "service principal 1234… from AZURE_CLIENT_ID"). */
  readonly credentialDescription?: string;
  readonly storage: ManagedInstanceStorage;
  /** Azure Resource Manager's endpoint. Default `https://management.azure.com`. */
  readonly armEndpoint?: string;
  /** The token scope. Default: the endpoint's origin + `/.default`. */
  readonly armScope?: string;
  /** An HTTPS agent for Resource Manager calls (a proxy, or extra trusted CAs). */
  readonly agent?: Agent;
  /** Long-running operations: wait between polls when Azure sends no Retry-After. Default 5 s. */
  readonly pollIntervalMs?: number;
  /** Long-running operations: give up after this long. Default 30 min. */
  readonly operationTimeoutMs?: number;
  /** SAS validity, in days: beyond Log Replay Service's 30-day job limit. Default 33 (31–365). */
  readonly sasValidityDays?: number;
  /**
   * How long a database's restore details are reused before `details` asks Azure again: the engine
   * looks at every migration each second, and Resource Manager limits the reads of a subscription
   * (about 12,000 an hour). A start, cutover or stop asks again at once. Default 10 s; 0 never reuses.
   */
  readonly detailsMaxAgeMs?: number;
  readonly clock?: { now(): Date };
}

export interface CompiledManagedInstanceOptions {
  readonly instancePath: string;
  readonly managedInstanceName: string;
  readonly credential: TokenCredential;
  readonly credentialDescription: string;
  readonly storage: ManagedInstanceStorage;
  readonly containerUrl: string;
  readonly armEndpoint: string;
  readonly armScope: string;
  readonly agent: Agent | undefined;
  readonly pollIntervalMs: number;
  readonly operationTimeoutMs: number;
  readonly sasValidityDays: number;
  readonly detailsMaxAgeMs: number;
  readonly clock: { now(): Date };
}

export const defaultArmEndpoint = 'https://management.azure.com';

export function compileManagedInstanceOptions(
  options: ManagedInstanceTargetOptions,
): CompiledManagedInstanceOptions {
  for (const name of ['subscriptionId', 'resourceGroupName', 'managedInstanceName'] as const) {
    if (!/^[^/?#\s]+$/.test(options[name])) invalid(`${name} "${options[name]}" is not a name`);
  }
  const armEndpoint = url('armEndpoint', options.armEndpoint ?? defaultArmEndpoint);
  // The SDKs' bearer-token policy sends tokens over TLS only; refused here, with the reason.
  if (!armEndpoint.startsWith('https://'))
    invalid(`armEndpoint "${armEndpoint}" must be https: tokens are only sent over TLS`);
  const containerUrl = url('storage.containerUrl', options.storage.containerUrl);
  if (new URL(containerUrl).search !== '')
    invalid('storage.containerUrl must not carry a query (a SAS): sqlmig makes its own');
  // Log Replay Service's limitations: the container and folder paths must not contain "backup".
  const containerName = new URL(containerUrl).pathname.split('/').filter(Boolean).at(-1) ?? '';
  if (/backup/i.test(containerName))
    invalid(
      `the container "${containerName}" contains "backup": Log Replay Service refuses a container or folder path containing "backup" or "backups"; upload into a container named otherwise`,
    );
  const compiled: CompiledManagedInstanceOptions = {
    instancePath: `/subscriptions/${enc(options.subscriptionId)}/resourceGroups/${enc(options.resourceGroupName)}/providers/Microsoft.Sql/managedInstances/${enc(options.managedInstanceName)}`,
    managedInstanceName: options.managedInstanceName,
    credential: options.credential,
    credentialDescription: options.credentialDescription ?? 'the credential given to sqlmig',
    storage: options.storage,
    containerUrl,
    armEndpoint,
    armScope: options.armScope ?? `${new URL(armEndpoint).origin}/.default`,
    agent: options.agent,
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    operationTimeoutMs: options.operationTimeoutMs ?? 30 * 60_000,
    sasValidityDays: options.sasValidityDays ?? 33,
    detailsMaxAgeMs: options.detailsMaxAgeMs ?? 10_000,
    clock: options.clock ?? { now: () => new Date() },
  };
  if (!(compiled.pollIntervalMs >= 0)) invalid('pollIntervalMs must be 0 or more');
  if (!(compiled.operationTimeoutMs > 0)) invalid('operationTimeoutMs must be positive');
  if (!(compiled.detailsMaxAgeMs >= 0)) invalid('detailsMaxAgeMs must be 0 or more');
  if (!(compiled.sasValidityDays > 30 && compiled.sasValidityDays <= 365))
    invalid(
      `sasValidityDays must be more than 30 (Log Replay Service jobs run up to 30 days on the SAS they start with) and at most 365, not ${compiled.sasValidityDays}`,
    );
  return Object.freeze(compiled);
}

function url(name: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return invalid(`${name} "${value}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    invalid(`${name} "${value}" is not an http(s) URL`);
  return value.replace(/\/+$/, '');
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function invalid(message: string): never {
  throw new RestoreTargetError('InvalidRequest', `Managed Instance target: ${message}.`);
}

/**
 * The three names in a managed instance's resource id, as the portal shows it (Properties →
 * Resource ID) and as Azure DMS takes it for `scope`:
 * `/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Sql/managedInstances/{name}`.
 */
export function parseManagedInstanceId(resourceId: string): {
  subscriptionId: string;
  resourceGroupName: string;
  managedInstanceName: string;
} {
  const found =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/managedInstances\/([^/]+)\/?$/i.exec(
      resourceId.trim(),
    );
  if (!found?.[1] || !found[2] || !found[3])
    invalid(
      `"${resourceId}" is not a managed instance's resource id (/subscriptions/ID/resourceGroups/GROUP/providers/Microsoft.Sql/managedInstances/NAME: the portal shows it under Properties)`,
    );
  return {
    subscriptionId: decodeURIComponent(found[1]),
    resourceGroupName: decodeURIComponent(found[2]),
    managedInstanceName: decodeURIComponent(found[3]),
  };
}
