/**
 * The wizard's source pages in a real headless Chromium, against the service's API and built bundle
 * served in process, with the source instance a scripted SQL Server catalog (a stand-in: no SQL
 * Server runs here): the connection tested with the permission check, the databases listed and
 * picked, the live assessment shown per database with its findings; after "Save and close" and
 * resume, the password is asked again before the source is read. Screenshots go to
 * test-artifacts/wizard/.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { apiForTests, type ApiForTests } from '../support/api-for-tests.js';
import { projectRoot } from '../support/corpus.js';
import { engineHarness, type EngineHarness } from '../support/engine-harness.js';
import { PerfCollections } from '../../src/service/source-server/index.js';
import { scriptCatalog } from '../support/scripted-catalog.js';
import { ScriptedSqlSource } from '../support/scripted-sql-source.js';
import type { ScriptedSqlConnection } from '../support/scripted-sql.js';
import { browserSkipReason, launchBrowser, shoot, signedIn } from '../support/wizard-browser.js';

const token = 'wizard-source-token-0123456789';
const password = 'Source-Passw0rd-in-memory-only';

/** The stand-in instance: SQL Server 2019, a sysadmin login, Sales (with xp_cmdshell in a procedure) and HR. */
function sourceInstance(): ScriptedSqlConnection {
  return scriptCatalog({
    productVersion: '15.0.4345.5',
    databases: [
      {
        name: 'Sales',
        modules: [
          {
            schemaName: 'dbo',
            objectName: 'Nightly',
            objectType: 'P ',
            definition:
              "CREATE PROCEDURE dbo.Nightly AS\nBEGIN\n  EXEC master..xp_cmdshell 'dir C:\\export';\nEND",
          },
        ],
      },
      { name: 'HR' },
    ],
  })
    .on(/AS hasControlServer/, [
      {
        serverName: 'SQL01',
        productVersion: '15.0.4345.5',
        edition: 'Developer Edition (64-bit)',
        loginName: 'migrator',
        isSysadmin: 1,
        hasControlServer: 1,
      },
    ])
    .on(/recovery_model_desc AS recoveryModel/, [
      {
        name: 'HR',
        state: 'ONLINE',
        recoveryModel: 'SIMPLE',
        compatibilityLevel: 150,
        isEncrypted: false,
        sizeBytes: '16777216',
      },
      {
        name: 'Sales',
        state: 'ONLINE',
        recoveryModel: 'FULL',
        compatibilityLevel: 150,
        isEncrypted: true,
        sizeBytes: '1073741824',
      },
    ]);
}

