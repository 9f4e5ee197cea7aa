/** One migration's details. */
import { useResource } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';

export function MigrationPage({
  serviceName,
  targetDbName,
}: {
  serviceName: string;
  targetDbName: string;
}) {
  const migration = useResource(
    `${serviceName}/${targetDbName}`,
    (api) => api.getMigration(serviceName, targetDbName),
    2000,
  );
  return (
    <section>
      <h1>{targetDbName}</h1>
      {migration.error ? <ErrorMessage error={migration.error} /> : null}
      <p>{migration.data?.properties.migrationStatus}</p>
    </section>
  );
}
