/**
 * The wizard's sizing calls: `POST /api/perfCollections` (collect performance data from the source
 * into a folder) and `POST /api/skuRecommendations` (recommend a SKU from a folder of it, at a
 * percentile and scaling factor). The sizing module is not wired into the service yet, so both say
 * so (501) rather than answer with anything made up; `sqlmig perf collect` and `sqlmig sku
 * recommend` are where sizing lands first.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';

import { ErrorBody, SourceConnectionInput } from '../../api-contract/index.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';

const errors = { ...errorResponses(''), 501: json(ErrorBody, 'Not available in this build.') };
const body = <T>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const notAvailable = (what: string) =>
  new ApiError(
    501,
    'NotAvailableInThisBuild',
    `${what} is not available in the service in this build; the sizing module is not wired into it yet.`,
  );

export function registerSizingRoutes(app: OpenAPIHono): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/perfCollections',
      summary: 'Collect performance data from the source instance into a folder, until stopped',
      request: body(
        z
          .object({ connection: SourceConnectionInput, perfDataFolder: z.string().min(1) })
          .openapi('PerfCollectionRequest'),
      ),
      responses: errors,
    }),
    () => {
      throw notAvailable('Collecting performance data');
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/skuRecommendations',
      summary: 'Recommend a target SKU from a folder of performance data',
      request: body(
        z
          .object({
            perfDataFolder: z.string().min(1),
            percentile: z.number().int().min(1).max(100),
            scalingFactorPercent: z.number().int().min(1).max(1000),
          })
          .openapi('SkuRecommendationRequest'),
      ),
      responses: errors,
    }),
    () => {
      throw notAvailable('The SKU recommendation');
    },
  );
}
