/** A page whose feature is not built yet, and an address no page has. */
import { Link } from './router.js';

export function NotBuiltPage() {
  return (
    <section>
      <h1>New migration</h1>
      <p>
        The wizard is not built yet. Start a migration with{' '}
        <code>sqlmig migration start --target-db NAME --source-db NAME --backup-folder PATH</code>;
        it shows on the <Link to="/">dashboard</Link>.
      </p>
    </section>
  );
}

export function NoSuchPage({ path }: { path: string }) {
  return (
    <section>
      <h1>No such page</h1>
      <p>
        Nothing lives at <code>{path}</code>. Go to the <Link to="/">dashboard</Link>.
      </p>
    </section>
  );
}
