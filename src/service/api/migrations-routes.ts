/**
 * `databaseMigrations` of a service: create, get (with `migrationStatusDetails` on request), list,
 * cutover, cancel, delete once ended, and the event log.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';

import { isTerminal } from '../engine/index.js';
import type { MigrationRecord } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';
import { migrationList } from './migration-list.js';
import { migrationResource } from './migration-resource.js';
import { engineCall, startMigration } from './start-migration.js';
import {
  CreateMigrationBody,
  EventList,
  MigrationList,
  MigrationListQuery,
  MigrationParams,
  MigrationResource,
  OperationBody,
  ServiceParams,
} from '../../api-contract/index.js';

const errors = errorResponses('No such service or migration.');
const base = '/api/sqlMigrationServices/{serviceName}/databaseMigrations';
const Expand = z.object({
  expand: z
    .enum(['MigrationStatusDetails'])
    .optional()
    .openapi({ param: { name: 'expand', in: 'query' } }),
});

export function registerMigrationRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const find = async (serviceName: string, targetDbName: string): Promise<MigrationRecord> => {
    const record = await ctx.store.transaction(async (tx) => {
      if (!(await tx.getService(serviceName)))
        throw new ApiError(404, 'ServiceNotFound', `There is no migration service ${serviceName}.`);
      return tx.findMigration(serviceName, targetDbName);
    });
    if (!record)
      throw new ApiError(
        404,
        'MigrationNotFound',
        `Service ${serviceName} has no migration to database ${targetDbName}.`,
      );
    return record;
  };

  app.openapi(
    createRoute({
      method: 'put',
      path: `${base}/{targetDbName}`,
      summary: 'Start a database migration',
      request: {
        params: MigrationParams,
        body: { content: { 'application/json': { schema: CreateMigrationBody } }, required: true },
      },
      responses: { 201: json(MigrationResource, 'Created; it starts at once.'), ...errors },
    }),
    async (c) => {
      const { serviceName, targetDbName } = c.req.valid('param');
      const { properties } = c.req.valid('json');
      const record = await startMigration(ctx, serviceName, targetDbName, properties);
      return c.json(migrationResource(record, ctx), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{targetDbName}`,
      summary: 'Get a database migration',
      request: { params: MigrationParams, query: Expand },
      responses: { 200: json(MigrationResource, 'The migration.'), ...errors },
    }),
    async (c) => {
      const { serviceName, targetDbName } = c.req.valid('param');
      const record = await find(serviceName, targetDbName);
      if (c.req.valid('query').expand !== 'MigrationStatusDetails')
        return c.json(migrationResource(record, ctx), 200);
      const { migration, details } = await engineCall(() => ctx.engine.details(record.id));
      return c.json(migrationResource(migration, ctx, details), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: base,
      summary: "A service's database migrations (all, or filtered and paged)",
      request: { params: ServiceParams, query: MigrationListQuery },
      responses: { 200: json(MigrationList, 'The migrations.'), ...errors },
    }),
    async (c) => {
      const { serviceName } = c.req.valid('param');
      const records = await ctx.store.transaction(async (tx) => {
        if (!(await tx.getService(serviceName)))
          throw new ApiError(
            404,
            'ServiceNotFound',
            `There is no migration service ${serviceName}.`,
          );
        return tx.listMigrations({ serviceName });
      });
      return c.json(migrationList(records, c.req.valid('query'), ctx), 200);
    },
  );

  for (const action of ['cutover', 'cancel'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `${base}/{targetDbName}/${action}`,
        summary:
          action === 'cutover'
            ? 'Cut over an online migration (allowed once the full is restored, no log is pending and nothing blocks the restore)'
            : 'Cancel a migration: stop everything and drop the target database',
        request: {
          params: MigrationParams,
          body: { content: { 'application/json': { schema: OperationBody } }, required: true },
        },
        responses: {
          200: json(MigrationResource, 'Accepted; follow the migration status.'),
          ...errors,
        },
      }),
      async (c) => {
        const { serviceName, targetDbName } = c.req.valid('param');
        const { migrationOperationId } = c.req.valid('json');
        const record = await find(serviceName, targetDbName);
        const updated = await engineCall(() =>
          action === 'cutover'
            ? ctx.engine.cutover(record.id, migrationOperationId)
            : ctx.engine.cancel(record.id, migrationOperationId),
        );
        void ctx.engine.tick(record.id).catch(() => undefined);
        return c.json(migrationResource(updated, ctx), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{targetDbName}`,
      summary: 'Delete a migration that has ended',
      request: { params: MigrationParams },
      responses: { 200: json(MigrationResource, 'Deleted.'), ...errors },
    }),
    async (c) => {
      const { serviceName, targetDbName } = c.req.valid('param');
      const record = await find(serviceName, targetDbName);
      if (!isTerminal(record.migrationStatus)) {
        throw new ApiError(
          409,
          'MigrationRunning',
          `The migration to ${targetDbName} is ${record.migrationStatus}; cancel it, or wait for it to end, before deleting it.`,
        );
      }
      await ctx.store.transaction((tx) => tx.deleteMigration(record.id));
      return c.json(migrationResource(record, ctx), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{targetDbName}/events`,
      summary: "The migration's event log, oldest first",
      request: {
        params: MigrationParams,
        query: z.object({
          after: z.coerce
            .number()
            .int()
            .min(0)
            .optional()
            .openapi({ param: { name: 'after', in: 'query' } }),
        }),
      },
      responses: { 200: json(EventList, 'The events.'), ...errors },
    }),
    async (c) => {
      const { serviceName, targetDbName } = c.req.valid('param');
      const record = await find(serviceName, targetDbName);
      const events = await ctx.store.transaction((tx) =>
        tx.listEvents(record.id, c.req.valid('query').after),
      );
      return c.json(
        {
          value: events.map((e) => ({
            sequence: e.sequence,
            at: e.at,
            kind: e.kind,
            message: e.message,
            data: { ...e.data },
          })),
        },
        200,
      );
    },
  );
}
