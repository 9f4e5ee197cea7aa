/** The response declarations every route shares: JSON bodies and the coded errors. */
import { ErrorBody } from '../../api-contract/index.js';

export const json = <T>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** The errors a route can answer with; `notFound` says what was not found. */
export function errorResponses(notFound: string) {
  return {
    400: json(ErrorBody, 'The request is not valid.'),
    401: json(ErrorBody, 'No valid token.'),
    404: json(ErrorBody, notFound),
    409: json(ErrorBody, 'The state does not allow it.'),
  };
}
