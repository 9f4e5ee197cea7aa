/**
 * The dashboard in a real headless Chromium, against the real service (`sqlmig up` in a child
 * process, rehearsal target): signing in; a migration of real corpus backups watched live until it
 * is ready, a refused cutover showing the service's reason, then a cutover accepted and seen
 * Succeeded; and 2,000 migrations listed a page at a time, filtered and searched. Screenshots go to
 * test-artifacts/web/. Needs `npm run build` (dist/cli and dist/web).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Locator } from 'playwright-core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openStateStore } from '../../src/service/state/index.js';
import { browserSkipReason, launchBrowser, signIn, type TestBrowser } from '../support/browser.js';
import { chain } from '../support/chain-files.js';
import { corpusFile, corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';
import { seedEndedMigrations } from '../support/seeded-migrations.js';
import { arrive, killAll, startService, type ServiceProcess } from '../support/service-process.js';

const skipReason = browserSkipReason() ?? (hasBackupCorpus ? null : corpusSkipReason);

describe.skipIf(skipReason !== null)(
  `the dashboard in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let root: string;
    let dataDir: string;
    let service: ServiceProcess;
    let browser: TestBrowser;

    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), 'sqlmig-web-e2e-'));
      dataDir = join(root, 'data');
      service = await startService({ dataDir, args: ['--poll-interval-ms', '100'] });
      browser = await launchBrowser();
    });
    afterEach(async () => {
      await browser.close();
      await service.stop();
      await rm(root, { recursive: true, force: true });
    });
    afterAll(killAll);

    it("signs in with the token only: a wrong one is refused with the service's reason", async () => {
      const { page } = browser;
      await page.goto(`${service.url}/`);
      await expectTitle(page, 'sqlmig — Sign in');
      await page.getByLabel('Service token').fill('not-the-token');
      await page.keyboard.press('Enter');
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(
        /Unauthorized.*Send the service token/,
      );
      await browser.screenshot('sign-in-refused');
      await signIn(page, `${service.url}/`, dataDir);
      // Keyboard first: the first Tab reaches the skip link, which leads to the page's content.
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string | null>('document.activeElement?.textContent')).toBe(
        'Skip to content',
      );
      await page.keyboard.press('Enter');
      expect(await page.evaluate<string | null>('document.activeElement?.id')).toBe('main');
      // The token is kept for the tab only, never in the address nor in what sqlmig up printed.
      expect(service.output()).toContain(`Dashboard: ${service.url}/ (sign in with the token in`);
      expect(service.output()).not.toContain(
        await page.evaluate<string>("window.sessionStorage.getItem('sqlmig.token')"),
      );
      expect(page.url()).toBe(`${service.url}/#main`);
      expect(await page.evaluate<number>('window.localStorage.length')).toBe(0);
      expect(
        await page.evaluate<string | null>("window.sessionStorage.getItem('sqlmig.token')"),
      ).toHaveLength(43);
      expect(browser.problems).toEqual([
        // The refused sign-in's 401, as the browser logs a failed request.
        expect.stringMatching(/401/),
      ]);
    });

    it('watches a rehearsal migration live, shows a refused cutover with its reason, then cuts over to Succeeded', async () => {
      const { page } = browser;
      const folder = join(root, 'share', 'Sales');
      await mkdir(folder, { recursive: true });
      await signIn(page, `${service.url}/`, dataDir);
      await service.client.startMigration('default', 'Sales', {
        sourceDatabaseName: 'RestoreTimeClean',
        backupFolder: folder,
        offline: false,
      });
      // The list picks it up by itself (no reload), then its page.
      await page.getByRole('link', { name: 'Sales', exact: true }).click();
      await page.getByRole('heading', { name: 'Sales', level: 1 }).waitFor();
      await page.evaluate('window.notReloaded = true');

      // The full and the first and third logs: the second is missing, a gap the chain shows.
      await arrive(folder, chain('RestoreTimeClean.bak'));
      await arrive(folder, chain('RestoreTimeClean_1.trn'));
      await arrive(folder, chain('RestoreTimeClean_3.trn'));
      // And a backup of another database, which the chain shows ignored, with the reason.
      await arrive(folder, corpusFile('appveyor-lab/singlerestore/singlerestore.bak'));
      const gapBox = page.locator('[data-testid="restore-chain"] g[data-gap-before="true"]');
      await gapBox.waitFor({ timeout: 20_000 });
      await expect(gapBox.getAttribute('data-set-type')).resolves.toBe('Log');
      await page.locator('g.chain-set[data-set-type="Full"][data-state="restored"]').waitFor();
      await page
        .getByText(/Gap: no log backup covers LSN 25000000015300001 to 25000000016300001/)
        .waitFor();
      const fact = (name: string) => page.locator(`[data-fact="${name}"] dd`);
      await expect(fact('Full backup').textContent()).resolves.toMatch(
        /RestoreTimeClean\.bak \(restored\)/,
      );
      await expect(fact('Log backups pending').textContent()).resolves.toBe('1');
      const fileRow = (name: string) => page.locator(`tr[data-file="${name}"]`);
      await expect(
        fileRow('RestoreTimeClean_3.trn').locator('[data-status]').textContent(),
      ).resolves.toBe('Uploaded');
      await expect(fileRow('RestoreTimeClean_3.trn').textContent()).resolves.toMatch(
        /80\.5 KB \/ 80\.5 KB.*25000000016300001.*25000000017300001/,
      );
      await page.locator('g.chain-left-out[data-file="singlerestore.bak"]').waitFor();
      await page.getByText(/Left out: singlerestore\.bak — BackupOfAnotherDatabase/).waitFor();
      await expect(
        fileRow('singlerestore.bak').locator('[data-status="Ignored"]').count(),
      ).resolves.toBe(1);
      await browser.screenshot('migration-gap');

      // Cutover now: the checklist shows what is missing; the service refuses and says why.
      await page.getByRole('button', { name: 'Cutover…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Cut over Sales' });
      await expect(dialog.getByTestId('pending-logs').textContent()).resolves.toBe(
        'Log backups pending: 1',
      );
      await expect(dialog.locator('.check-bad').first().textContent()).resolves.toMatch(
        /1 log backup\(s\) are not restored yet/,
      );
      const confirm = dialog.getByRole('button', { name: 'Cut over' });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByRole('checkbox').check();
      await confirm.click();
      const refusal = dialog.getByRole('alert');
      await expect(refusal.textContent()).resolves.toMatch(
        /The service refused the cutover: CutoverNotAllowed Cutover is not possible yet: 1 log backup\(s\) are not restored/,
      );
      await browser.screenshot('cutover-refused');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      // The missing log arrives: the page follows on its own until the migration is ready.
      await arrive(folder, chain('RestoreTimeClean_2.trn'));
      await page.getByText('Ready for cutover', { exact: true }).waitFor({ timeout: 20_000 });
      await expect(fact('Log backups pending').textContent()).resolves.toBe('0');
      expect(await page.locator('g[data-gap-before="true"]').count()).toBe(0);
      expect(await page.locator('g.chain-set[data-state="restored"]').count()).toBe(4);
      expect(await page.locator('g.chain-set[data-state="left-out"]').count()).toBe(1);
      await expect(fact('Last applied').textContent()).resolves.toMatch(
        /RestoreTimeClean_3\.trn up to LSN 25000000017300001/,
      );
      await browser.screenshot('migration-ready');

      await page.getByRole('button', { name: 'Cutover…' }).click();
      await expect(dialog.locator('.check-bad').count()).resolves.toBe(0);
      await dialog.getByRole('checkbox').check();
      await dialog.getByRole('button', { name: 'Cut over' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.locator('h1 + .badge[data-status="Succeeded"]').waitFor({ timeout: 20_000 });
      expect(await page.evaluate<boolean>('window.notReloaded === true')).toBe(true);
      // Ended: no cutover, no cancel; delete and copy remain.
      expect(await page.getByRole('button', { name: 'Cutover…' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Delete…' }).waitFor();
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await page.getByRole('button', { name: 'Copy details as JSON' }).click();
      await page.getByText('Details copied as JSON.').waitFor();
      const copied = JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()')) as {
        name: string;
        properties: { migrationStatus: string };
      };
      expect(copied).toMatchObject({ name: 'Sales', properties: { migrationStatus: 'Succeeded' } });
      await browser.screenshot('migration-succeeded');

      await page.getByRole('link', { name: 'Migrations', exact: true }).click();
      await shows(page.getByTestId('count-succeeded'), '1');
      await shows(page.getByTestId('count-active'), '0');
      // The refused cutover's 409, as the browser logs a failed request; nothing else.
      expect(browser.problems).toEqual([expect.stringMatching(/409 \(Conflict\)/)]);
    }, 60_000);

    it('cancels a migration (saying what is dropped), then deletes it from the list', async () => {
      const { page } = browser;
      const folder = join(root, 'share', 'Hr');
      await mkdir(folder, { recursive: true });
      await service.client.startMigration('default', 'Hr', {
        sourceDatabaseName: 'RestoreTimeClean',
        backupFolder: folder,
        offline: false,
      });
      await signIn(page, `${service.url}/migrations/default/Hr`, dataDir);
      await page.getByRole('heading', { name: 'Hr', level: 1 }).waitFor();
      // Delete waits for the end; cancel asks first, and "keep it running" keeps it.
      expect(await page.getByRole('button', { name: 'Delete…' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Cancel migration…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel the migration to Hr?' });
      await expect(dialog.textContent()).resolves.toMatch(/the target database Hr is\s+dropped/);
      await dialog.getByRole('button', { name: 'Keep it running' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Cancel migration…' }).click();
      await dialog.getByRole('button', { name: 'Cancel the migration' }).click();
      await page.locator('h1 + .badge[data-status="Canceled"]').waitFor({ timeout: 20_000 });

      await page.getByRole('button', { name: 'Delete…' }).click();
      await page
        .getByRole('dialog', { name: 'Delete the migration to Hr?' })
        .getByRole('button', { name: 'Delete', exact: true })
        .click();
      // Back on the dashboard, where it is gone.
      await page.getByRole('heading', { name: 'Migrations', level: 1 }).waitFor();
      await shows(page.getByTestId('count-all'), '0');
      await page.getByText('No migration matches.').waitFor();
      await expect(service.client.listMigrations('default')).resolves.toMatchObject({ value: [] });
      expect(browser.problems).toEqual([]);
    });

    it('lists 2,000 migrations a page at a time, filtered by state and searched by name', async () => {
      const store = await openStateStore({ dataDir });
      const seeded = await seedEndedMigrations(store, 2000).finally(() => store.close());
      const { page } = browser;
      await signIn(page, `${service.url}/`, dataDir);
      const rows = page.locator('table.migrations tbody tr');
      await shows(page.getByTestId('count-all'), '2,000');
      await shows(page.getByTestId('count-failed'), seeded.failed.toLocaleString('en-US'));
      await page.getByText('Showing 1–50 of 2,000').waitFor();
      expect(await rows.count()).toBe(50);
      await browser.screenshot('dashboard-2000');

      // A search asks the service, once typing pauses: 20 Payroll migrations, all on one page.
      await page.getByLabel('Search').fill('payroll');
      await page.getByText(`Showing 1–${seeded.payroll} of ${seeded.payroll}`).waitFor();
      expect(await rows.count()).toBe(seeded.payroll);
      expect(await rows.locator('td:first-child').allTextContents()).toEqual(
        Array.from(
          { length: seeded.payroll },
          (_, i) => `Payroll${String(i * 100 + 42).padStart(5, '0')}`,
        ),
      );
      expect(new URL(page.url()).searchParams.get('search')).toBe('payroll');

      // A state card filters; the pages move on the service, 50 rows at most each.
      await page.getByLabel('Search').fill('');
      await page.getByRole('button', { name: /Failed/ }).click();
      await page.getByText(`Showing 1–50 of ${seeded.failed.toLocaleString('en-US')}`).waitFor();
      expect(await rows.locator('[data-status="Failed"]').count()).toBe(50);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText(`Showing 51–100 of ${seeded.failed.toLocaleString('en-US')}`).waitFor();
      expect(await rows.count()).toBe(50);
      await page.goBack();
      // The address held the filter: back returns to the first page of failed migrations.
      await page.getByText(`Showing 1–50 of ${seeded.failed.toLocaleString('en-US')}`).waitFor();
      expect(await page.getByRole('button', { name: /Failed/ }).getAttribute('aria-pressed')).toBe(
        'true',
      );
      await browser.screenshot('dashboard-failed-filter');

      // A row opens its migration: the failure is shown as the service recorded it.
      await page.getByRole('link', { name: 'Sales00006', exact: true }).click();
      await page
        .getByText(
          'Failed: BrokenRestorePlanGapInLogBackups. A log backup is missing between two others.',
        )
        .waitFor();
      await page.getByRole('button', { name: 'Delete…' }).waitFor();
      expect(browser.problems).toEqual([]);
    }, 60_000);
  },
);

/** Waits until the element's whole text is `text`. */
async function shows(locator: Locator, text: string): Promise<void> {
  await locator.and(locator.page().getByText(text, { exact: true })).waitFor();
}

async function expectTitle(page: TestBrowser['page'], title: string): Promise<void> {
  await page.waitForFunction(`document.title === ${JSON.stringify(title)}`);
}
