/**
 * The migration wizard's look at the source instance (sqlmig's own calls; DMS makes them from the
 * client): the connection and permission check, the user databases, and the live assessment. The
 * password travels in the body of each call and is used for that call only.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';

import {
  ErrorBody,
  SourceAssessRequest,
  SourceCheckRequest,
  SourceCheckResponse,
  SourceDatabaseList,
  SourceAssessment,
} from '../../api-contract/index.js';
import { isSqlError } from '../../sql/index.js';
import { AssessmentError } from '../../assessment/index.js';
import {
  assessSource,
  checkSource,
  listSourceDatabases,
  SourceServerError,
  type SourceConnector,
} from '../source-server/index.js';
import type { ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import { errorResponses, json } from './openapi-responses.js';

const base = '/api/source';
const errors = {
  ...errorResponses(''),
  502: json(ErrorBody, 'The source instance could not be reached or refused the query.'),
  501: json(ErrorBody, 'Not available in this build.'),
};
const body = <T>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export function registerSourceRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const connector = (): SourceConnector => {
    if (!ctx.connectSource)
      throw new ApiError(
        501,
        'NotAvailableInThisBuild',
        'This service was started without a way to connect to SQL Server.',
      );
    return ctx.connectSource;
  };
  const refusals = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SourceServerError) throw new ApiError(400, error.code, error.message);
      if (isSqlError(error)) throw new ApiError(502, `Source${error.code}`, error.message);
      if (error instanceof AssessmentError)
        throw new ApiError(
          error.code === 'PermissionDenied' ? 403 : 400,
          error.code,
          error.message,
        );
      throw error;
    }
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/checkConnection`,
      summary:
        'Connect to the source instance and check its version and that the login is a member of sysadmin or has CONTROL SERVER',
      request: body(SourceCheckRequest),
      responses: { 200: json(SourceCheckResponse, 'Each check, with what it found.'), ...errors },
    }),
    async (c) => {
      const { connection } = c.req.valid('json');
      return c.json(await refusals(() => checkSource(connector(), connection)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/listDatabases`,
      summary: "The source instance's user databases",
      request: body(SourceCheckRequest),
      responses: { 200: json(SourceDatabaseList, 'The databases, by name.'), ...errors },
    }),
    async (c) => {
      const { connection } = c.req.valid('json');
      const value = await refusals(() => listSourceDatabases(connector(), connection));
      return c.json({ value }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/assess`,
      summary:
        'Assess databases of the source instance for a Managed Instance (live assessment): per database its issues and warnings, impacted objects and readiness',
      request: body(SourceAssessRequest),
      responses: { 200: json(SourceAssessment, 'The assessment report.'), ...errors },
    }),
    async (c) => {
      const { connection, databases } = c.req.valid('json');
      const report = await refusals(() => assessSource(connector(), connection, databases));
      // Parsed by the contract's schema: the assessment's types are deeply readonly, and a report
      // that drifted from the documented shape fails here rather than in the browser.
      return c.json(SourceAssessment.parse(report), 200);
    },
  );
}
