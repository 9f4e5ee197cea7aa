/**
 * The conformance suite against both state databases. PostgreSQL is the server named by
 * SQLMIG_TEST_DATABASE_URL, else a throwaway PostgreSQL 15 started here; without either the
 * PostgreSQL suite is skipped and its name says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { postgresForTests, type TestPostgres } from '../../support/postgres.js';
import { postgresHarness, sqliteHarness, type StoreHarness } from '../../support/state-stores.js';
import { describeStateStoreConformance } from './state-store-conformance.js';
import { expectCode, service } from './state-fixtures.js';

describe('SQLite state store', () => {
  const harness = sqliteHarness();
  describeStateStoreConformance(() => harness);
});

const postgres = postgresForTests();
if (!postgres.available) console.warn(`PostgreSQL state store tests skipped: ${postgres.reason}`);

describe.skipIf(!postgres.available)(
  `PostgreSQL state store${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`,
  () => {
    let server: TestPostgres | undefined;
    let harness: StoreHarness | undefined;
    beforeAll(async () => {
      if (!postgres.available) return;
      server = await postgres.start();
      harness = await postgresHarness(server);
    }, 60_000);
    afterAll(async () => {
      await harness?.dispose();
      await server?.stop();
    }, 60_000);
    const current = (): StoreHarness => {
      if (harness === undefined) throw new Error('the PostgreSQL harness did not start');
      return harness;
    };

    describeStateStoreConformance(current);

    it('reports a transaction that PostgreSQL aborted after a caught statement failure', async () => {
      const location = await current().fresh();
      const store = await location.open();
      const outcome = store.transaction(async (tx) => {
        await tx.putService(service('kept-if-committed'), 0);
        // PostgreSQL text cannot hold NUL: the statement fails and aborts the transaction.
        await tx.putService(service('bad\u0000name'), 0).catch(() => undefined);
      });
      await expectCode(outcome, 'TransactionAborted');
      expect(await store.transaction((tx) => tx.listServices())).toEqual([]);
    });
  },
);