describe.skipIf(browserSkipReason !== null)(
  `the wizard's source pages${browserSkipReason ? ` (skipped: ${browserSkipReason})` : ''}`,
  () => {
    let h: EngineHarness;
    let api: ApiForTests;
    let server: ServerType;
    let url: string;
    let browser: Browser;
    const passwordsSent: string[] = [];

    beforeAll(async () => {
      h = await engineHarness();
      api = await apiForTests(
        h,
        token,
        {},
        {
          webRoot: join(projectRoot, 'dist', 'web'),
          // Collections from a modelled source (stand-in), a sample every 100 ms, a window of 5.
          perfCollections: new PerfCollections({
            connect: () =>
              Promise.resolve(
                new ScriptedSqlSource().addDatabase('Sales', [
                  { rates: { reads: 10, bytesRead: 1024 * 1024 } },
                ]).connection,
              ),
            perfIntervalMs: 100,
            staticIntervalMs: 1000,
            iterations: 5,
          }),
          connectSource: (options) => {
            passwordsSent.push(options.password);
            return Promise.resolve(sourceInstance());
          },
        },
      );
      server = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise<void>((resolve) => server.once('listening', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await launchBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser.close();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      await api.close();
      await h.close();
    });

    it('tests the connection, lists and picks databases, assesses them, and asks the password again on resume', async () => {
      await api.app.request('/api/sqlMigrationServices/default', {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}` },
      });
      const page = await signedIn(browser, url, token);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'New migration' })
        .click();
      await page.getByRole('button', { name: 'Begin a new migration' }).click();
      await page.getByRole('heading', { level: 2, name: 'Source connection' }).waitFor();

      await page.getByLabel('Server', { exact: true }).fill('sql01.contoso.com,1433');
      await page.getByLabel('User name').fill('migrator');
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Test connection' }).click();
      const checks = page.getByRole('list', { name: 'Connection checks' });
      await checks.getByText('migrator is a member of sysadmin.').waitFor();
      expect(await checks.getByText('Succeeded').count()).toBe(3);
      await shoot(page, '20-source-connection-checked');
      await page.getByRole('button', { name: /^Next:/ }).click();

      await page.getByRole('heading', { level: 2, name: 'Databases' }).waitFor();
      await page.getByRole('button', { name: 'Load the databases' }).click();
      await page.getByLabel('Migrate Sales').check();
      await page.getByRole('cell', { name: /certificate must be on the target/ }).waitFor();
      await shoot(page, '21-databases-listed');
      await page.getByRole('button', { name: /^Next:/ }).click();

      await page.getByRole('heading', { level: 2, name: 'Assessment' }).waitFor();
      await page.getByRole('button', { name: 'Assess', exact: true }).click();
      const report = page.getByRole('region', { name: /^Assessment of / });
      await report
        .getByRole('row', { name: /Sales Ready with warnings/ })
        .waitFor({ timeout: 10_000 })
        .catch(async (error: unknown) => {
          await shoot(page, '22-assessment-not-shown');
          throw error;
        });
      await report.getByText(/XpCmdshell/).click();
      await report.getByText(/PROCEDURE dbo\.Nightly, line 3/).waitFor();
      await shoot(page, '22-assessment');
      await page.getByRole('button', { name: /^Next:/ }).click();

      await page.getByRole('heading', { level: 2, name: 'SKU recommendation' }).waitFor();
      await page.getByLabel(/^Collect now from the source/).check();
      await page.getByLabel('Folder', { exact: true }).fill(join(h.root, 'perf'));
      await page.getByRole('button', { name: 'Start collecting' }).click();
      await page.getByText(/Collecting from SQL01 into/).waitFor();
      await page.getByText(/[2-9] windows written/).waitFor({ timeout: 20_000 });
      await page.getByRole('button', { name: 'Stop collecting' }).click();
      await page.getByText(/Collection from SQL01 stopped/).waitFor({ timeout: 20_000 });
      await page.getByRole('button', { name: 'Recommend' }).click();
      // Seconds of data, not the 10 minutes a recommendation needs: the page says so.
      await page
        .getByRole('region', { name: 'Recommendation' })
        .getByText(/minutes? of data from SQL01/)
        .waitFor({ timeout: 20_000 });
      await shoot(page, '23-sku-collected');
      await page.getByRole('button', { name: 'Back' }).click();
      await page.getByRole('heading', { level: 2, name: 'Assessment' }).waitFor();
      expect(passwordsSent.length).toBeGreaterThanOrEqual(3);
      expect(passwordsSent.every((p) => p === password)).toBe(true);

      await page.getByRole('button', { name: 'Save and close' }).click();
      await page.getByRole('link', { name: 'Resume' }).click();
      await page.getByRole('heading', { level: 2, name: 'Assessment' }).waitFor();
      await page.getByText(/Sales ready with warnings/).waitFor();
      await page.getByRole('button', { name: 'Back' }).click();
      await page.getByRole('button', { name: 'Load the databases' }).click();
      await page.getByRole('alert').getByText('PasswordRequired').waitFor();
      const again = page.getByLabel(/^Password of migrator on sql01/);
      expect(await again.inputValue()).toBe('');
      await shoot(page, '24-resumed-password-asked-again');
      const before = passwordsSent.length;
      await again.fill(password);
      await page.getByRole('button', { name: 'Load the databases' }).click();
      await page.getByLabel('Migrate Sales').waitFor();
      expect(await page.getByLabel('Migrate Sales').isChecked()).toBe(true);
      expect(passwordsSent.slice(before)).toEqual([password]);
      await page.context().close();
    }, 90_000);
  },
);
