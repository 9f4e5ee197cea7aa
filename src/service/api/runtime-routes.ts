/**
 * The integration runtime's calls, under `/ir/v1`, outside the user's `/api` (nodes never hold the
 * service token):
 *
 *   POST /ir/v1/register                     with one of a service's two auth keys: the node is
 *                                            registered (or registered again) and gets its credential
 *   POST /ir/v1/heartbeat                    monitoring data; the node is Online while it comes
 *   POST /ir/v1/lease                        a long poll for the next job of the node's service
 *   POST /ir/v1/leases/{leaseId}/progress    renews the lease (and reports an upload's progress)
 *   POST /ir/v1/leases/{leaseId}/complete    the job's result or error
 *
 * Every call after registration carries the node's credential as a bearer token. A node removed by
 * `deleteNode` is refused (`NodeNotRegistered`) and its leases go back to the queue.
 */
import { timingSafeEqual } from 'node:crypto';

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';

import {
  credentialMatches,
  issueNodeCredential,
  parseNodeCredential,
} from '../runtime-hub/index.js';
import type { NodeRecord, ServiceRecord } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';
import {
  Heartbeat,
  HeartbeatAccepted,
  JobOutcome,
  LeaseGranted,
  LeaseParams,
  LeaseRequest,
  Monitoring,
  NodeRegistered,
  OutcomeAccepted,
  ProgressAccepted,
  ProgressReport,
  RegisterNode,
} from './runtime-schemas.js';

