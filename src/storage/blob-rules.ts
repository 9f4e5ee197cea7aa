/**
 * The rules every blob store applies at its boundary, whatever stores the bytes: names are relative
 * `/`-separated paths that are also valid on a local disk; block ids and metadata are what Azure Blob
 * Storage accepts. Checking them here, once, keeps the local folder and Azure Blob stores alike.
 */
import type { CommitOptions } from './blob-store.js';
import { BlobStoreError } from './errors.js';

/** Azure Blob's limit, in characters. */
const maxNameLength = 1024;
/** Azure Blob's limit on a block id before base64 encoding, in bytes. */
const maxBlockIdBytes = 64;
/** Azure Blob's limit on all metadata names and values together, in bytes. */
const maxMetadataBytes = 8192;
const base64Md5 = /^[A-Za-z0-9+/]{22}==$/;
const metadataKey = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Rejects a name that is not a valid blob name with `InvalidBlobName`. */
export function validateBlobName(name: unknown): asserts name is string {
  const problem = nameProblem(name, false);
  if (problem !== null) {
    throw new BlobStoreError(
      'InvalidBlobName',
      `The blob name ${shown(name)} is not valid: ${problem}. Blob names are relative paths such as ` +
        `"Sales/full.bak", with "/" between folders; rename the file or folder it comes from.`,
      { blobName: typeof name === 'string' ? name : null },
    );
  }
}

/** A list prefix: empty, or the start of a valid name (it may end inside a segment or with `/`). */
export function validateBlobPrefix(prefix: unknown): asserts prefix is string {
  const problem = prefix === '' ? null : nameProblem(prefix, true);
  if (problem !== null) {
    throw new BlobStoreError(
      'InvalidBlobName',
      `The prefix ${shown(prefix)} cannot start a blob name: ${problem}. Pass "" to list every ` +
        `blob, or the start of a name such as "Sales/".`,
    );
  }
}

export function validateBlockId(blobName: string, blockId: unknown): asserts blockId is string {
  const problem =
    typeof blockId !== 'string'
      ? 'it is not a string'
      : blockId === ''
        ? 'it is empty'
        : !isWellFormed(blockId)
          ? 'it is not valid Unicode'
          : Buffer.byteLength(blockId, 'utf8') > maxBlockIdBytes
            ? `it is longer than ${maxBlockIdBytes} bytes in UTF-8`
            : null;
  if (problem !== null) {
    throw new BlobStoreError(
      'InvalidBlockId',
      `The block id ${shown(blockId)} for blob "${blobName}" is not valid: ${problem}. Use ids of ` +
        `1 to ${maxBlockIdBytes} bytes, such as a zero-padded block number.`,
      { blobName },
    );
  }
}

export function validateCommitOptions(blobName: string, options: CommitOptions): void {
  const refuse = (problem: string): never => {
    throw new BlobStoreError('InvalidArgument', `Cannot commit blob "${blobName}": ${problem}.`, {
      blobName,
    });
  };
  if (options.contentMd5 !== undefined && !base64Md5.test(options.contentMd5)) {
    refuse(`the content MD5 ${shown(options.contentMd5)} is not a base64 MD5 (24 characters)`);
  }
  const seen = new Set<string>();
  let bytes = 0;
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (!metadataKey.test(key)) {
      refuse(
        `the metadata name ${shown(key)} is not one Azure accepts: a letter or "_", then ` +
          'letters, digits or "_"',
      );
    }
    if (seen.has(key.toLowerCase())) {
      refuse(`the metadata name "${key}" appears twice (names are compared ignoring case)`);
    }
    seen.add(key.toLowerCase());
    if (typeof value !== 'string' || !isPrintableAscii(value)) {
      refuse(`the metadata value of "${key}" is not printable ASCII text`);
    }
    bytes += key.length + value.length;
  }
  if (bytes > maxMetadataBytes) {
    refuse(`its metadata holds ${bytes} bytes, more than the ${maxMetadataBytes} allowed`);
  }
}

function nameProblem(name: unknown, isPrefix: boolean): string | null {
  if (typeof name !== 'string') return 'it is not a string';
  if (name === '') return 'it is empty';
  if (name.length > maxNameLength) return `it is longer than ${maxNameLength} characters`;
  if (!isWellFormed(name)) return 'it is not valid Unicode';
  if (name.includes('\\')) return 'it contains a backslash ("\\"); use "/" between folders';
  if (hasControlCharacter(name)) return 'it contains a control character (such as NUL)';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'it is an absolute path';
  const segments = name.split('/');
  // A prefix may end with "/" or inside a segment: its last segment is only the start of one.
  const complete = isPrefix ? segments.slice(0, -1) : segments;
  for (const segment of complete) {
    if (segment === '') return 'it has an empty folder name ("//" or a "/" at the end)';
    if (segment === '.' || segment === '..') return `it has a "${segment}" folder`;
  }
  return null;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/** No lone surrogates, so the name survives UTF-8 (file systems, URLs) unchanged. */
function isWellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

function shown(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…"` : text;
}
