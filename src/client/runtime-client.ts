/**
 * The integration runtime node's client of the service's `/ir/v1` calls: register with an auth key,
 * then heartbeat, lease jobs, report progress and results with the node's own credential. Failures
 * are `ServiceRequestError`s with the service's code (`InvalidAuthKey`, `NodeNotRegistered`,
 * `LeaseLost`, …), or `ServiceUnreachable` when the service does not answer. Credentials are only ever
 * sent in the `Authorization` header, never put in a message.
 */
import { ServiceRequestError } from './service-client.js';

export interface NodeMonitoring {
  readonly availableMemoryInMB: number | null;
  readonly cpuUtilization: number | null;
  readonly concurrentJobsLimit: number | null;
  readonly concurrentJobsRunning: number | null;
  readonly maxConcurrentJobs: number | null;
  readonly sentBytes: number | null;
  readonly receivedBytes: number | null;
}

export interface NodeRegistration {
  readonly serviceName: string;
  readonly nodeName: string;
  readonly credential: string;
  readonly heartbeatIntervalMs: number;
  readonly leaseMs: number;
}

export interface LeasedJobMessage {
  readonly leaseId: string;
  readonly kind: 'list' | 'headers' | 'upload' | 'testConnection';
  readonly description: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly leaseMs: number;
  readonly attempt: number;
}

export type JobOutcomeMessage =
  | { readonly result: Readonly<Record<string, unknown>> }
  | { readonly error: { readonly code: string; readonly message: string } };

export class RuntimeClient {
  readonly #url: string;

  /**
   * `allowPlainHttp`: send keys, credentials and share passwords over plain HTTP to a host that is not
   * this machine. Refused by default: put the service behind HTTPS (a reverse proxy) instead.
   */
  constructor(serviceUrl: string, options: { allowPlainHttp?: boolean } = {}) {
    let url: URL;
    try {
      url = new URL(serviceUrl);
    } catch {
      throw new Error(`--service ${serviceUrl} is not a URL (expected https://host:port).`);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      if (url.protocol !== 'http:' || !options.allowPlainHttp)
        throw new Error(
          `The service at ${url.origin} is not reached over HTTPS: the auth key, the node's credential and share passwords would cross the network in clear text. Put the service behind HTTPS (a reverse proxy), or run the node on the service's machine.`,
        );
    }
    this.#url = serviceUrl.replace(/\/+$/, '');
  }

  register(
    authKey: string,
    nodeName: string,
    monitoring: NodeMonitoring,
  ): Promise<NodeRegistration> {
    return this.#call(authKey, '/ir/v1/register', { nodeName, monitoring });
  }

  async heartbeat(credential: string, monitoring: NodeMonitoring): Promise<void> {
    await this.#call(credential, '/ir/v1/heartbeat', { monitoring });
  }

  async lease(
    credential: string,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<LeasedJobMessage | null> {
    const { job } = await this.#call<{ job: LeasedJobMessage | null }>(
      credential,
      '/ir/v1/lease',
      { waitMs },
      signal,
    );
    return job;
  }

  async progress(
    credential: string,
    leaseId: string,
    progress?: Readonly<Record<string, unknown>>,
  ): Promise<'ok' | 'canceled'> {
    const { outcome } = await this.#call<{ outcome: 'ok' | 'canceled' }>(
      credential,
      `/ir/v1/leases/${encodeURIComponent(leaseId)}/progress`,
      progress ? { progress } : {},
    );
    return outcome;
  }

  async complete(credential: string, leaseId: string, outcome: JobOutcomeMessage): Promise<void> {
    await this.#call(credential, `/ir/v1/leases/${encodeURIComponent(leaseId)}/complete`, outcome);
  }

  async #call<T>(secret: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new ServiceRequestError(
        0,
        'ServiceUnreachable',
        `The migration service at ${this.#url} does not answer (${error instanceof Error ? error.message : String(error)}). Check --service, and that the service runs and this machine reaches it.`,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : {};
    } catch {
      throw new ServiceRequestError(
        response.status,
        `Http${response.status}`,
        `${this.#url}${path} answered HTTP ${response.status} with something other than JSON: is --service the sqlmig service's address?`,
      );
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } }).error;
      throw new ServiceRequestError(
        response.status,
        error?.code ?? `Http${response.status}`,
        error?.message ?? `${path} failed with HTTP ${response.status}.`,
      );
    }
    return parsed as T;
  }
}
