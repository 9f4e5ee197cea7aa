/**
 * An API failure as the service said it: its code and its message (and each invalid field), never
 * a vague "something went wrong".
 */
import type { ApiRequestError } from '../api/api-client.js';

export function ErrorMessage({ error, title }: { error: ApiRequestError; title?: string }) {
  return (
    <div className="error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      <code className="error-code">{error.code}</code> {error.message}
      {error.details.length > 0 ? (
        <ul>
          {error.details.map((d) => (
            <li key={`${d.path}:${d.message}`}>
              <code>{d.path}</code>: {d.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
