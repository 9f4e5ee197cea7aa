/**
 * The service's side of its integration runtime nodes: the work queue with leases, the engine's
 * backup source whose work nodes do, and the credentials nodes get when they register.
 */
export { WorkQueue } from './work-queue.js';
export type { JobKind, JobSpec, LeasedJob, RenewOutcome, WorkQueueOptions } from './work-queue.js';
export { RemoteBackupSource } from './remote-backup-source.js';
export type { RemoteBackupSourceOptions } from './remote-backup-source.js';
export { RuntimeJobError } from './runtime-job-error.js';
export { credentialMatches, issueNodeCredential, parseNodeCredential } from './node-credentials.js';
export type { NodeCredential } from './node-credentials.js';
