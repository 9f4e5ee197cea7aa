/** The contract between the migration service and its integration runtime nodes (jobs.ts). */
export {
  checkHeadersInput,
  checkHeadersResult,
  checkListInput,
  checkListResult,
  checkProgress,
  checkTestConnectionInput,
  checkTestConnectionResult,
  checkUploadInput,
  checkUploadResult,
  ProtocolError,
} from './jobs.js';
export type {
  BackupLocation,
  ConnectionCheck,
  TestConnectionInput,
  TestConnectionResult,
  HeadersInput,
  HeadersResult,
  ListInput,
  ListResult,
  UploadInput,
  UploadProgressReport,
  UploadResult,
  UploadStorage,
} from './jobs.js';
