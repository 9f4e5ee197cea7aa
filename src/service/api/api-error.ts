import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error the API returns as `{"error": {"code", "message"}}` with an HTTP status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: readonly { path: string; message: string }[],
  ) {
    super(message);
  }
}

export function errorBody(
  code: string,
  message: string,
  details?: readonly { path: string; message: string }[],
) {
  return { error: { code, message, ...(details ? { details: [...details] } : {}) } };
}
