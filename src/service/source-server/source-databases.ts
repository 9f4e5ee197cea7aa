/**
 * The wizard's databases page: the source instance's user databases with what decides whether and
 * how they can move (state, recovery model, compatibility level, size, TDE).
 */
import type { SourceConnectionInput, SourceDatabase } from '../../api-contract/index.js';
import { withSourceConnection, type SourceConnector } from './source-connection.js';

/** User databases (ids above 4: master, tempdb, model and msdb are not migrated), by name. */
export const DATABASES_SQL = `SELECT d.name AS name,
  d.state_desc AS state,
  d.recovery_model_desc AS recoveryModel,
  d.compatibility_level AS compatibilityLevel,
  d.is_encrypted AS isEncrypted,
  CAST(COALESCE(SUM(CAST(f.size AS bigint)), 0) * 8192 AS bigint) AS sizeBytes
FROM sys.databases AS d
LEFT JOIN sys.master_files AS f ON f.database_id = d.database_id
WHERE d.database_id > 4
GROUP BY d.name, d.state_desc, d.recovery_model_desc, d.compatibility_level, d.is_encrypted
ORDER BY d.name`;

export function listSourceDatabases(
  connect: SourceConnector,
  input: SourceConnectionInput,
): Promise<SourceDatabase[]> {
  return withSourceConnection(connect, input, async (connection) => {
    const rows = await connection.query(DATABASES_SQL);
    return rows.map((row) => ({
      name: String(row['name']),
      state: String(row['state']),
      recoveryModel: String(row['recoveryModel']),
      compatibilityLevel: Number(row['compatibilityLevel']),
      // tedious returns bigint columns as text.
      sizeBytes: Number(row['sizeBytes']),
      isEncrypted: row['isEncrypted'] === true || Number(row['isEncrypted']) === 1,
    }));
  });
}
