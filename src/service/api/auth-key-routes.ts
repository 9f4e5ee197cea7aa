/**
 * `POST …/sqlMigrationServices/{serviceName}/checkAuthKey`: whether a key (the one a runtime node is
 * started with) is one of the service's two current keys — the wizard's answer to "my node says
 * InvalidAuthKey". sqlmig's own. It tells nothing `listAuthKeys` does not already show the same
 * caller, and it never echoes the key.
 */
import { timingSafeEqual } from 'node:crypto';

import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';

import {
  CheckAuthKeyRequest,
  CheckAuthKeyResponse,
  ServiceParams,
} from '../../api-contract/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';

export function registerAuthKeyRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/sqlMigrationServices/{serviceName}/checkAuthKey',
      summary: "Whether a key is one of the service's two current integration runtime keys",
      request: {
        params: ServiceParams,
        body: { content: { 'application/json': { schema: CheckAuthKeyRequest } }, required: true },
      },
      responses: {
        200: json(CheckAuthKeyResponse, 'Whether it is, and which.'),
        ...errorResponses('No such service.'),
      },
    }),
    async (c) => {
      const { serviceName } = c.req.valid('param');
      const key = c.req.valid('json').authKey.trim();
      const service = await ctx.store.transaction((tx) => tx.getService(serviceName));
      if (!service)
        throw new ApiError(404, 'ServiceNotFound', `There is no migration service ${serviceName}.`);
      for (const keyName of ['authKey1', 'authKey2'] as const) {
        if (same(key, ctx.secrets.open(service[keyName])))
          return c.json(
            {
              valid: true,
              keyName,
              message: `This is ${keyName} of ${serviceName}: a runtime node started with it registers.`,
            },
            200,
          );
      }
      return c.json(
        {
          valid: false,
          keyName: null,
          message: `This is not one of ${serviceName}'s two current keys: it was mistyped, cut short, belongs to another service, or was regenerated (an old key stops working for new registrations). Copy a current key from this page and start the runtime again with it.`,
        },
        200,
      );
    },
  );
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