const base = '/ir/v1';
const errors = errorResponses('No such lease.');
const body = <T>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export function registerRuntimeRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/register`,
      summary: "Register an integration runtime node with one of its service's auth keys",
      request: body(RegisterNode),
      responses: { 200: json(NodeRegistered, 'Registered; keep the credential.'), ...errors },
    }),
    async (c) => {
      const { nodeName, monitoring } = c.req.valid('json');
      const service = await serviceOfKey(ctx, bearer(c));
      const credential = issueNodeCredential(service.name, nodeName);
      const now = ctx.now().toISOString();
      await ctx.store.transaction(async (tx) => {
        const existing = (await tx.listNodes(service.name)).find((n) => n.nodeName === nodeName);
        await tx.putNode(
          {
            serviceName: service.name,
            nodeName,
            registeredAt: now,
            lastSeenAt: now,
            monitoring: monitoringOf(monitoring),
            credentialHash: credential.hash,
          },
          existing?.version ?? 0,
        );
      });
      // A node registered again under the same name starts afresh: what it held is given to others.
      ctx.runtimeWork.dropNode(service.name, nodeName);
      return c.json(
        {
          serviceName: service.name,
          nodeName,
          credential: credential.token,
          heartbeatIntervalMs: ctx.nodeHeartbeatIntervalMs,
          leaseMs: ctx.runtimeWork.leaseMs,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/heartbeat`,
      summary: "A node's heartbeat with its monitoring data",
      request: body(Heartbeat),
      responses: { 200: json(HeartbeatAccepted, 'Seen.'), ...errors },
    }),
    async (c) => {
      const { monitoring } = c.req.valid('json');
      const node = await nodeOfCredential(ctx, bearer(c));
      await ctx.store.transaction(async (tx) => {
        const current = (await tx.listNodes(node.serviceName)).find(
          (n) => n.nodeName === node.nodeName,
        );
        if (!current) throw notRegistered(node.serviceName, node.nodeName);
        const { version, ...rest } = current;
        await tx.putNode(
          { ...rest, lastSeenAt: ctx.now().toISOString(), monitoring: monitoringOf(monitoring) },
          version,
        );
      });
      return c.json({ serviceName: node.serviceName, nodeName: node.nodeName }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/lease`,
      summary: "The next job of the node's service (waits up to waitMs for one)",
      request: body(LeaseRequest),
      responses: { 200: json(LeaseGranted, 'A job, or null when none came.'), ...errors },
    }),
    async (c) => {
      const { waitMs } = c.req.valid('json');
      const node = await nodeOfCredential(ctx, bearer(c));
      const job = await ctx.runtimeWork.lease(
        node.serviceName,
        node.nodeName,
        waitMs,
        c.req.raw.signal,
      );
      return c.json({ job }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/leases/{leaseId}/progress`,
      summary: 'Renew a lease, with the progress of its job',
      request: { params: LeaseParams, ...body(ProgressReport) },
      responses: { 200: json(ProgressAccepted, 'Renewed, or canceled: stop the job.'), ...errors },
    }),
    async (c) => {
      const { leaseId } = c.req.valid('param');
      const { progress } = c.req.valid('json');
      const node = await nodeOfCredential(ctx, bearer(c));
      const outcome = ctx.runtimeWork.renew(leaseId, node.nodeName, progress);
      if (outcome === 'lost') throw leaseLost(leaseId);
      return c.json({ outcome }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/leases/{leaseId}/complete`,
      summary: "A job's result or error",
      request: { params: LeaseParams, ...body(JobOutcome) },
      responses: { 200: json(OutcomeAccepted, 'Taken.'), ...errors },
    }),
    async (c) => {
      const { leaseId } = c.req.valid('param');
      const outcome = c.req.valid('json');
      const node = await nodeOfCredential(ctx, bearer(c));
      if (!ctx.runtimeWork.complete(leaseId, node.nodeName, outcome)) throw leaseLost(leaseId);
      return c.json({ accepted: true as const }, 200);
    },
  );
}

function bearer(c: Context): string {
  const header = c.req.header('authorization') ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}

async function serviceOfKey(ctx: ApiContext, key: string): Promise<ServiceRecord> {
  const services = key ? await ctx.store.transaction((tx) => tx.listServices()) : [];
  const found = services.find(
    (s) => same(key, ctx.secrets.open(s.authKey1)) || same(key, ctx.secrets.open(s.authKey2)),
  );
  if (!found)
    throw new ApiError(
      401,
      'InvalidAuthKey',
      'The auth key is not one of any migration service\'s two keys (a regenerated key stops working for new registrations). Copy a current key with "sqlmig service keys SERVICE" and register again.',
    );
  return found;
}

async function nodeOfCredential(ctx: ApiContext, token: string): Promise<NodeRecord> {
  const parsed = parseNodeCredential(token);
  if (!parsed)
    throw new ApiError(
      401,
      'InvalidNodeCredential',
      'Send the credential the node got when it registered as "Authorization: Bearer <credential>".',
    );
  const node = (await ctx.store.transaction((tx) => tx.listNodes(parsed.serviceName))).find(
    (n) => n.nodeName === parsed.nodeName,
  );
  if (!node || !credentialMatches(parsed.secret, node.credentialHash))
    throw notRegistered(parsed.serviceName, parsed.nodeName);
  return node;
}

function notRegistered(serviceName: string, nodeName: string): ApiError {
  return new ApiError(
    401,
    'NodeNotRegistered',
    `Node ${nodeName} is not registered with service ${serviceName} under this credential: it was removed (deleteNode), registered again elsewhere under the same name, or the service's state was reset. Start the runtime again with a current auth key to register it.`,
  );
}

function leaseLost(leaseId: string): ApiError {
  return new ApiError(
    409,
    'LeaseLost',
    `Lease ${leaseId} is no longer this node's: it expired (no progress within the lease time) and its job went to another node, or the service restarted. Drop the job; do not commit anything more for it.`,
  );
}

function monitoringOf(monitoring: unknown): NodeRecord['monitoring'] {
  const parsed = Monitoring.safeParse(monitoring ?? {});
  const kept: Record<string, number | null> = {};
  if (parsed.success)
    for (const [key, value] of Object.entries(parsed.data))
      if (value !== undefined) kept[key] = value;
  return kept;
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
