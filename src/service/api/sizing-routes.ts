/**
 * The wizard's sizing calls: `POST /api/skuRecommendations` recommends a SKU from a folder of
 * performance data (as `sqlmig sku recommend`) at a percentile and scaling factor, with its reasoning
 * per dimension; `POST /api/perfCollections` (collect from the source into a folder, until stopped)
 * is not wired into the service yet and says so (501) rather than answer with anything made up —
 * `sqlmig perf collect` collects meanwhile.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';

import {
  ErrorBody,
  SkuRecommendationRequest,
  SkuRecommendationResult,
  SourceConnectionInput,
} from '../../api-contract/index.js';
import { SizingError } from '../../sizing/index.js';
import { recommendFromFolder } from '../source-server/index.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';

const errors = { ...errorResponses(''), 501: json(ErrorBody, 'Not available in this build.') };
const body = <T>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

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
      throw new ApiError(
        501,
        'NotAvailableInThisBuild',
        'Collecting performance data from the service is not available in this build. Collect with "sqlmig perf collect --server HOST[:PORT] --sql-user LOGIN --output FOLDER" (the password in SQLMIG_SQL_PASSWORD) on a machine that reaches the source, then import the folder here.',
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/skuRecommendations',
      summary:
        'Recommend a Managed Instance SKU from a folder of performance data, with the reasoning per dimension',
      request: body(SkuRecommendationRequest),
      responses: { 200: json(SkuRecommendationResult, 'The recommendation.'), ...errors },
    }),
    async (c) => {
      const { perfDataFolder, percentile, scalingFactorPercent } = c.req.valid('json');
      try {
        const result = await recommendFromFolder(perfDataFolder, {
          percentile,
          scalingFactorPercent,
        });
        // Parsed by the contract's schema (the sizing types are deeply readonly; a drifted shape
        // fails here, not in the browser).
        return c.json(SkuRecommendationResult.parse(result), 200);
      } catch (error) {
        if (error instanceof SizingError) throw new ApiError(400, error.code, error.message);
        throw error;
      }
    },
  );
}
