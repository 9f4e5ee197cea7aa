/**
 * The app: the sign-in page until the tab holds a token the service accepts, then the page the
 * address names inside the layout. A token the service stops accepting signs the tab out, saying why.
 */
import { useEffect, useMemo, useState } from 'react';

import { ApiClient } from '../api/api-client.js';
import { ApiProvider } from '../api/api-context.js';
import { Layout } from './layout.js';
import { NoSuchPage } from './no-such-page.js';
import { pages } from './pages.js';
import { matchPath, useLocation } from './router.js';
import { signOut, useToken } from './session.js';
import { SignInPage } from './sign-in-page.js';

export function App() {
  const token = useToken();
  const { path } = useLocation();
  const [notice, setNotice] = useState<string | null>(null);
  const client = useMemo(
    () =>
      token === null
        ? null
        : new ApiClient(token, (error) => {
            setNotice(`The service refused the token: ${error.message}`);
            signOut();
          }),
    [token],
  );
  const found = useMemo(() => {
    for (const page of pages) {
      const params = matchPath(page.path, path);
      if (params) return { page, params };
    }
    return null;
  }, [path]);

  useEffect(() => {
    document.title = client
      ? `sqlmig — ${found?.page.title ?? 'No such page'}`
      : 'sqlmig — Sign in';
  }, [client, found]);

  if (!client) return <SignInPage notice={notice} />;
  return (
    <ApiProvider client={client}>
      <Layout pages={pages} current={found?.page ?? null}>
        {found ? found.page.render(found.params) : <NoSuchPage path={path} />}
      </Layout>
    </ApiProvider>
  );
}
