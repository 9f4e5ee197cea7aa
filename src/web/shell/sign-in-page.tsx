/**
 * Sign-in: the service's token (the file `sqlmig up` names), checked against the service before it
 * is kept for the tab. A refused token shows the service's own answer.
 */
import { useState, type SyntheticEvent } from 'react';

import { ApiClient, ApiRequestError } from '../api/api-client.js';
import { signIn } from './session.js';

export function SignInPage({ notice }: { notice: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    const given = token.trim();
    setChecking(true);
    new ApiClient(given)
      .listServices()
      .then(() => {
        signIn(given);
      })
      .catch((failure: unknown) => {
        setError(
          failure instanceof ApiRequestError
            ? failure
            : new ApiRequestError(0, 'ClientError', String(failure)),
        );
        setChecking(false);
      });
  };

  return (
    <main id="main" className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to sqlmig</h1>
        {notice ? <p className="notice">{notice}</p> : null}
        <label htmlFor="token">Service token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          autoFocus
          value={token}
          onChange={(e) => {
            setToken(e.target.value);
          }}
        />
        <p className="hint">
          The token is in the file <code>service.token</code> of the service&apos;s data folder;{' '}
          <code>sqlmig up</code> prints where. It is kept for this tab only.
        </p>
        {error ? (
          <p className="error" role="alert">
            <code className="error-code">{error.code}</code> {error.message}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={checking || token.trim() === ''}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
