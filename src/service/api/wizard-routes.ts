/**
 * The migration wizard's server side, registered together: its sessions, the look at the source
 * instance, the runtime key check and the sizing calls.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';

import type { ApiContext } from './api-context.js';
import { registerAuthKeyRoutes } from './auth-key-routes.js';
import { registerMigrationSessionRoutes } from './migration-sessions-routes.js';
import { registerSizingRoutes } from './sizing-routes.js';
import { registerSourceRoutes } from './source-routes.js';

export function registerWizardRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  registerMigrationSessionRoutes(app, ctx);
  registerSourceRoutes(app, ctx);
  registerAuthKeyRoutes(app, ctx);
  registerSizingRoutes(app, ctx);
}
