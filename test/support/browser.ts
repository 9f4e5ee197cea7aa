/**
 * TEST SUPPORT — a real headless Chromium (Debian's `chromium`, driven by `playwright-core`) with a
 * fresh profile per launch, signed in to a running service the way a user signs in; and where the
 * browser tests write their screenshots (`test-artifacts/web/`, git-ignored). Without Chromium the
 * suites skip, saying why; with `CI` set they fail instead, since CI installs it (.ci/run).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { projectRoot } from './corpus.js';

export const chromiumPath = '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
const onCi = (process.env['CI'] ?? '') !== '';

/** Why the browser suites skip (null: they run). Throws on CI, where Chromium must be there. */
export function browserSkipReason(): string | null {
  if (hasChromium) return null;
  const reason = `${chromiumPath} is missing (apt-get install -y chromium; .ci/run installs it)`;
  if (onCi) throw new Error(`CI is set, so Chromium must be installed: ${reason}.`);
  return reason;
}

export const artifactsDir = join(projectRoot, 'test-artifacts', 'web');

export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** What the pages printed to their console and every error they threw (a CSP refusal shows here). */
  readonly problems: string[];
  /** Saves a full-page screenshot as `test-artifacts/web/<name>.png`. */
  screenshot(name: string, page?: Page): Promise<void>;
  close(): Promise<void>;
}

/** Launches Chromium (no network beyond loopback, no sync, no updates) on a new profile. */
export async function launchBrowser(viewport = { width: 1440, height: 900 }): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'sqlmig-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  await mkdir(artifactsDir, { recursive: true });
  return {
    context,
    page,
    problems,
    async screenshot(name, which = page) {
      await which.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `url` and signs in with the token of the service's data folder, as a user pastes it. */
export async function signIn(page: Page, url: string, dataDir: string): Promise<void> {
  const token = (await readFile(join(dataDir, 'service.token'), 'utf8')).trim();
  await page.goto(url);
  await page.getByLabel('Service token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
