/**
 * Azure's refusals as `RestoreTargetError`s. Resource Manager answers errors as
 * `{"error": {"code", "message"}}` (common-types `ErrorResponse`, which the Microsoft.Sql specs
 * reference for every `default` response). Log Replay Service's own names (its
 * `ManagedDatabaseRestoreDetails_Get` and `ManagedDatabases_CreateOrUpdate` error lists,
 * api-version 2023-08-01) keep their code where the port has it. Every message is redacted: a SAS
 * signature, a bearer token or a JWT never reaches it.
 */
import { RestoreTargetError, type RestoreTargetErrorCode } from '../target-error.js';

export const prefix = 'Managed Instance target:';

/** Resource Manager's error body, when it sent one. */
export interface ArmErrorBody {
  readonly code: string;
  readonly message: string;
}

/** Log Replay Service / Resource Manager codes that the port names (the same name, or its match). */
const portCodes: Readonly<Record<string, RestoreTargetErrorCode>> = {
  ExternalBackupAlreadySignaledToComplete: 'ExternalBackupAlreadySignaledToComplete',
  LRSCutoverAlreadyInitiated: 'ExternalBackupAlreadySignaledToComplete',
  ExternalBackupRestoreHasNotBeenStarted: 'ExternalBackupRestoreHasNotBeenStarted',
  RequiredBackupIsNotLastRestored: 'RequiredBackupIsNotLastRestored',
  ManagedDatabaseNotInRestoringState: 'ManagedDatabaseNotInRestoringState',
  LRSCutoverDatabaseNotInRestoringState: 'ManagedDatabaseNotInRestoringState',
  LRSCutoverDatabaseAlreadyRestored: 'ManagedDatabaseNotInRestoringState',
  LRSCutoverDatabaseDoesNotExist: 'RestoreDetailsNotAvailableOrExpired',
  RestoreDetailsNotAvailableOrExpired: 'RestoreDetailsNotAvailableOrExpired',
  ManagedDatabaseNameInUse: 'DatabaseExists',
  BlobStorageFailure: 'BlobStorageFailure',
  BlobStorageServerFailure: 'BlobStorageFailure',
  XtpInitializedDuringRestore: 'InMemoryOltpNotSupported',
  InvalidAuthenticationToken: 'AuthenticationFailed',
  ExpiredAuthenticationToken: 'AuthenticationFailed',
  AuthorizationFailed: 'AuthorizationFailed',
  LinkedAuthorizationFailed: 'AuthorizationFailed',
};

/** What was being done, for the message: "starting the restore of Sales", … */
export interface RequestContext {
  readonly doing: string;
  /** The Azure action the request needs, for a 403 (e.g. `Microsoft.Sql/managedInstances/databases/write`). */
  readonly action: string;
  readonly identity: string;
  readonly instance: string;
}

export function armError(
  status: number,
  body: ArmErrorBody | null,
  context: RequestContext,
): RestoreTargetError {
  const said = body ? ` Azure said: ${body.code}: ${redact(body.message)}` : '';
  if (status === 401) {
    return new RestoreTargetError(
      'AuthenticationFailed',
      `${prefix} Azure Resource Manager refused the token of ${context.identity} while ${context.doing} (401).${said} Check that this identity exists in the instance's tenant and its secret or certificate has not expired (az login, or AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET).`,
    );
  }
  if (status === 403) {
    return new RestoreTargetError(
      'AuthorizationFailed',
      `${prefix} ${context.identity} may not perform ${context.action} on managed instance ${context.instance} (403) while ${context.doing}.${said} Give it the "SQL Managed Instance Contributor" role (or a custom role with Microsoft.Sql/managedInstances/read and Microsoft.Sql/managedInstances/databases/*) on the instance or its resource group.`,
    );
  }
  const code = (body && portCodes[body.code]) ?? 'AzureRequestFailed';
  return new RestoreTargetError(
    code,
    `${prefix} Azure refused ${context.doing} on managed instance ${context.instance} (HTTP ${status}).${said || ' It sent no error body.'}`,
  );
}

/** A credential that could not produce a token (wrong secret, no login, unreachable tenant). */
export function credentialError(
  error: unknown,
  identity: string,
  doing: string,
): RestoreTargetError {
  const name = error instanceof Error ? error.name : 'Error';
  const text = error instanceof Error ? error.message : String(error);
  return new RestoreTargetError(
    'AuthenticationFailed',
    `${prefix} could not get a token for Azure Resource Manager from ${identity} while ${doing} (${name}: ${redact(firstLine(text))}). Sign in (az login), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal, and check its secret has not expired.`,
    { cause: new Error(`${name}: ${redact(text)}`) },
  );
}

/** Removes SAS signatures, bearer tokens, JWTs and key-looking strings from text shown to users. */
export function redact(text: string): string {
  return text
    .replace(/([?&]sig=)[^&\s"']+/gi, '$1<redacted>')
    .replace(/(Bearer\s+)[\w\-.~+/]+=*/gi, '$1<redacted>')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<redacted token>')
    .replace(/(AccountKey=|client_secret=)[^;&\s"']+/gi, '$1<redacted>')
    .replace(/[A-Za-z0-9+/]{40,}={1,2}/g, '<redacted>');
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
