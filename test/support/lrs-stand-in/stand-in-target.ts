/**
 * TEST SUPPORT — the real Managed Instance target pointed at the Log Replay Service stand-in: its
 * instance, its token endpoint (through the stand-in credential), its TLS certificate (through the
 * agent), and a storage account key that is not a real one.
 */
import type { Agent } from 'node:https';

import {
  createManagedInstanceTarget,
  type ManagedInstanceTarget,
  type ManagedInstanceTargetOptions,
} from '../../../src/targets/index.js';
import type { LrsStandIn } from './lrs-stand-in.js';
import { StandInClientSecretCredential } from './stand-in-credential.js';

export const standInContainerUrl = 'https://sqlmigtest.blob.core.windows.net/migrations';
export const standInAccountKey = Buffer.from(
  'stand-in storage account key, not a real one',
).toString('base64');

export function targetOnStandIn(
  standIn: LrsStandIn,
  agent: Agent,
  overrides: Partial<ManagedInstanceTargetOptions> & { readonly secret?: string } = {},
): ManagedInstanceTarget {
  const { secret = standIn.clientSecret, ...options } = overrides;
  return createManagedInstanceTarget({
    subscriptionId: standIn.subscriptionId,
    resourceGroupName: standIn.resourceGroupName,
    managedInstanceName: standIn.managedInstanceName,
    credential: new StandInClientSecretCredential(
      standIn.url,
      standIn.tenantId,
      standIn.clientId,
      secret,
      agent,
    ),
    credentialDescription: `service principal ${standIn.clientId}`,
    storage: {
      kind: 'AccountKey',
      containerUrl: standInContainerUrl,
      accountKey: standInAccountKey,
    },
    armEndpoint: standIn.url,
    armScope: 'https://management.azure.com/.default',
    agent,
    pollIntervalMs: 0,
    ...options,
  });
}
