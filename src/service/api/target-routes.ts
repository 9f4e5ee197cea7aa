/**
 * `POST /api/checkTarget`: the checks a migration's start would make on this deployment's restore
 * target (reachable, signed in, ready, the database name free, permissions), made alone and nothing
 * changed — what `sqlmig target check` prints. sqlmig's own; Azure DMS has no such call.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';

import type { ApiContext } from './api-context.js';
import { errorResponses, json } from './openapi-responses.js';
import { CheckTargetRequest, CheckTargetResponse } from '../../api-contract/index.js';

export function registerTargetRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/checkTarget',
      summary:
        "Check the restore target for a database, as a migration's start would, changing nothing",
      request: {
        body: { content: { 'application/json': { schema: CheckTargetRequest } }, required: true },
      },
      responses: {
        200: json(CheckTargetResponse, 'Each check, with what it found.'),
        ...errorResponses(''),
      },
    }),
    async (c) => {
      const { targetDbName } = c.req.valid('json');
      const checks = await ctx.checkTarget(targetDbName);
      return c.json({ target: { ...ctx.target }, checks }, 200);
    },
  );
}
