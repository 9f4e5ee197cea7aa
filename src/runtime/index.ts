/** The integration runtime: reads backup folders and uploads them. The public face of `runtime/`. */
export { LocalFolderSource } from './local-folder-source.js';
export type {
  FileInfo,
  LocalFolderSourceOptions,
  UploadOptions,
  UploadProgress,
} from './local-folder-source.js';
export { UploadThreads } from './upload-threads.js';
export { RuntimeNode } from './runtime-node.js';
export { testConnection } from './connection-test.js';
export type { NodeBackupSource, RuntimeNodeOptions } from './runtime-node.js';
export { SmbShareSource } from './smb-share-source.js';
export type { SmbShareSourceOptions } from './smb-share-source.js';
export { SmbShareError, isSmbShareError } from './smb/errors.js';
export type { SmbShareErrorCode } from './smb/errors.js';
