/**
 * Blob names and block ids in Azure Blob Storage: the port's rules (blob-rules.ts) and what Azure
 * adds, and how the port's block ids become Azure's.
 *
 * Azure wants block ids in base64 and, within one blob, all of the same length. The port's ids are any
 * text of 1 to 64 bytes in UTF-8 ("a", "block-2", "000017"), so each is stored as its UTF-8 bytes
 * padded with 0xFF to 64 bytes (0xFF never occurs in UTF-8, so the padding comes off unambiguously),
 * then base64: 88 characters for every id.
 */
import { validateBlobName } from './blob-rules.js';
import { BlobStoreError } from './errors.js';

/** Azure's limit on the `/`-separated segments of a name. */
const maxSegments = 254;
/** Azure's limit on a block id before base64, in bytes; the port's limit too. */
const blockIdBytes = 64;
const padding = 0xff;

/**
 * Rejects a name that breaks the port's rules or that Azure would not store as given: more than 254
 * segments, or a segment ending with "." (Azure's naming rules say to avoid those: the dot is not
 * kept reliably through URLs).
 */
export function checkAzureName(name: string): void {
  validateBlobName(name);
  const segments = name.split('/');
  const problem =
    segments.length > maxSegments
      ? `it has ${segments.length} folder and file names, more than the ${maxSegments} Azure allows`
      : segments.some((s) => s.endsWith('.'))
        ? 'a folder or file name in it ends with ".", which Azure Blob Storage does not keep reliably'
        : null;
  if (problem !== null) {
    throw new BlobStoreError(
      'InvalidBlobName',
      `The blob name "${name}" cannot be stored in Azure Blob Storage: ${problem}. Rename the ` +
        'file or folder it comes from.',
      { blobName: name },
    );
  }
}

/** The Azure block id of a port block id (already validated: 1 to 64 bytes of UTF-8). */
export function toAzureBlockId(blockId: string): string {
  const bytes = Buffer.alloc(blockIdBytes, padding);
  bytes.write(blockId, 'utf8');
  return bytes.toString('base64');
}

/**
 * The port block id of an Azure block id, or null for one this store did not stage (another tool's
 * ids have another length or are not padded UTF-8).
 */
export function fromAzureBlockId(azureId: string): string | null {
  const bytes = Buffer.from(azureId, 'base64');
  if (bytes.length !== blockIdBytes || bytes.toString('base64') !== azureId) return null;
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === padding) end -= 1;
  if (end === 0) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
  } catch {
    return null;
  }
}
