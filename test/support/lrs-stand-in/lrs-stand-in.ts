/**
 * A stand-in for Azure SQL Managed Instance's Log Replay Service, for tests: an HTTPS server on
 * 127.0.0.1 answering exactly the Resource Manager calls the Managed Instance target sends
 * (api-version 2023-08-01, shapes from azure-rest-api-specs Microsoft.Sql stable/2023-08-01 and their
 * examples) and an OAuth2 token endpoint, backed by the rehearsal target (Log Replay Service's rules
 * over the blobs; nothing is restored).
 *
 * - `POST /{tenant}/oauth2/v2.0/token` (client credentials): a random opaque token for the one
 *   client and secret configured; `invalid_client` (401, AADSTS7000215) otherwise.
 * - Every Resource Manager call needs `Authorization: Bearer <a token it issued>` (401
 *   `InvalidAuthenticationToken` otherwise); actions listed in `denied` answer 403
 *   `AuthorizationFailed` in Resource Manager's words.
 * - `GET …/managedInstances/{mi}`: `ManagedInstances_Get` (`location`, `sku`, `properties.state`).
 * - `GET|PUT|DELETE …/databases/{db}`: `ManagedDatabases_Get` / `_CreateOrUpdate` (createMode
 *   `RestoreExternalBackup` only) / `_Delete`; PUT and DELETE answer 202 with `Azure-AsyncOperation`
 *   and `Location`, the operation `InProgress` for `pollsBeforeDone` polls, then `Succeeded`.
 * - `GET …/databases/{db}/restoreDetails/Default`: the rehearsal's details in Log Replay Service's
 *   names (within the folder), in the `objects` shape (later spec) or the `strings` one (first).
 * - `POST …/databases/{db}/completeRestore`: `{lastBackupName}`, 202 + operation; refusals as 400
 *   `{error: {code, message}}` with Log Replay Service's codes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

import {
  createRehearsalTarget,
  isRestoreTargetError,
  type RehearsalOptions,
  type RehearsalTarget,
  type RestoreDetails,
} from '../../../src/targets/index.js';

import { loopbackCertificate } from './certificate.js';
import type { RestoreDetailsShape } from './schema-check.js';

export interface LrsStandInOptions {
  readonly rehearsal: RehearsalOptions;
  /** The container the instance reads (`storageContainerUri` must be `<containerUrl>/<folder>`). */
  readonly containerUrl: string;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

export interface ReceivedStart {
  readonly databaseName: string;
  readonly body: {
    location?: string;
    properties?: Record<string, unknown>;
  };
}

const apiVersion = '2023-08-01';

export class LrsStandIn {
  readonly rehearsal: RehearsalTarget;
  readonly certPem: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly subscriptionId = '00000000-1111-2222-3333-444444444444';
  readonly resourceGroupName = 'sqlmig-tests';
  readonly managedInstanceName = 'mi-stand-in';
  /** What `ManagedInstances_Get` reports; tests change it. */
  instance = {
    state: 'Ready',
    tier: 'BusinessCritical',
    skuName: 'BC_Gen5',
    location: 'westeurope',
  };
  /** Databases on the instance that no restore made (the never-overwrite check). */
  readonly otherDatabases = new Set<string>();
  /** Resource Manager actions refused with 403 (e.g. `Microsoft.Sql/managedInstances/databases/write`). */
  readonly denied = new Set<string>();
  /** The shape of `restoreDetails` answered. */
  shape: RestoreDetailsShape = 'objects';
  /** Polls of an operation answered `InProgress` before `Succeeded`. */
  pollsBeforeDone = 1;
  /** Every start request received, in order (tests read the SAS and the mode from it). */
  readonly starts: ReceivedStart[] = [];
  /** The last `restoreDetails` body answered (tests check it against the published schema). */
  lastDetailsBody: unknown = null;
  /** Every request received: method and path. */
  readonly requests: string[] = [];

  readonly #options: LrsStandInOptions;
  readonly #server: Server;
  readonly #tokens = new Set<string>();
  readonly #operations = new Map<string, { polls: number }>();
  readonly #folders = new Map<string, string>();
  #origin = '';

