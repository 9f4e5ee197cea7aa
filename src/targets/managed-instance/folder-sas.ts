/**
 * The SAS Log Replay Service reads a database's backups with: Read + List only (what the service asks
 * for: learn.microsoft.com/azure/azure-sql/managed-instance/log-replay-service-migrate, "Generate a
 * SAS token"), valid beyond the 30 days a job may run (the SAS given at start is kept for the whole
 * job; `storageContainerSasToken` cannot be changed afterwards), HTTPS only on an https account,
 * signed with the account key (`generateBlobSASQueryParameters`, @azure/storage-blob). A flat blob
 * namespace has no folder-scoped SAS that allows List, so it is a container SAS (`sr=c`); the
 * restore's `storageContainerUri` names the folder. The token is never logged nor put in a message.
 */
import {
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

import { RestoreTargetError } from '../target-error.js';

import { prefix } from './arm-errors.js';

export interface FolderSas {
  /** The query string without `?`, as `storageContainerSasToken` takes it. */
  readonly token: string;
  readonly expiresOn: Date;
}

/** How far back the SAS starts, for clocks a little behind ours. */
const clockSkewMs = 5 * 60_000;
const dayMs = 24 * 60 * 60_000;

export function folderSas(
  containerUrl: string,
  accountKey: string,
  accountName: string | undefined,
  now: Date,
  validityDays: number,
): FolderSas {
  const { account, container } = containerParts(containerUrl, accountName);
  let key: StorageSharedKeyCredential;
  try {
    key = new StorageSharedKeyCredential(account, accountKey);
  } catch {
    throw new RestoreTargetError(
      'InvalidRequest',
      `${prefix} the storage account key given for ${account} is not a base64 key; copy key1 or key2 from the storage account's "Access keys".`,
    );
  }
  const expiresOn = new Date(now.getTime() + validityDays * dayMs);
  const sas = generateBlobSASQueryParameters(
    {
      containerName: container,
      permissions: ContainerSASPermissions.parse('rl'),
      startsOn: new Date(now.getTime() - clockSkewMs),
      expiresOn,
      protocol: containerUrl.startsWith('https://') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    },
    key,
  );
  return { token: sas.toString(), expiresOn };
}

/** The account and container of `https://<account>.blob…/<container>` (or `http://host/<account>/<container>`). */
export function containerParts(
  containerUrl: string,
  accountName: string | undefined,
): { account: string; container: string } {
  const url = new URL(containerUrl);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const container = segments.at(-1);
  const hostAccount = /^([a-z0-9]+)\.blob\./.exec(url.hostname)?.[1];
  const account = accountName ?? hostAccount ?? (segments.length > 1 ? segments[0] : undefined);
  if (!container || !account) {
    throw new RestoreTargetError(
      'InvalidRequest',
      `${prefix} cannot tell the storage account and container from ${url.origin}${url.pathname}; give the container URL as https://<account>.blob.core.windows.net/<container>.`,
    );
  }
  return { account, container };
}
