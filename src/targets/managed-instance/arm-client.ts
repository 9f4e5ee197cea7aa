/**
 * Calls to Azure Resource Manager through `@azure/core-rest-pipeline` (decision 0004): a pipeline with
 * the SDKs' retry, throttling and logging policies and bearer-token authentication, one request at a
 * time, JSON in and out. Long-running operations follow Resource Manager's asynchronous pattern
 * (learn.microsoft.com/azure/azure-resource-manager/management/async-operations): a 201 or 202 with
 * `Azure-AsyncOperation` is polled there until its `status` is `Succeeded`, `Failed` or `Canceled`;
 * with only `Location`, that URL is polled until it stops answering 202; `Retry-After` (seconds)
 * sets the wait when sent. Polling URLs must be on the Resource Manager endpoint's origin, so that the
 * token is never sent elsewhere.
 */
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  createDefaultHttpClient,
  isRestError,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';

import { RestoreTargetError } from '../target-error.js';

import {
  armError,
  credentialError,
  prefix,
  redact,
  type ArmErrorBody,
  type RequestContext,
} from './arm-errors.js';
import type { CompiledManagedInstanceOptions } from './managed-instance-options.js';

export interface ArmResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface ArmRequest {
  readonly method: HttpMethods;
  /** A path under the endpoint (`/subscriptions/…`), without the query. */
  readonly path: string;
  readonly apiVersion: string;
  readonly body?: unknown;
  /** Statuses that are answers, not errors (e.g. 404 for "is there a database of that name"). */
  readonly accept?: readonly number[];
  readonly context: Omit<RequestContext, 'identity' | 'instance'>;
}

export class ArmClient {
  readonly #options: CompiledManagedInstanceOptions;
  readonly #pipeline: Pipeline;
  readonly #http: HttpClient = createDefaultHttpClient();

