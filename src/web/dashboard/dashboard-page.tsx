/** The dashboard: the default service's migrations. */
import { useResource } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';
import { Link, pathOf } from '../shell/router.js';

export function DashboardPage() {
  const list = useResource('list', (api) => api.listMigrations('default', { top: 50 }), 2000);
  return (
    <section>
      <h1>Migrations</h1>
      {list.error ? <ErrorMessage error={list.error} /> : null}
      <ul>
        {list.data?.value.map((m) => (
          <li key={m.name}>
            <Link to={pathOf('migrations', 'default', m.name)}>{m.name}</Link>{' '}
            {m.properties.migrationStatus}
          </li>
        ))}
      </ul>
    </section>
  );
}
