/**
 * The migration service's API contract: the zod schemas its routes validate with (and its OpenAPI
 * document is made from), each with a TypeScript type of the same name. The service imports the
 * schemas; the web app imports only the types (so no zod reaches the browser bundle).
 */
export {
  AuthKeys,
  BackupFileInfo,
  BackupSetInfo,
  CheckTargetRequest,
  CheckTargetResponse,
  CreateMigrationBody,
  DeleteNode,
  ErrorBody,
  EventList,
  MigrationList,
  MigrationListQuery,
  MigrationParams,
  MigrationResource,
  MigrationState,
  MigrationStatusDetails,
  MonitoringData,
  NodeMonitoring,
  OperationBody,
  RegenerateAuthKeys,
  RuntimeState,
  ServiceList,
  ServiceParams,
  ServiceResource,
  SourceSqlConnection,
  TestConnectionRequest,
  TestConnectionResponse,
} from './schemas.js';
