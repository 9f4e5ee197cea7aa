/**
 * The migration wizard in a real headless Chromium against a real `sqlmig up` (child process, built
 * bundle): a rehearsal migration of the corpus chain from a local folder clicked through every page
 * and followed on the dashboard to Succeeded; "Save and close" and resume (the password asked again,
 * never stored); a wrong runtime key and a failing connection test named by its hop. Screenshots of
 * each page go to test-artifacts/wizard/.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chain, chainNames } from '../support/chain-files.js';
import { corpusSkipReason, hasBackupCorpus } from '../support/corpus.js';
import { hasPerfDataCorpus, perfDataCorpus } from '../support/perf-data-corpus.js';
import {
  killAll,
  startRuntimeNode,
  startService,
  type ServiceProcess,
} from '../support/service-process.js';
import { browserSkipReason, launchBrowser, shoot, signedIn } from '../support/wizard-browser.js';

const skip = browserSkipReason ?? (hasBackupCorpus ? null : corpusSkipReason);
if (skip) console.warn(`Wizard browser tests skipped: ${skip}`);

describe.skipIf(skip !== null)(`the migration wizard${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let root: string;
  let service: ServiceProcess;
  let token: string;
  let browser: Browser;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqlmig-wizard-'));
    service = await startService({
      dataDir: join(root, 'data'),
      args: ['--poll-interval-ms', '200'],
    });
    token = (await readFile(join(root, 'data', 'service.token'), 'utf8')).trim();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser.close();
    await service.stop();
    await killAll();
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  const nav = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  const next = (page: Page) => page.getByRole('button', { name: /^Next:/ }).click();
  const heading = (page: Page, name: string) =>
    page.getByRole('heading', { level: 2, name }).waitFor();
  /** From the "New migration" page to a new session's first page. */
  const begin = async (page: Page) => {
    await nav(page, 'New migration').click();
    await page.getByRole('button', { name: 'Begin a new migration' }).click();
    await heading(page, 'Source connection');
  };
  /** Backups only, one database named by hand, on to the target page. */
  const toTarget = async (page: Page, database: string, shots = false) => {
    await page.getByLabel(/No connection: migrate from backups only/).check();
    if (shots) await shoot(page, '01-source-connection');
    await page.keyboard.press('Enter');
    await heading(page, 'Databases');
    await page.getByLabel('Database name').fill(database);
    await page.getByLabel('Database name').press('Enter');
    await page.getByRole('list', { name: 'Chosen databases' }).getByText(database).waitFor();
    if (shots) await shoot(page, '02-databases');
    await next(page);
    await heading(page, 'Assessment');
    await page.getByText(/Skipped: the assessment reads the source instance/).waitFor();
    if (shots) await shoot(page, '03-assessment');
    await next(page);
    await heading(page, 'SKU recommendation');
    if (shots && hasPerfDataCorpus) {
      // The corpus's performance data, imported in place; then a refresh at another percentile.
      await page.getByLabel('Folder', { exact: true }).fill(perfDataCorpus);
      await page.getByLabel('Percentile').selectOption('90');
      await page.getByRole('button', { name: 'Recommend' }).click();
      const found = page.getByRole('region', { name: 'Recommendation' });
      await found.getByText(/90th percentile/).waitFor({ timeout: 30_000 });
      await found.getByRole('table').first().getByRole('rowheader', { name: 'vCores' }).waitFor();
      await shoot(page, '04-sku-recommendation');
      await page.getByLabel('Scaling factor (%)').fill('150');
      await page.getByRole('button', { name: 'Refresh the recommendation' }).click();
      await found.getByText(/scaling 150%/).waitFor({ timeout: 30_000 });
    } else {
      await page.getByLabel('Folder', { exact: true }).fill(join(root, 'no-perf-data'));
      await page.getByRole('button', { name: 'Recommend' }).click();
      await page
        .getByRole('alert')
        .getByText(/NoData|UnreadableFile/)
        .waitFor();
      if (shots) await shoot(page, '04-sku-recommendation-no-data');
    }
    await next(page);
    await heading(page, 'Target');
  };

  it('migrates a real backup chain in rehearsal, clicked through every page, to Succeeded', async () => {
    const folder = join(root, 'backups', 'RestoreTimeClean');
    await mkdir(folder, { recursive: true });
    for (const name of chainNames) await copyFile(chain(name), join(folder, name));

    const page = await signedIn(browser, service.url, token);
    await begin(page);
    await toTarget(page, 'RestoreTimeClean', true);

    const rehearsal = page.getByRole('radio', { name: /Rehearsal/ });
    expect(await rehearsal.isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: /Managed Instance/ }).isDisabled()).toBe(true);
    await shoot(page, '05-target');
    await next(page);

    await heading(page, 'Mode and backups');
    await page.getByLabel('Target name of RestoreTimeClean').fill('WizardRehearsal');
    await page.getByLabel('Backup folder of RestoreTimeClean').fill(folder);
    await shoot(page, '06-mode-and-backups');
    await next(page);

    await heading(page, 'Migration service');
    await page.getByRole('button', { name: 'Show the keys' }).click();
    // Hidden until asked for; copied or read without being shown.
    const key1Field = page.getByLabel('authKey1', { exact: true });
    expect(await key1Field.getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Show the keys' }).click();
    expect(await key1Field.getAttribute('type')).toBe('text');
    await page.getByRole('button', { name: 'Hide the keys' }).click();
    const key1 = await key1Field.inputValue();
    expect(key1).toMatch(/^sqlmig-ir-/);
    await page.getByRole('cell', { name: 'embedded-runtime' }).waitFor();
    await shoot(page, '07-migration-service');
    await next(page);

    await heading(page, 'Summary');
    await page.getByRole('button', { name: 'Check the target' }).click();
    const checks = page.getByRole('list', { name: 'Target checks for WizardRehearsal' });
    await checks.waitFor();
    expect(await checks.getByText('Failed').count()).toBe(0);
    await page.getByRole('button', { name: 'Start the migration' }).click();
    await page.getByRole('link', { name: 'Follow WizardRehearsal' }).waitFor();
    await shoot(page, '08-summary-started');

    // Listed on the dashboard, then followed on its page until it is ready for cutover.
    await nav(page, 'Dashboard').click();
    const row = page.getByRole('row', { name: /WizardRehearsal/ });
    await row.getByText(/In progress/i).waitFor({ timeout: 30_000 });
    await shoot(page, '09-dashboard');
    await row.getByRole('link', { name: 'WizardRehearsal' }).click();
    await page
      .getByText(/Ready for cutover/i)
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(async (error: unknown) => {
        await shoot(page, '10-migration-not-ready');
        const now = await service.client.getMigration('default', 'WizardRehearsal');
        throw new Error(
          `the migration page did not show WizardRehearsal ready for cutover; the service says ${JSON.stringify(now.properties.migrationStatusDetails?.migrationState)} (${String(error)})`,
        );
      });
    await shoot(page, '10-migration-ready');
    await page
      .getByRole('button', { name: /^Cut ?over/i })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('checkbox').check();
    await dialog.getByRole('button', { name: /^Cut ?over$/i }).click();
    await page.getByText('Succeeded').first().waitFor({ timeout: 60_000 });
    await shoot(page, '11-migration-succeeded');
    const done = await service.client.getMigration('default', 'WizardRehearsal');
    expect(done.properties.migrationStatus).toBe('Succeeded');
    expect(done.properties.sourceDatabaseName).toBe('RestoreTimeClean');
    expect(done.properties.kind).toBe('Rehearsal');
    await page.context().close();
  }, 180_000);

  it('saves and closes with Escape, and resumes with the password asked again', async () => {
    const page = await signedIn(browser, service.url, token);
    await begin(page);
    await page.getByLabel('Server', { exact: true }).fill('127.0.0.1,1');
    await page.getByLabel('User name').fill('migrator');
    const password = 'Never-Stored-Passw0rd';
    await page.getByLabel('Password', { exact: true }).fill(password);
    // Nothing listens on port 1: the check names the failed connection.
    await page.getByRole('button', { name: 'Test connection' }).click();
    const checks = page.getByRole('list', { name: 'Connection checks' });
    await checks.getByText('Failed').first().waitFor({ timeout: 30_000 });
    await shoot(page, '12-source-connection-failed');
    await page.getByLabel('User name').press('Escape');
    await page.getByRole('heading', { level: 2, name: 'Saved sessions' }).waitFor();
    await shoot(page, '13-saved-sessions');

    const sessions = (await (
      await fetch(`${service.url}/api/migrationSessions`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { value: { steps: unknown }[] };
    expect(JSON.stringify(sessions)).toContain('127.0.0.1,1');
    expect(JSON.stringify(sessions)).not.toContain(password);
    // Nor in the state database (its file and write-ahead log) of the service.
    const dataDir = join(root, 'data');
    const stateFiles = (await readdir(dataDir)).filter((name) => name.startsWith('sqlmig.db'));
    expect(stateFiles).toContain('sqlmig.db');
    let sawSession = false;
    for (const name of stateFiles) {
      const bytes = await readFile(join(dataDir, name));
      expect(bytes.includes(Buffer.from(password)), name).toBe(false);
      sawSession ||= bytes.includes(Buffer.from('127.0.0.1,1'));
    }
    // The session's other entries are there in clear, so a password would have been seen.
    expect(sawSession).toBe(true);

    await page.getByRole('link', { name: 'Resume' }).first().click();
    await heading(page, 'Source connection');
    expect(await page.getByLabel('Server', { exact: true }).inputValue()).toBe('127.0.0.1,1');
    expect(await page.getByLabel('User name').inputValue()).toBe('migrator');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await shoot(page, '14-resumed-password-empty');
    await page.context().close();
  }, 90_000);

  it('refuses a wrong runtime key, shows the node a right one registers, and names the failing hop', async () => {
    const page = await signedIn(browser, service.url, token);
    await begin(page);
    await toTarget(page, 'Elsewhere');
    await next(page);
    await heading(page, 'Mode and backups');
    const missing = join(root, 'no-such-folder', 'Elsewhere');
    await page.getByLabel('Backup folder of Elsewhere').fill(missing);
    await next(page);

    await heading(page, 'Migration service');
    await page.getByLabel('Or create one').fill('edge');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText(/Integration runtime: NeedRegistration/).waitFor();
    await page.getByRole('button', { name: 'Show the keys' }).click();
    const key = await page.getByLabel('authKey2', { exact: true }).inputValue();
    const wrongKey = `${key.slice(0, -4)}AAAA`;

    const refused = await startRuntimeNode({
      url: service.url,
      authKey: wrongKey,
      name: 'wrong-key-node',
      expectRegistered: false,
    });
    expect(await refused.exited).not.toBe(0);
    expect(refused.output()).toMatch(/InvalidAuthKey|not one of/);
    await page.getByLabel('Key the node was started with').fill(wrongKey);
    await page.getByRole('button', { name: 'Check the key' }).click();
    await page.getByText(/This is not one of edge's two current keys/).waitFor();
    expect(await page.getByText('No node has registered with edge yet.').count()).toBe(1);
    await shoot(page, '15-runtime-wrong-key');

    await startRuntimeNode({ url: service.url, authKey: key, name: 'edge-node-1' });
    await page.getByRole('cell', { name: 'edge-node-1' }).waitFor({ timeout: 15_000 });
    await page.getByText(/Integration runtime: Online/).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/^Failed at: Backup location/).waitFor({ timeout: 60_000 });
    const hops = page.getByRole('list', { name: 'Connection test' });
    expect(await hops.getByText('Failed').count()).toBe(1);
    await shoot(page, '16-runtime-node-and-failing-hop');
    await page.context().close();
  }, 150_000);
});
