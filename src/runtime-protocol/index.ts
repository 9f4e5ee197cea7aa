/** The contract between the migration service and its integration runtime nodes (jobs.ts). */
export {
  checkHeadersInput,
  checkHeadersResult,
  checkListInput,
  checkListResult,
  checkProgress,
  checkUploadInput,
  checkUploadResult,
  ProtocolError,
} from './jobs.js';
export type {
  BackupLocation,
  HeadersInput,
  HeadersResult,
  ListInput,
  ListResult,
  UploadInput,
  UploadProgressReport,
  UploadResult,
  UploadStorage,
} from './jobs.js';
