/**
 * The wizard's sizing calls: performance collections from the source into a folder, run by the
 * service until stopped (`/api/perfCollections`: start, list, get, stop — the loop behind `sqlmig perf
 * collect`), and `POST /api/skuRecommendations`, a SKU recommended from such a folder (as `sqlmig sku
 * recommend`) at a percentile and scaling factor, with its reasoning per dimension. sqlmig's own.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';

import {
  ErrorBody,
  PerfCollectionParams,
  PerfCollectionRequest,
  PerfCollectionStatus,
  SkuRecommendationRequest,
  SkuRecommendationResult,
} from '../../api-contract/index.js';
import { CollectError, SizingError } from '../../sizing/index.js';
import { isSqlError } from '../../sql/index.js';
import { PerfCollections, recommendFromFolder, SourceServerError } from '../source-server/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';

const errors = {
  ...errorResponses('No such collection.'),
  501: json(ErrorBody, 'Not available in this build.'),
  502: json(ErrorBody, 'The source instance could not be reached or refused the query.'),
};
const body = <T>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export function registerSizingRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const made = ctx.connectSource ? new PerfCollections({ connect: ctx.connectSource }) : null;
  const collections = (): PerfCollections => {
    const found = ctx.perfCollections ?? made;
    if (!found)
      throw new ApiError(
        501,
        'NotAvailableInThisBuild',
        'This service was started without a way to connect to SQL Server, so it cannot collect performance data. Collect with "sqlmig perf collect --server HOST[:PORT] --sql-user LOGIN --output FOLDER" and import the folder.',
      );
    return found;
  };
  const find = (id: string): PerfCollectionStatus => {
    const found = collections().get(id);
    if (!found)
      throw new ApiError(
        404,
        'CollectionNotFound',
        `There is no performance collection ${id} (collections end with the service that ran them; their data stays in the folder).`,
      );
    return found;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/perfCollections',
      summary:
        'Collect performance data from the source instance into a folder (a sample every 30 s, a window written every 10 min) until stopped',
      request: body(PerfCollectionRequest),
      responses: { 201: json(PerfCollectionStatus, 'Started.'), ...errors },
    }),
    async (c) => {
      const { connection, perfDataFolder } = c.req.valid('json');
      try {
        return c.json(await collections().start(connection, perfDataFolder), 201);
      } catch (error) {
        if (error instanceof SourceServerError)
          throw new ApiError(
            error.code === 'CollectionRunning' ? 409 : 400,
            error.code,
            error.message,
          );
        if (error instanceof CollectError) throw new ApiError(400, error.code, error.message);
        if (isSqlError(error)) throw new ApiError(502, `Source${error.code}`, error.message);
        throw error;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/perfCollections',
      summary: "This service's performance collections since it started",
      responses: {
        200: json(PerfCollectionStatus.array().openapi('PerfCollectionList'), 'The collections.'),
        ...errors,
      },
    }),
    (c) => c.json(collections().list(), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/perfCollections/{collectionId}',
      summary: 'A performance collection: its state, samples taken and windows written',
      request: { params: PerfCollectionParams },
      responses: { 200: json(PerfCollectionStatus, 'The collection.'), ...errors },
    }),
    (c) => c.json(find(c.req.valid('param').collectionId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/perfCollections/{collectionId}/stop',
      summary: 'Stop a performance collection; its partial window is written first',
      request: { params: PerfCollectionParams },
      responses: { 200: json(PerfCollectionStatus, 'Stopped.'), ...errors },
    }),
    async (c) => {
      const { collectionId } = c.req.valid('param');
      find(collectionId);
      return c.json((await collections().stop(collectionId)) ?? find(collectionId), 200);
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
