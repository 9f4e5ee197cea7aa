/**
 * The blob store over one Azure Blob Storage container (`@azure/storage-blob`), authenticated by an
 * account key or a SAS token. The port's calls map onto Azure's block blob API one to one:
 *
 *   stageBlock     Put Block, with the block's MD5 as Content-MD5: the service refuses bytes damaged
 *                  on the way (`ContentMismatch`), so every committed block is what was sent
 *   stagedBlocks   Get Block List (uncommitted), in the order the service returns: staging order
 *   commitBlocks   Put Block List, with the whole content's MD5 and the metadata. Azure stores that
 *                  MD5 without checking it (see `BlobStore.commitBlocks`)
 *   list           List Blobs (committed only, with metadata), sorted by name
 *   properties     List Blobs with the name as prefix: the one listing entry gives size, MD5 and
 *                  metadata from one consistent answer, with metadata names in their case (a HEAD's
 *                  headers would give them in lower case)
 *   openRead       Get Blob Properties, then ranged Get Blob calls (azure-blob-source.ts)
 *   delete         Delete Blob, which takes the blob's uncommitted blocks with it (checked after)
 *
 * Block ids are padded to one length as Azure requires (azure-names.ts). Failures become
 * `BlobStoreError`s naming the account and container and never holding a secret (azure-errors.ts).
 */
import { createHash } from 'node:crypto';

import type { BlockBlobClient, BlobItem } from '@azure/storage-blob';

import type { ByteSource } from '../backup/index.js';
import type { BlobProperties, BlobStore, CommitOptions, StagedBlock } from './blob-store.js';
import { validateBlobPrefix, validateBlockId, validateCommitOptions } from './blob-rules.js';
import { AzureBlobSource } from './azure-blob-source.js';
import { azureFailure, failureOf } from './azure-errors.js';
import { checkAzureName, fromAzureBlockId, toAzureBlockId } from './azure-names.js';
import {
  compileAzureOptions,
  type AzureBlobStoreOptions,
  type CompiledAzureOptions,
} from './azure-options.js';
import { BlobStoreError } from './errors.js';

const unchanged = 'Nothing stored was changed.';

export class AzureBlobStore implements BlobStore {
  readonly description: string;
  readonly #options: CompiledAzureOptions;

  constructor(options: AzureBlobStoreOptions) {
    this.#options = compileAzureOptions(options);
    const { accountName, containerName, accountUrl } = this.#options;
    this.description = `Azure Blob container "${containerName}" of storage account "${accountName}" (${accountUrl})`;
  }

