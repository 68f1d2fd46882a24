/**
 * Headless Chromium for the e2e tests: Debian's /usr/bin/chromium (not a downloaded browser),
 * offline flags, a fresh empty profile removed on close. Collects page errors and console errors
 * (a CSP violation is one) so a test can assert there were none.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';

export const CHROMIUM_PATH = process.env.WS_NOTIFY_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where test runs leave screenshots (gitignored). */
export const TEST_RESULTS_DIRECTORY = path.join(PROJECT_ROOT, 'test-results');

export interface Browser {
  readonly context: BrowserContext;
  /** A new tab whose errors are recorded in `errors`. */
  newPage(): Promise<Page>;
  /** Page errors and console errors of every tab, as text. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with apt-get install -y chromium (or set WS_NOTIFY_CHROMIUM)`);
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1440, height: 900 },
  });
  const errors: string[] = [];
  return {
    context,
    errors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-results/ and prints its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(TEST_RESULTS_DIRECTORY, { recursive: true });
  const file = path.join(TEST_RESULTS_DIRECTORY, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`screenshot: ${path.relative(process.cwd(), file) || file}\n`);
  return file;
}
