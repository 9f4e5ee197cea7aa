/** An address no page has: says so and leads back to the dashboard. */
import { Link } from './router.js';

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