  private constructor(options: LrsStandInOptions) {
    this.#options = options;
    this.tenantId = options.tenantId ?? '72f988bf-0000-4000-8000-000000000001';
    this.clientId = options.clientId ?? '11111111-2222-4333-8444-555555555555';
    this.clientSecret = options.clientSecret ?? `stand-in-secret-${randomBytes(8).toString('hex')}`;
    this.rehearsal = createRehearsalTarget(options.rehearsal);
    const certificate = loopbackCertificate();
    this.certPem = certificate.certPem;
    this.#server = createServer(
      { cert: certificate.certPem, key: certificate.keyPem },
      (req, res) => {
        void this.#handle(req, res).catch((error: unknown) => {
          send(res, 500, { error: { code: 'InternalServerError', message: String(error) } });
        });
      },
    );
  }

  static async start(options: LrsStandInOptions): Promise<LrsStandIn> {
    const standIn = new LrsStandIn(options);
    await new Promise<void>((resolve) => standIn.#server.listen(0, '127.0.0.1', resolve));
    const address = standIn.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    standIn.#origin = `https://127.0.0.1:${address.port}`;
    return standIn;
  }

  /** `https://127.0.0.1:<port>`: both the Resource Manager endpoint and the authority host. */
  get url(): string {
    return this.#origin;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
    await this.rehearsal.close();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#origin);
    const body = await readBody(req);
    this.requests.push(`${req.method ?? ''} ${url.pathname}`);
    if (req.method === 'POST' && url.pathname === `/${this.tenantId}/oauth2/v2.0/token`) {
      this.#token(new URLSearchParams(body), res);
      return;
    }
    if (
      req.method === 'GET' &&
      url.pathname === `/${this.tenantId}/v2.0/.well-known/openid-configuration`
    ) {
      // The Microsoft identity platform's OpenID Connect metadata document, with the fields MSAL reads.
      const tenant = `${this.#origin}/${this.tenantId}`;
      send(res, 200, {
        token_endpoint: `${tenant}/oauth2/v2.0/token`,
        authorization_endpoint: `${tenant}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${tenant}/oauth2/v2.0/logout`,
        issuer: `${tenant}/v2.0`,
        jwks_uri: `${tenant}/discovery/v2.0/keys`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token'],
        tenant_region_scope: null,
      });
      return;
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.#tokens.has(token)) {
      res.setHeader(
        'WWW-Authenticate',
        'Bearer authorization_uri="https://login.windows.net/", error="invalid_token"',
      );
      send(res, 401, {
        error: {
          code: 'InvalidAuthenticationToken',
          message: 'The access token is invalid.',
        },
      });
      return;
    }
    if (url.searchParams.get('api-version') !== apiVersion) {
      send(res, 400, {
        error: {
          code: 'InvalidApiVersionParameter',
          message: `The api-version '${url.searchParams.get('api-version') ?? ''}' is invalid. The stand-in knows ${apiVersion}.`,
        },
      });
      return;
    }
    const operation = /\/managedDatabaseAzureAsyncOperation\/([^/]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'GET' && operation) {
      this.#poll(operation, res);
      return;
    }
    const result = /\/managedDatabaseOperationResults\/([^/]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'GET' && result) {
      this.#result(result, res);
      return;
    }
    const instancePath = `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroupName}/providers/Microsoft.Sql/managedInstances/${this.managedInstanceName}`;
    if (!url.pathname.toLowerCase().startsWith(instancePath.toLowerCase())) {
      send(res, 404, {
        error: {
          code: 'ResourceNotFound',
          message: `The Resource '${url.pathname}' was not found.`,
        },
      });
      return;
    }
    const rest = url.pathname
      .slice(instancePath.length)
      .split('/')
      .filter((s) => s !== '');
    const route = `${req.method ?? ''} ${rest.length === 0 ? '' : rest[0] === 'databases' ? ['databases', '{db}', ...rest.slice(2)].join('/') : rest.join('/')}`;
    const database = decodeURIComponent(rest[1] ?? '');
    const action = actions[route];
    if (!action) {
      send(res, 404, { error: { code: 'NotFound', message: `The stand-in has no ${route}.` } });
      return;
    }
    if (this.denied.has(action)) {
      send(res, 403, {
        error: {
          code: 'AuthorizationFailed',
          message: `The client '${this.clientId}' with object id '${this.clientId}' does not have authorization to perform action '${action}' over scope '${url.pathname}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        },
      });
      return;
    }
    const instanceId = instancePath;
    switch (route) {
      case 'GET ':
        send(res, 200, {
          id: instanceId,
          name: this.managedInstanceName,
          type: 'Microsoft.Sql/managedInstances',
          location: this.instance.location,
          sku: { name: this.instance.skuName, tier: this.instance.tier },
          properties: { state: this.instance.state },
        });
        return;
      case 'GET databases/{db}':
        await this.#getDatabase(database, `${instanceId}/databases/${database}`, res);
        return;
      case 'PUT databases/{db}':
        await this.#startRestore(database, JSON.parse(body) as ReceivedStart['body'], res);
        return;
      case 'GET databases/{db}/restoreDetails/Default':
        await this.#restoreDetails(database, `${instanceId}/databases/${database}`, res);
        return;
      case 'POST databases/{db}/completeRestore':
        await this.#complete(database, JSON.parse(body) as { lastBackupName?: string }, res);
        return;
      case 'DELETE databases/{db}':
        await this.#delete(database, res);
        return;
    }
  }

  #token(form: URLSearchParams, res: ServerResponse): void {
    if (
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_id') !== this.clientId ||
      form.get('client_secret') !== this.clientSecret
    ) {
      send(res, 401, {
        error: 'invalid_client',
        error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${form.get('client_id') ?? ''}'.`,
      });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    this.#tokens.add(token);
    send(res, 200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: token,
    });
  }

  async #getDatabase(name: string, id: string, res: ServerResponse): Promise<void> {
    const restoring = await this.rehearsal.databaseExists(name);
    if (!restoring && !this.otherDatabases.has(name.toLowerCase())) {
      send(res, 404, {
        error: {
          code: 'ResourceNotFound',
          message: `The requested resource of type 'Microsoft.Sql/managedInstances/databases' with name '${name}' was not found.`,
        },
      });
      return;
    }
    const status = restoring ? await this.#statusOf(name) : 'Online';
    send(res, 200, {
      id,
      name,
      type: 'Microsoft.Sql/managedInstances/databases',
      location: this.instance.location,
      properties: {
        status,
        collation: 'SQL_Latin1_General_CP1_CI_AS',
        creationDate: new Date().toISOString(),
      },
    });
  }

  async #statusOf(name: string): Promise<string> {
    try {
      const details = await this.rehearsal.details(name);
      return details.status === 'Completed' ? 'Online' : 'Restoring';
    } catch {
      return 'Online';
    }
  }

  async #startRestore(
    name: string,
    body: ReceivedStart['body'],
    res: ServerResponse,
  ): Promise<void> {
    this.starts.push({ databaseName: name, body });
    const p = body.properties ?? {};
    const refuse = (code: string, message: string): void => {
      send(res, 400, { error: { code, message } });
    };
    if (typeof body.location !== 'string') {
      refuse('LocationRequired', 'The location property is required for this definition.');
      return;
    }
    if (p.createMode !== 'RestoreExternalBackup') {
      refuse(
        'InvalidDatabaseCreateOrUpdateRequest',
        'The stand-in creates databases with createMode RestoreExternalBackup only.',
      );
      return;
    }
    const uri = typeof p.storageContainerUri === 'string' ? p.storageContainerUri : '';
    if (uri === '') {
      refuse('MissingStorageContainerUri', 'Missing storage container URI');
      return;
    }
    const identity = p.storageContainerIdentity ?? 'SharedAccessSignature';
    if (identity === 'SharedAccessSignature' && typeof p.storageContainerSasToken !== 'string') {
      refuse('MissingStorageContainerSasToken', 'Missing storage container SAS token');
      return;
    }
    if (p.autoCompleteRestore === true && typeof p.lastBackupName !== 'string') {
      refuse(
        'AutoCompleteMissingLastBackupName',
        'Auto complete restore request must have lastBackupName parameter provided.',
      );
      return;
    }
    if (
      this.otherDatabases.has(name.toLowerCase()) ||
      (await this.rehearsal.databaseExists(name))
    ) {
      refuse(
        'ManagedDatabaseNameInUse',
        `Database '${name}' already exists. Choose a different database name.`,
      );
      return;
    }
    const prefix = `${this.#options.containerUrl}/`;
    if (!uri.startsWith(prefix)) {
      refuse(
        'BlobStorageFailure',
        `The stand-in reads ${this.#options.containerUrl} only, not ${uri}.`,
      );
      return;
    }
    const folder = decodeURIComponent(uri.slice(prefix.length));
    try {
      await this.rehearsal.start({
        databaseName: name,
        folder,
        ...(typeof p.collation === 'string' ? { collation: p.collation } : {}),
        ...(p.autoCompleteRestore === true
          ? { lastBackupName: `${folder}/${String(p.lastBackupName)}` }
          : {}),
      });
    } catch (error) {
      if (isRestoreTargetError(error)) {
        refuse(error.code, error.message);
        return;
      }
      throw error;
    }
    this.#folders.set(name.toLowerCase(), folder);
    this.#accepted(res);
  }

  async #restoreDetails(name: string, id: string, res: ServerResponse): Promise<void> {
    let details: RestoreDetails;
    try {
      details = await this.rehearsal.details(name);
    } catch {
      send(res, 400, {
        error: {
          code: 'RestoreDetailsNotAvailableOrExpired',
          message: 'Requested restore details are not available, or have expired.',
        },
      });
      return;
    }
    const folder = this.#folders.get(name.toLowerCase()) ?? name;
    this.lastDetailsBody = {
      id: `${id}/restoreDetails/Default`,
      name: 'Default',
      type: 'Microsoft.Sql/managedInstances/databases/restoreDetails',
      properties: lrsProperties(details, folder, this.shape),
    };
    send(res, 200, this.lastDetailsBody);
  }

  async #complete(
    name: string,
    body: { lastBackupName?: string },
    res: ServerResponse,
  ): Promise<void> {
    const folder = this.#folders.get(name.toLowerCase()) ?? name;
    if (typeof body.lastBackupName !== 'string') {
      send(res, 400, {
        error: { code: 'InvalidParameterValue', message: 'lastBackupName is required.' },
      });
      return;
    }
    try {
      await this.rehearsal.complete(name, `${folder}/${body.lastBackupName}`);
    } catch (error) {
      if (isRestoreTargetError(error)) {
        send(res, 400, { error: { code: error.code, message: error.message } });
        return;
      }
      throw error;
    }
    this.#accepted(res);
  }

  async #delete(name: string, res: ServerResponse): Promise<void> {
    const known =
      this.otherDatabases.delete(name.toLowerCase()) || (await this.rehearsal.databaseExists(name));
    await this.rehearsal.stop(name);
    this.#folders.delete(name.toLowerCase());
    if (!known) {
      res.writeHead(204).end();
      return;
    }
    this.#accepted(res);
  }

  /** 202 with Azure-AsyncOperation and Location: Resource Manager's asynchronous pattern. */
  #accepted(res: ServerResponse): void {
    const id = randomUUID();
    this.#operations.set(id, { polls: 0 });
    const at = `${this.#origin}/subscriptions/${this.subscriptionId}/providers/Microsoft.Sql/locations/${this.instance.location}/managedDatabaseAzureAsyncOperation/${id}?api-version=${apiVersion}`;
    res.setHeader('Azure-AsyncOperation', at);
    res.setHeader(
      'Location',
      at.replace('managedDatabaseAzureAsyncOperation', 'managedDatabaseOperationResults'),
    );
    res.setHeader('Retry-After', '0');
    send(res, 202, null);
  }

  /** The operation's `Location`: 202 while it runs, then 200 (a POST or DELETE has no body). */
  #result(id: string, res: ServerResponse): void {
    const operation = this.#operations.get(id);
    if (!operation) {
      send(res, 404, {
        error: { code: 'OperationIdNotFound', message: 'The operation with Id does not exist.' },
      });
      return;
    }
    operation.polls += 1;
    res.setHeader('Retry-After', '0');
    send(res, operation.polls > this.pollsBeforeDone ? 200 : 202, null);
  }

  #poll(id: string, res: ServerResponse): void {
    const operation = this.#operations.get(id);
    if (!operation) {
      send(res, 404, {
        error: { code: 'OperationIdNotFound', message: 'The operation with Id does not exist.' },
      });
      return;
    }
    operation.polls += 1;
    res.setHeader('Retry-After', '0');
    send(res, 200, {
      name: id,
      status: operation.polls > this.pollsBeforeDone ? 'Succeeded' : 'InProgress',
      startTime: new Date().toISOString(),
    });
  }
}

