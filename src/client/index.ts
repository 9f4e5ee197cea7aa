/** The typed client of the migration service's API: the public face of `client/`. */
export { ServiceClient, ServiceRequestError } from './service-client.js';
export type {
  BackupFileInfo,
  BackupSetInfo,
  MigrationResource,
  MigrationStatusDetails,
  ServiceResource,
  StartMigration,
} from './service-client.js';
