/** The integration runtime: reads backup folders and uploads them. The public face of `runtime/`. */
export { LocalFolderSource } from './local-folder-source.js';
export type {
  FileInfo,
  LocalFolderSourceOptions,
  UploadOptions,
  UploadProgress,
} from './local-folder-source.js';
export { UploadThreads } from './upload-threads.js';