  constructor(options: CompiledManagedInstanceOptions) {
    this.#options = options;
    this.#pipeline = createPipelineFromOptions({
      ...(options.agent ? { agent: options.agent } : {}),
      retryOptions: { maxRetries: 3 },
      userAgentOptions: { userAgentPrefix: 'sqlmig' },
    });
    this.#pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({
        credential: options.credential,
        scopes: options.armScope,
      }),
    );
  }

  /** Sends one request; a long-running one is awaited to its end. */
  async send(request: ArmRequest): Promise<ArmResponse> {
    const context: RequestContext = {
      ...request.context,
      identity: this.#options.credentialDescription,
      instance: this.#options.managedInstanceName,
    };
    const url = `${this.#options.armEndpoint}${request.path}?api-version=${request.apiVersion}`;
    const response = await this.#call(request.method, url, request.body, context);
    const accepted = request.accept ?? [];
    if (accepted.includes(response.status))
      return { status: response.status, body: json(response) };
    if (response.status >= 400) throw armError(response.status, errorBody(response), context);
    const operation = header(response, 'azure-asyncoperation');
    const location = header(response, 'location');
    if (response.status === 202 || (response.status === 201 && operation !== undefined)) {
      return this.#poll(url, request.method, response, context);
    }
    if (location !== undefined && response.status === 202)
      return this.#poll(url, request.method, response, context);
    return { status: response.status, body: json(response) };
  }

  async #poll(
    resourceUrl: string,
    method: HttpMethods,
    first: PipelineResponse,
    context: RequestContext,
  ): Promise<ArmResponse> {
    const operation = header(first, 'azure-asyncoperation');
    const location = header(first, 'location');
    const deadline = Date.now() + this.#options.operationTimeoutMs;
    let last = first;
    for (;;) {
      if (Date.now() > deadline) {
        throw new RestoreTargetError(
          'AzureOperationFailed',
          `${prefix} ${context.doing} on managed instance ${context.instance} did not finish within ${Math.round(this.#options.operationTimeoutMs / 1000)} s; Azure may still be working on it. Look at the instance's operations in the Azure portal, then try again.`,
        );
      }
      await sleep(retryAfterMs(last) ?? this.#options.pollIntervalMs);
      if (operation !== undefined) {
        last = await this.#call('GET', this.#onEndpoint(operation, context), undefined, context);
        if (last.status >= 400) throw armError(last.status, errorBody(last), context);
        const status = (json(last) as { status?: unknown } | null)?.status;
        if (status === 'Succeeded') {
          // PUT: the resource as it is now; other methods: the final Location, if any (ARM's rules).
          if (method === 'PUT') return this.#final(resourceUrl, context);
          if (location !== undefined)
            return this.#final(this.#onEndpoint(location, context), context);
          return { status: 200, body: null };
        }
        if (status === 'Failed' || status === 'Canceled') {
          const error = (json(last) as { error?: ArmErrorBody } | null)?.error ?? null;
          const refused = armError(400, error, context);
          throw new RestoreTargetError(
            refused.code === 'AzureRequestFailed' ? 'AzureOperationFailed' : refused.code,
            `${prefix} ${context.doing} on managed instance ${context.instance} ended ${status}.${error ? ` Azure said: ${error.code}: ${redact(error.message)}` : ''}`,
          );
        }
      } else if (location !== undefined) {
        last = await this.#call('GET', this.#onEndpoint(location, context), undefined, context);
        if (last.status >= 400) throw armError(last.status, errorBody(last), context);
        if (last.status !== 202) return { status: last.status, body: json(last) };
      } else {
        return { status: first.status, body: json(first) };
      }
    }
  }

  async #final(url: string, context: RequestContext): Promise<ArmResponse> {
    const response = await this.#call('GET', url, undefined, context);
    if (response.status >= 400) throw armError(response.status, errorBody(response), context);
    return { status: response.status, body: json(response) };
  }

  async #call(
    method: HttpMethods,
    url: string,
    body: unknown,
    context: RequestContext,
  ): Promise<PipelineResponse> {
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({ accept: 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (body !== undefined) request.headers.set('content-type', 'application/json');
    try {
      return await this.#pipeline.sendRequest(this.#http, request);
    } catch (error) {
      if (isRestError(error)) {
        if (error.response && error.response.status >= 400)
          throw armError(error.response.status, null, context);
        throw new RestoreTargetError(
          'AzureRequestFailed',
          `${prefix} could not reach Azure Resource Manager at ${this.#options.armEndpoint} while ${context.doing} (${error.code ?? 'network error'}: ${redact(error.message)}). Check the network, proxy and firewall between sqlmig and Azure.`,
        );
      }
      throw credentialError(error, context.identity, context.doing);
    }
  }

  /** A polling URL from Azure, kept only if it is on the endpoint's origin (the token goes there). */
  #onEndpoint(url: string, context: RequestContext): string {
    const absolute = new URL(url, this.#options.armEndpoint);
    if (absolute.origin !== new URL(this.#options.armEndpoint).origin) {
      throw new RestoreTargetError(
        'AzureOperationFailed',
        `${prefix} Azure asked to poll ${context.doing} at ${absolute.origin}, not at ${this.#options.armEndpoint}; sqlmig does not send its token elsewhere.`,
      );
    }
    return absolute.href;
  }
}

function header(response: PipelineResponse, name: string): string | undefined {
  return response.headers.get(name) ?? undefined;
}

function json(response: PipelineResponse): unknown {
  const text = response.bodyAsText;
  if (text === undefined || text === null || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function errorBody(response: PipelineResponse): ArmErrorBody | null {
  const error = (json(response) as { error?: Partial<ArmErrorBody> } | null)?.error;
  if (!error || typeof error.code !== 'string') return null;
  return { code: error.code, message: typeof error.message === 'string' ? error.message : '' };
}

function retryAfterMs(response: PipelineResponse): number | undefined {
  const value = header(response, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
