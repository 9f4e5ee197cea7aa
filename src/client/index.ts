/** The typed client of the migration service's API: the public face of `client/`. */
export { ServiceClient, ServiceRequestError } from './service-client.js';
export type {
  BackupFileInfo,
  BackupSetInfo,
  ConnectionTest,
  MigrationResource,
  MigrationStatusDetails,
  NodeMonitoringData,
  ServiceResource,
  StartMigration,
  TargetCheckResult,
} from './service-client.js';
export { RuntimeClient } from './runtime-client.js';
export type {
  JobOutcomeMessage,
  LeasedJobMessage,
  NodeMonitoring,
  NodeRegistration,
} from './runtime-client.js';
