/**
 * Blob stores: where the integration runtime uploads backups and targets restore from. The public
 * face of `storage/`: nothing outside this folder imports its other files.
 */
export type { BlobProperties, BlobStore, CommitOptions, StagedBlock } from './blob-store.js';
export { validateBlobName } from './blob-rules.js';
export { AzureBlobStore } from './azure-blob-store.js';
export { uploadSasFor } from './azure-upload-sas.js';
export type { UploadSas } from './azure-upload-sas.js';
export type {
  AzureBlobCredential,
  AzureBlobStoreOptions,
  AzureRetryOptions,
} from './azure-options.js';
export { BlobStoreError, isBlobStoreError } from './errors.js';
export type { BlobStoreErrorCode } from './errors.js';
export { LocalFolderBlobStore } from './local-folder-store.js';
export type { LocalFolderStoreOptions } from './local-folder-store.js';
export type {
  LocalDirectoryEntry,
  LocalFileHandle,
  LocalFileStats,
  LocalStoreFs,
} from './local-fs.js';