/** Route → the Resource Manager action it needs (what a 403 names). */
const actions: Readonly<Record<string, string>> = {
  'GET ': 'Microsoft.Sql/managedInstances/read',
  'GET databases/{db}': 'Microsoft.Sql/managedInstances/databases/read',
  'PUT databases/{db}': 'Microsoft.Sql/managedInstances/databases/write',
  'DELETE databases/{db}': 'Microsoft.Sql/managedInstances/databases/delete',
  'GET databases/{db}/restoreDetails/Default':
    'Microsoft.Sql/managedInstances/databases/restoreDetails/read',
  'POST databases/{db}/completeRestore':
    'Microsoft.Sql/managedInstances/databases/completeRestore/action',
};

/** The rehearsal's details as Log Replay Service's `properties`: names within the folder, nulls left out. */
function lrsProperties(
  d: RestoreDetails,
  folder: string,
  shape: RestoreDetailsShape,
): Record<string, unknown> {
  const within = (name: string | null): string | undefined =>
    name === null
      ? undefined
      : name.startsWith(`${folder}/`)
        ? name.slice(folder.length + 1)
        : name;
  const set = (s: RestoreDetails['fullBackupSets'][number]): Record<string, unknown> =>
    compact({
      status: s.status,
      firstStripeName: within(s.firstStripeName),
      numberOfStripes: s.numberOfStripes,
      backupSizeMB: s.backupSizeMB,
      restoreStartedTimestampUtc: s.restoreStartedOn ?? undefined,
      restoreFinishedTimestampUtc: s.restoreFinishedOn ?? undefined,
    });
  const unrestorable = d.unrestorableFiles.map((u) => within(u.name) ?? u.name);
  const lastRestored = [...d.fullBackupSets, ...d.diffBackupSets, ...d.logBackupSets].find(
    (s) => s.firstStripeName === d.lastRestoredFileName,
  );
  const common = {
    status: d.status,
    blockReason: d.blockReason ?? undefined,
    currentRestoringFileName: within(d.currentRestoringFileName),
    lastRestoredFileName: within(d.lastRestoredFileName),
    lastRestoredFileTime: lastRestored?.restoreFinishedOn ?? undefined,
    lastUploadedFileName: within(d.lastUploadedFileName),
    numberOfFilesDetected: d.numberOfFilesDetected,
  };
  if (shape === 'strings')
    return compact({
      ...common,
      percentCompleted: d.percentCompleted,
      unrestorableFiles: unrestorable,
    });
  return compact({
    type: 'LRSRestore',
    ...common,
    percentCompleted: Math.floor(d.percentCompleted),
    numberOfFilesQueued: d.numberOfFilesQueued,
    numberOfFilesSkipped: d.numberOfFilesSkipped,
    numberOfFilesRestoring: d.numberOfFilesRestoring,
    numberOfFilesRestored: d.numberOfFilesRestored,
    numberOfFilesUnrestorable: d.numberOfFilesUnrestorable,
    fullBackupSets: d.fullBackupSets.map(set),
    diffBackupSets: d.diffBackupSets.map(set),
    logBackupSets: d.logBackupSets.map(set),
    unrestorableFiles: unrestorable.map((name) => ({ name })),
  });
}

function compact(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === null) {
    res.writeHead(status).end();
    return;
  }
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(body));
}