  async list(prefix: string): Promise<BlobProperties[]> {
    validateBlobPrefix(prefix);
    return this.#guard(null, `Listing the blobs starting with "${prefix}"`, unchanged, async () => {
      const found: BlobProperties[] = [];
      const pages = this.#options.container.listBlobsFlat({
        ...(prefix !== '' && { prefix }),
        includeMetadata: true,
      });
      for await (const item of pages) found.push(propertiesOf(item));
      return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async properties(name: string): Promise<BlobProperties | null> {
    checkAzureName(name);
    return this.#guard(name, `Reading the properties of blob "${name}"`, unchanged, async () => {
      const pages = this.#options.container
        .listBlobsFlat({ prefix: name, includeMetadata: true })
        .byPage({ maxPageSize: 1 });
      // A name sorts before every longer name it starts, so if the blob exists it comes first.
      const first = await pages.next();
      const item = first.done === true ? undefined : first.value.segment.blobItems[0];
      return item?.name === name ? propertiesOf(item) : null;
    });
  }

  async openRead(name: string): Promise<ByteSource> {
    checkAzureName(name);
    const client = this.#blob(name);
    const found = await this.#guard(name, `Opening blob "${name}"`, unchanged, () =>
      client.getProperties().catch((error: unknown) => {
        if (isAbsent(error, 'BlobNotFound')) return null;
        throw error;
      }),
    );
    if (found === null) {
      throw new BlobStoreError(
        'BlobNotFound',
        `Blob "${name}" does not exist in ${this.description}: it was never committed, or it was ` +
          'deleted. List the blobs to see which there are.',
        { blobName: name },
      );
    }
    return new AzureBlobSource({
      blobName: name,
      size: found.contentLength ?? 0,
      etag: found.etag ?? '*',
      client,
      fail: (error, action, kept) => this.#failure(error, name, action, kept),
    });
  }

  async stageBlock(
    name: string,
    blockId: string,
    data: Uint8Array,
    options: { readonly contentMd5?: string } = {},
  ): Promise<void> {
    checkAzureName(name);
    validateBlockId(name, blockId);
    const action = `Staging block "${blockId}" of blob "${name}"`;
    const kept = 'The blocks staged before are kept, and the upload resumes from them.';
    // The service checks the bytes against it: a digest given by the caller is checked all the same.
    const md5 =
      options.contentMd5 !== undefined
        ? Buffer.from(options.contentMd5, 'base64')
        : createHash('md5').update(data).digest();
    await this.#guard(name, action, kept, async () => {
      try {
        await this.#blob(name).stageBlock(toAzureBlockId(blockId), data, data.byteLength, {
          transactionalContentMD5: md5,
        });
      } catch (error) {
        if (failureOf(error).code !== 'InvalidBlobOrBlock') throw error;
        throw new BlobStoreError(
          'StorageFailed',
          `${action} failed: ${this.description} refused the block (InvalidBlobOrBlock). The ` +
            'blob has uncommitted blocks staged by another tool, with ids of another length. ' +
            'Delete the blob (which discards them), then upload it again.',
          { blobName: name, cause: this.#failure(error, name, action, kept).cause },
        );
      }
    });
  }

  async stagedBlocks(name: string): Promise<StagedBlock[]> {
    checkAzureName(name);
    const action = `Reading the staged blocks of blob "${name}"`;
    return this.#guard(name, action, unchanged, () => this.#staged(name));
  }

  async commitBlocks(
    name: string,
    blockIds: readonly string[],
    options: CommitOptions = {},
  ): Promise<BlobProperties> {
    checkAzureName(name);
    for (const blockId of blockIds) validateBlockId(name, blockId);
    validateCommitOptions(name, options);
    const kept = 'The blob is unchanged and its staged blocks are kept.';
    return this.#guard(name, `Committing blob "${name}"`, kept, async () => {
      const sizes = new Map((await this.#staged(name)).map((b) => [b.id, b.size]));
      const missing = [...new Set(blockIds.filter((id) => !sizes.has(id)))];
      if (missing.length > 0) throw this.#blocksNotFound(name, missing);
      const committed = await this.#blob(name)
        .commitBlockList(blockIds.map(toAzureBlockId), {
          metadata: { ...options.metadata },
          blobHTTPHeaders: {
            ...(options.contentMd5 !== undefined && {
              blobContentMD5: Buffer.from(options.contentMd5, 'base64'),
            }),
          },
        })
        .catch((error: unknown) => {
          // A block discarded between the check above and the commit (another commit or delete).
          throw failureOf(error).code === 'InvalidBlockList'
            ? this.#blocksNotFound(name, blockIds)
            : error;
        });
      return {
        name,
        size: blockIds.reduce((total, id) => total + (sizes.get(id) ?? 0), 0),
        lastModified: committed.lastModified ?? new Date(),
        contentMd5: options.contentMd5 ?? null,
        metadata: { ...options.metadata },
      };
    });
  }

  async delete(name: string): Promise<void> {
    checkAzureName(name);
    const blob = this.#blob(name);
    await this.#guard(name, `Deleting blob "${name}"`, unchanged, async () => {
      await blob.deleteIfExists({ deleteSnapshots: 'include' });
      // Delete Blob takes the staged blocks too, also of a blob never committed (Azure and
      // Azurite do). Should any be left, committing an empty blob, only if there is still none,
      // discards them, and the empty blob is deleted in turn.
      if ((await this.#staged(name)).length === 0) return;
      const empty = await blob
        .commitBlockList([], { conditions: { ifNoneMatch: '*' } })
        .catch((error: unknown) => {
          if ([409, 412].includes(failureOf(error).status ?? 0)) return null; // committed meanwhile
          throw error;
        });
      if (empty?.etag !== undefined)
        await blob.deleteIfExists({ conditions: { ifMatch: empty.etag } });
    });
  }

  async #staged(name: string): Promise<StagedBlock[]> {
    const list = await this.#blob(name)
      .getBlockList('uncommitted')
      .catch((error: unknown) => {
        if (isAbsent(error, 'BlobNotFound')) return { uncommittedBlocks: [] };
        throw error;
      });
    // Staging an id again replaces its block: keep one entry per id, at its latest position.
    const latest = new Map<string, number>();
    for (const block of list.uncommittedBlocks ?? []) {
      const id = fromAzureBlockId(block.name);
      if (id === null) continue; // staged by another tool: not a block of this store's uploads
      latest.delete(id);
      latest.set(id, block.size);
    }
    return [...latest].map(([id, size]) => ({ id, size }));
  }

  #blob(name: string): BlockBlobClient {
    return this.#options.container.getBlockBlobClient(name);
  }

  async #guard<T>(blobName: string | null, action: string, kept: string, run: () => Promise<T>) {
    try {
      return await run();
    } catch (error) {
      throw this.#failure(error, blobName, action, kept);
    }
  }

  #failure(error: unknown, blobName: string | null, action: string, kept: string): BlobStoreError {
    return azureFailure(error, { ...this.#options, blobName, action, kept });
  }

  #blocksNotFound(name: string, missing: readonly string[]): BlobStoreError {
    const shown = missing
      .slice(0, 5)
      .map((id) => `"${id}"`)
      .join(', ');
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    const which = missing.length === 1 ? `block ${shown} is` : `blocks ${shown}${more} are`;
    return new BlobStoreError(
      'BlockNotFound',
      `Cannot commit blob "${name}": ${which} not staged in ${this.description}. A block is ` +
        'missing when it was never staged, when a commit or delete of the blob discarded it, or ' +
        'after 7 days uncommitted (Azure then deletes it). Stage the missing blocks, then commit ' +
        'again; the blob is unchanged.',
      { blobName: name },
    );
  }
}

function propertiesOf(item: BlobItem): BlobProperties {
  const md5 = item.properties.contentMD5;
  return {
    name: item.name,
    size: item.properties.contentLength ?? 0,
    lastModified: item.properties.lastModified,
    contentMd5: md5 && md5.length > 0 ? Buffer.from(md5).toString('base64') : null,
    metadata: { ...item.metadata },
  };
}

function isAbsent(error: unknown, code: string): boolean {
  const failure = failureOf(error);
  return failure.status === 404 && failure.code === code;
}
