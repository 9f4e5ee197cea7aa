/**
 * `sqlMigrationServices`: create, get, list, delete; auth keys (list, regenerate); the integration
 * runtime's nodes (monitoring data, delete) — with Azure DMS's names.
 */
import { randomBytes } from 'node:crypto';

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';

import type { NodeRecord, ServiceRecord } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';
import {
  AuthKeys,
  DeleteNode,
  MigrationList,
  MigrationListQuery,
  MonitoringData,
  RegenerateAuthKeys,
  ServiceList,
  ServiceParams,
  ServiceResource,
  TestConnectionRequest,
  TestConnectionResponse,
} from '../../api-contract/index.js';
import { migrationList } from './migration-list.js';
import { checkTestConnectionResult } from '../../runtime-protocol/index.js';

const errors = errorResponses('No such service.');
const base = '/api/sqlMigrationServices';

export function newAuthKey(): string {
  return `sqlmig-ir-${randomBytes(32).toString('base64url')}`;
}

export function registerServiceRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const getService = async (name: string): Promise<ServiceRecord> => {
    const record = await ctx.store.transaction((tx) => tx.getService(name));
    if (!record)
      throw new ApiError(
        404,
        'ServiceNotFound',
        `There is no migration service ${name}. Create it first (sqlmig service create ${name}).`,
      );
    return record;
  };
  const resource = async (record: ServiceRecord) => {
    const nodes = await ctx.store.transaction((tx) => tx.listNodes(record.name));
    return {
      name: record.name,
      id: `/sqlMigrationServices/${record.name}`,
      type: 'sqlMigrationServices' as const,
      properties: {
        provisioningState: 'Succeeded' as const,
        integrationRuntimeState: runtimeState(nodes, ctx),
        createdAt: record.createdAt,
      },
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: base,
      summary: 'List migration services',
      responses: { 200: json(ServiceList, 'The services.'), 401: errors[401] },
    }),
    async (c) => {
      const records = await ctx.store.transaction((tx) => tx.listServices());
      return c.json({ value: await Promise.all(records.map(resource)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: `${base}/{serviceName}`,
      summary: 'Create a migration service (or return the existing one)',
      request: { params: ServiceParams },
      responses: {
        200: json(ServiceResource, 'The service existed.'),
        201: json(ServiceResource, 'Created.'),
        ...errors,
      },
    }),
    async (c) => {
      const { serviceName } = c.req.valid('param');
      const existing = await ctx.store.transaction((tx) => tx.getService(serviceName));
      if (existing) return c.json(await resource(existing), 200);
      const created = await ctx.store.transaction((tx) =>
        tx.putService(
          {
            name: serviceName,
            createdAt: ctx.now().toISOString(),
            authKey1: ctx.secrets.seal(newAuthKey()),
            authKey2: ctx.secrets.seal(newAuthKey()),
          },
          0,
        ),
      );
      return c.json(await resource(created), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{serviceName}`,
      summary: 'Get a migration service',
      request: { params: ServiceParams },
      responses: { 200: json(ServiceResource, 'The service.'), ...errors },
    }),
    async (c) => {
      return c.json(await resource(await getService(c.req.valid('param').serviceName)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{serviceName}`,
      summary: 'Delete a migration service with no migration running',
      request: { params: ServiceParams },
      responses: { 200: json(ServiceResource, 'Deleted.'), ...errors },
    }),
    async (c) => {
      const record = await getService(c.req.valid('param').serviceName);
      const body = await resource(record);
      const nodes = await ctx.store.transaction((tx) => tx.listNodes(record.name));
      await ctx.store.transaction(async (tx) => {
        const migrations = await tx.listMigrations({ serviceName: record.name });
        const running = migrations.filter(
          (m) => !['Succeeded', 'Failed', 'Canceled'].includes(m.migrationStatus),
        );
        if (running.length > 0) {
          throw new ApiError(
            409,
            'ServiceHasMigrations',
            `Service ${record.name} still runs ${running.length} migration(s) (${running.map((m) => m.targetDbName).join(', ')}); cancel them first.`,
          );
        }
        for (const m of migrations) await tx.deleteMigration(m.id);
        for (const node of await tx.listNodes(record.name))
          await tx.deleteNode(record.name, node.nodeName);
        await tx.deleteService(record.name);
      });
      for (const node of nodes) ctx.runtimeWork.dropNode(record.name, node.nodeName);
      return c.json(body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{serviceName}/listAuthKeys`,
      summary: "The integration runtime's two authentication keys",
      request: { params: ServiceParams },
      responses: { 200: json(AuthKeys, 'The keys.'), ...errors },
    }),
    async (c) => {
      const record = await getService(c.req.valid('param').serviceName);
      return c.json(
        {
          authKey1: ctx.secrets.open(record.authKey1),
          authKey2: ctx.secrets.open(record.authKey2),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{serviceName}/regenerateAuthKeys`,
      summary: 'Replace one authentication key; the old one stops working for new registrations',
      request: {
        params: ServiceParams,
        body: { content: { 'application/json': { schema: RegenerateAuthKeys } }, required: true },
      },
      responses: { 200: json(AuthKeys, 'The keys, one of them new.'), ...errors },
    }),
    async (c) => {
      const { keyName } = c.req.valid('json');
      const record = await getService(c.req.valid('param').serviceName);
      const { version, ...rest } = record;
      const saved = await ctx.store.transaction((tx) =>
        tx.putService({ ...rest, [keyName]: ctx.secrets.seal(newAuthKey()) }, version),
      );
      return c.json(
        { authKey1: ctx.secrets.open(saved.authKey1), authKey2: ctx.secrets.open(saved.authKey2) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{serviceName}/listMonitoringData`,
      summary: "The integration runtime's nodes and their health",
      request: { params: ServiceParams },
      responses: { 200: json(MonitoringData, 'The nodes.'), ...errors },
    }),
    async (c) => {
      const record = await getService(c.req.valid('param').serviceName);
      const nodes = await ctx.store.transaction((tx) => tx.listNodes(record.name));
      return c.json({ name: record.name, nodes: nodes.map(nodeMonitoring) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{serviceName}/deleteNode`,
      summary: 'Remove an integration runtime node',
      request: {
        params: ServiceParams,
        body: { content: { 'application/json': { schema: DeleteNode } }, required: true },
      },
      responses: { 200: json(MonitoringData, 'The remaining nodes.'), ...errors },
    }),
    async (c) => {
      const record = await getService(c.req.valid('param').serviceName);
      const { nodeName } = c.req.valid('json');
      const deleted = await ctx.store.transaction((tx) => tx.deleteNode(record.name, nodeName));
      if (!deleted)
        throw new ApiError(
          404,
          'NodeNotFound',
          `Service ${record.name} has no integration runtime node ${nodeName}.`,
        );
      ctx.runtimeWork.dropNode(record.name, nodeName);
      const nodes = await ctx.store.transaction((tx) => tx.listNodes(record.name));
      return c.json({ name: record.name, nodes: nodes.map(nodeMonitoring) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{serviceName}/testConnection`,
      summary:
        "Check, through one of the service's runtime nodes, each hop a migration needs: the backup location and the upload storage",
      request: {
        params: ServiceParams,
        body: {
          content: { 'application/json': { schema: TestConnectionRequest } },
          required: true,
        },
      },
      responses: { 200: json(TestConnectionResponse, 'Each hop, checked.'), ...errors },
    }),
    async (c) => {
      const record = await getService(c.req.valid('param').serviceName);
      const { backupLocation } = c.req.valid('json');
      const inProcess = ctx.testInProcess?.(record.name, {
        path: backupLocation.path,
        ...(backupLocation.username ? { username: backupLocation.username } : {}),
      });
      if (inProcess) {
        const { nodeName, checks } = await inProcess;
        return c.json({ nodeName, checks: [...checks] }, 200);
      }
      const nodes = await ctx.store.transaction((tx) => tx.listNodes(record.name));
      if (runtimeState(nodes, ctx) !== 'Online')
        throw new ApiError(
          409,
          'RuntimeNotOnline',
          `No integration runtime node of service ${record.name} is online to test from. Start one next to the backups with "sqlmig runtime --service URL --auth-key KEY" (sqlmig service keys ${record.name}).`,
        );
      const result = await ctx.runtimeWork
        .submit(
          record.name,
          {
            kind: 'testConnection',
            description: `test the connection to ${backupLocation.path}`,
            input: { location: backupLocation, storage: ctx.storageForNodes() },
          },
          { signal: AbortSignal.timeout(60_000) },
        )
        .catch((error: unknown) => {
          throw new ApiError(
            504,
            'TestConnectionFailed',
            `The connection test did not complete: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
      const { nodeName, checks } = checkTestConnectionResult(result);
      return c.json({ nodeName, checks: [...checks] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{serviceName}/listMigrations`,
      summary: "The service's database migrations (all, or filtered and paged)",
      request: { params: ServiceParams, query: MigrationListQuery },
      responses: { 200: json(MigrationList, 'The migrations.'), ...errors },
    }),
    async (c) => {
      const record = await getService(c.req.valid('param').serviceName);
      const migrations = await ctx.store.transaction((tx) =>
        tx.listMigrations({ serviceName: record.name }),
      );
      return c.json(migrationList(migrations, c.req.valid('query'), ctx), 200);
    },
  );
}

function runtimeState(
  nodes: readonly NodeRecord[],
  ctx: ApiContext,
): 'Online' | 'Offline' | 'NeedRegistration' {
  if (nodes.length === 0) return 'NeedRegistration';
  const now = ctx.now().getTime();
  return nodes.some((n) => now - Date.parse(n.lastSeenAt) < ctx.nodeOfflineAfterMs)
    ? 'Online'
    : 'Offline';
}

function nodeMonitoring(node: NodeRecord) {
  const number = (key: string): number | null => {
    const value = node.monitoring[key];
    return typeof value === 'number' ? value : null;
  };
  return {
    nodeName: node.nodeName,
    lastSeenAt: node.lastSeenAt,
    availableMemoryInMB: number('availableMemoryInMB'),
    cpuUtilization: number('cpuUtilization'),
    concurrentJobsLimit: number('concurrentJobsLimit'),
    concurrentJobsRunning: number('concurrentJobsRunning'),
    maxConcurrentJobs: number('maxConcurrentJobs'),
    sentBytes: number('sentBytes'),
    receivedBytes: number('receivedBytes'),
  };
}
