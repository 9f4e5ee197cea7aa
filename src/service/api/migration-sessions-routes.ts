/**
 * `migrationSessions`: the migration wizard's sessions, kept by the service so that "Save and close"
 * resumes later from any browser — create, list, get, update a page's entries, delete, and start
 * (one `databaseMigrations` per database, through the same code as `PUT …/databaseMigrations`).
 * sqlmig's own; Azure DMS keeps the wizard's state in the client. Passwords and keys never reach a
 * session: its schema has no field for them (sent ones are dropped), and the start takes them in
 * its body, sealed into the migrations only.
 */
import { randomUUID } from 'node:crypto';

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';

import {
  CreateSessionBody,
  MigrationSession,
  MigrationSessionList,
  SessionParams,
  StartSessionBody,
  StartSessionResponse,
  UpdateSessionBody,
  type SessionStartOutcome,
} from '../../api-contract/index.js';
import type { MigrationSessionRecord } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';
import { documentOf, sessionResource, startRequests } from './session-resource.js';
import { startMigration } from './start-migration.js';

const base = '/api/migrationSessions';
const errors = errorResponses('No such session.');
const body = <T>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export function registerMigrationSessionRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const find = async (id: string): Promise<MigrationSessionRecord> => {
    const record = await ctx.store.transaction((tx) => tx.getMigrationSession(id));
    if (!record)
      throw new ApiError(
        404,
        'SessionNotFound',
        `There is no migration session ${id}: it was deleted, or it belongs to another service's state.`,
      );
    return record;
  };
  const open = (record: MigrationSessionRecord, expectedVersion: number): void => {
    if (record.status === 'Started')
      throw new ApiError(
        409,
        'SessionStarted',
        `Session ${record.id} has started its migrations; follow them on the dashboard, or begin a new session to migrate more databases.`,
      );
    if (record.version !== expectedVersion)
      throw new ApiError(
        409,
        'Conflict',
        `Session ${record.id} was saved elsewhere since you opened it (version ${record.version}, you had ${expectedVersion}); open it again to see its entries.`,
      );
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: base,
      summary: 'Begin a migration session (the wizard)',
      request: body(CreateSessionBody),
      responses: { 201: json(MigrationSession, 'Created.'), ...errors },
    }),
    async (c) => {
      const { steps } = c.req.valid('json');
      const now = ctx.now().toISOString();
      const record = await ctx.store.transaction((tx) =>
        tx.putMigrationSession(
          {
            id: randomUUID(),
            createdAt: now,
            updatedAt: now,
            status: 'Open',
            step: 'source',
            document: { steps: steps ?? {}, started: [] },
          },
          0,
        ),
      );
      return c.json(sessionResource(record, ctx), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: base,
      summary: 'The saved migration sessions, most recently saved first',
      responses: { 200: json(MigrationSessionList, 'The sessions.'), 401: errors[401] },
    }),
    async (c) => {
      const records = await ctx.store.transaction((tx) => tx.listMigrationSessions());
      return c.json({ value: records.map((r) => sessionResource(r, ctx)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{sessionId}`,
      summary: 'A migration session',
      request: { params: SessionParams },
      responses: { 200: json(MigrationSession, 'The session.'), ...errors },
    }),
    async (c) => c.json(sessionResource(await find(c.req.valid('param').sessionId), ctx), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: `${base}/{sessionId}`,
      summary: "Save pages' entries (each page given replaces its entries) and the current page",
      request: { params: SessionParams, ...body(UpdateSessionBody) },
      responses: { 200: json(MigrationSession, 'Saved.'), ...errors },
    }),
    async (c) => {
      const { expectedVersion, step, steps } = c.req.valid('json');
      const record = await find(c.req.valid('param').sessionId);
      open(record, expectedVersion);
      const doc = documentOf(record);
      const { version, ...rest } = record;
      const saved = await ctx.store.transaction((tx) =>
        tx.putMigrationSession(
          {
            ...rest,
            updatedAt: ctx.now().toISOString(),
            step: step ?? record.step,
            document: { ...doc, steps: { ...doc.steps, ...steps } },
          },
          version,
        ),
      );
      return c.json(sessionResource(saved, ctx), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{sessionId}`,
      summary: 'Delete a migration session (its started migrations go on)',
      request: { params: SessionParams },
      responses: { 200: json(MigrationSession, 'Deleted.'), ...errors },
    }),
    async (c) => {
      const record = await find(c.req.valid('param').sessionId);
      await ctx.store.transaction((tx) => tx.deleteMigrationSession(record.id));
      return c.json(sessionResource(record, ctx), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/{sessionId}/start`,
      summary:
        "Start the session's migrations, one per database (passwords and keys given here, never kept in the session)",
      request: { params: SessionParams, ...body(StartSessionBody) },
      responses: {
        200: json(StartSessionResponse, 'Each database: started, started before, or why not.'),
        ...errors,
      },
    }),
    async (c) => {
      const { expectedVersion, secrets } = c.req.valid('json');
      const record = await find(c.req.valid('param').sessionId);
      open(record, expectedVersion);
      const doc = documentOf(record);
      const { serviceName, requests } = startRequests(doc.steps, secrets);
      const outcomes: SessionStartOutcome[] = [];
      for (const { mapping, properties } of requests) {
        const names = {
          sourceDatabaseName: mapping.sourceDatabaseName,
          targetDbName: mapping.targetDbName,
          serviceName,
        };
        const before = doc.started.find(
          (s) =>
            s.outcome !== 'Failed' &&
            s.targetDbName === mapping.targetDbName &&
            s.serviceName === serviceName,
        );
        if (before) {
          outcomes.push({ ...names, outcome: 'AlreadyStarted' });
          continue;
        }
        try {
          await startMigration(ctx, serviceName, mapping.targetDbName, properties);
          outcomes.push({ ...names, outcome: 'Started' });
        } catch (error) {
          outcomes.push({ ...names, outcome: 'Failed', error: codedError(error) });
        }
      }
      const done = outcomes.every((o) => o.outcome !== 'Failed');
      const { version, ...rest } = record;
      const saved = await ctx.store.transaction((tx) =>
        tx.putMigrationSession(
          {
            ...rest,
            updatedAt: ctx.now().toISOString(),
            status: done ? 'Started' : 'Open',
            step: 'summary',
            document: { ...doc, started: outcomes },
          },
          version,
        ),
      );
      return c.json({ session: sessionResource(saved, ctx), migrations: outcomes }, 200);
    },
  );
}

/** A refusal as the wizard shows it; an unexpected failure is rethrown (a 500, logged). */
function codedError(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (error instanceof Error && 'code' in error && typeof error.code === 'string')
    return { code: error.code, message: error.message };
  throw error;
}
