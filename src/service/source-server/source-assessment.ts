/**
 * The wizard's assessment page: the live assessment (`assessment/`'s `assessLive`) of the chosen
 * databases over a connection opened for it and closed after, for a Managed Instance tier.
 */
import { assessLive, type AssessmentReport, type ServiceTier } from '../../assessment/index.js';
import type { SourceConnectionInput } from '../../api-contract/index.js';
import { withSourceConnection, type SourceConnector } from './source-connection.js';

export function assessSource(
  connect: SourceConnector,
  input: SourceConnectionInput,
  databases: readonly string[],
  tier: ServiceTier = 'GeneralPurpose',
): Promise<AssessmentReport> {
  return withSourceConnection(connect, input, (connection) =>
    assessLive(connection, { databases, tier }),
  );
}
