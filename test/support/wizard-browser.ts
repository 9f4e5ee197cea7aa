/**
 * TEST SUPPORT — a real headless Chromium (Debian's `chromium`, driven by playwright-core) signed in
 * to a `sqlmig up` child process, for the wizard's browser tests; screenshots go to the git-ignored
 * `test-artifacts/wizard/`. Skips (with the reason) where Chromium or the build is missing.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

import { projectRoot } from './corpus.js';
import { cliPath } from './service-process.js';

export const chromiumPath = '/usr/bin/chromium';
const webIndex = join(projectRoot, 'dist', 'web', 'index.html');

/** Why the browser suites cannot run here, or null. */
export const browserSkipReason: string | null = !existsSync(chromiumPath)
  ? `${chromiumPath} is missing (apt-get install -y chromium)`
  : !existsSync(cliPath) || !existsSync(webIndex)
    ? 'the build is missing: run "npm run build" first'
    : null;

export const artifactsDir = join(projectRoot, 'test-artifacts', 'wizard');

export async function launchBrowser(): Promise<Browser> {
  await mkdir(artifactsDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A new tab at a laptop's size, signed in with the service's token. */
export async function signedIn(browser: Browser, url: string, token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel('Service token').fill(token);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** A full-page screenshot named for the page it shows. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}
