/**
 * The migration service's HTTP API: a Hono application with every route validated by its schema, the
 * OpenAPI document generated from the same schemas (`GET /api/openapi.json`), and every `/api` request
 * but the document authenticated with the service's bearer token.
 */
import { timingSafeEqual } from 'node:crypto';

import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';

import { StateConflictError } from '../state/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError, errorBody } from './api-error.js';
import { registerMigrationRoutes } from './migrations-routes.js';
import { registerRuntimeRoutes } from './runtime-routes.js';
import { registerTargetRoutes } from './target-routes.js';
import { registerServiceRoutes } from './services-routes.js';
import { registerWebBundle } from './web-bundle.js';
import { registerWizardRoutes } from './wizard-routes.js';

export function createApi(ctx: ApiContext): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const details = result.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(body)',
        message: issue.message,
      }));
      return c.json(
        errorBody(
          'InvalidRequest',
          `The request is not valid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}.`,
          details,
        ),
        400,
      );
    },
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'sqlmig migration service',
      version: '1',
      description:
        "Azure DMS-shaped API of the sqlmig migration service. Authenticate with `Authorization: Bearer <token>`. The integration runtime nodes' calls (`/ir/v1/…`) take one of a service's auth keys to register, then the credential registration returned.",
    },
  });

  app.use('/api/*', async (c, next) => {
    if (c.req.path === '/api/openapi.json') return next();
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!sameSecret(token, ctx.token)) {
      return c.json(
        errorBody(
          'Unauthorized',
          'Send the service token as "Authorization: Bearer <token>" (sqlmig up prints where it is).',
        ),
        401,
      );
    }
    return next();
  });

  registerServiceRoutes(app, ctx);
  registerMigrationRoutes(app, ctx);
  registerRuntimeRoutes(app, ctx);
  registerTargetRoutes(app, ctx);
  registerWizardRoutes(app, ctx);
  registerWebBundle(app, ctx.webRoot ?? null);

  app.notFound((c) =>
    c.json(errorBody('NotFound', `No such resource: ${c.req.method} ${c.req.path}.`), 404),
  );
  app.onError((error, c) => {
    if (error instanceof ApiError)
      return c.json(errorBody(error.code, error.message, error.details), error.status);
    if (error instanceof StateConflictError)
      return c.json(errorBody('Conflict', error.message), 409);
    if (error instanceof SyntaxError || (error instanceof HTTPException && error.status === 400)) {
      return c.json(errorBody('InvalidRequest', 'The body is not valid JSON.'), 400);
    }
    console.error(
      `sqlmig: ${c.req.method} ${c.req.path} failed:`,
      error instanceof Error ? error.message : error,
    );
    return c.json(
      errorBody('InternalError', 'The service failed to handle the request; its log says why.'),
      500,
    );
  });
  return app;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
