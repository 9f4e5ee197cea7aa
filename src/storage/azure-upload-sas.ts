/**
 * The credential a runtime node uploads with, made by the service from its own: a SAS for the
 * container with only what uploads need — read (block lists, properties), create and write (blocks
 * and their commit), delete (a blob whose staged blocks no longer match its file) and list — that
 * expires after `validForMs`. Nodes never see the account key. A service that was itself given a
 * SAS passes that one on. (A SAS cannot be narrowed to one folder of a flat-namespace container.)
 */
import {
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

import { compileAzureOptions, type AzureBlobStoreOptions } from './azure-options.js';

export interface UploadSas {
  readonly accountUrl: string;
  readonly containerName: string;
  readonly sasToken: string;
  /** When the token stops working (ISO 8601); `null` for a SAS the service was given. */
  readonly expiresOn: string | null;
}

export function uploadSasFor(
  options: AzureBlobStoreOptions,
  validForMs: number,
  now = new Date(),
): UploadSas {
  const compiled = compileAzureOptions(options);
  const base = { accountUrl: compiled.accountUrl, containerName: compiled.containerName };
  if (options.credential.sasToken !== undefined)
    return { ...base, sasToken: options.credential.sasToken.replace(/^\?/, ''), expiresOn: null };
  const key = new StorageSharedKeyCredential(compiled.accountName, options.credential.accountKey);
  // A few minutes back: the node's clock and the storage's may differ.
  const startsOn = new Date(now.getTime() - 5 * 60_000);
  const expiresOn = new Date(now.getTime() + validForMs);
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(compiled.accountUrl);
  const sas = generateBlobSASQueryParameters(
    {
      containerName: compiled.containerName,
      permissions: ContainerSASPermissions.parse('rcwdl'),
      startsOn,
      expiresOn,
      protocol: loopback ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
    },
    key,
  );
  return { ...base, sasToken: sas.toString(), expiresOn: expiresOn.toISOString() };
}
