/**
 * The web console in headless Chromium against the real local stack, in both modes: two demo
 * clients as different users, "report ready" for one reaches only that one, the connection table
 * follows; and the same page saved as a static file, driven with a pasted URL and token.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Locator, Page } from 'playwright-core';
import { LocalConsole } from '../../src/local/console/local-console';
import { startTestStack, type TestStack } from '../helpers/local-stack';
import { launchChromium, saveScreenshot, TEST_RESULTS_DIRECTORY, type Browser } from './helpers/chromium';

const WAIT = { timeout: 15_000 };

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
});

const card = (page: Page, user: string): Locator => page.locator(`[data-testid="client-card"][data-user="${user}"]`);
const row = (page: Page, user: string): Locator => page.locator(`[data-testid="connection-row"][data-user="${user}"]`);

async function addClient(page: Page, user: string): Promise<void> {
  await page.getByTestId('user-id').fill(user);
  await page.getByTestId('connect').click();
  await card(page, user).and(page.locator('[data-state="authorized"]')).waitFor(WAIT);
}

describe.each(['authorizer', 'action'] as const)('Console in Chromium (mode %s)', (authMode) => {
  let t: TestStack;
  let localConsole: LocalConsole;
  let consoleUrl: string;

  beforeAll(async () => {
    localConsole = new LocalConsole();
    t = await startTestStack({ stage: 'local', authMode, httpFallback: localConsole.handler });
    await localConsole.attach(t.stack);
    consoleUrl = t.stack.endpoints.consoleUrl ?? '';
  });

  afterAll(async () => {
    await localConsole?.close();
    await t?.close();
  });

  it('notifies only the addressed user, and the connection table follows the demo clients', async () => {
    const page = await browser.newPage();
    await page.goto(consoleUrl);
    await page.getByTestId('live-status').and(page.getByText('live', { exact: true })).waitFor(WAIT);
    expect(await page.getByTestId('stage-info').textContent()).toBe(`stage "local" · auth mode ${authMode} · ${t.stack.endpoints.websocketUrl}`);

    await addClient(page, 'alice');
    await addClient(page, 'bob');

    await row(page, 'alice').and(page.locator('[data-state="authorized"]')).waitFor(WAIT);
    await row(page, 'bob').and(page.locator('[data-state="authorized"]')).waitFor(WAIT);
    expect(await page.getByTestId('connection-row').count()).toBe(2);
    expect(await row(page, 'alice').locator('td').nth(3).textContent()).toBe(authMode);
    if (authMode === 'action') {
      await card(page, 'alice').getByTestId('frames').getByText(/"type":"authorized","userId":"alice"/).waitFor(WAIT);
    }

    // The card names its connection in both modes, without a press of Ping.
    const aliceConnection = await row(page, 'alice').getAttribute('data-connection-id');
    await card(page, 'alice').getByTestId('client-connection-id').and(page.getByText(`connection ${aliceConnection}`, { exact: true })).waitFor(WAIT);

    const pongs = card(page, 'alice').getByTestId('frames').getByText(/"type":"pong"/);
    const pongsBefore = await pongs.count();
    await card(page, 'alice').getByTestId('ping').click();
    await pongs.nth(pongsBefore).waitFor(WAIT);

    await card(page, 'alice').getByTestId('report-ready').click();

    const link = card(page, 'alice').getByTestId('download-link');
    await link.waitFor(WAIT);
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/reports\/\d+$/);
    expect(await link.textContent()).toBe(href);
    // NotifyUser fanned it out to one connection, alice's, and that copy was delivered: bob gets nothing.
    await page.locator('[data-testid="feed-item"][data-kind="notification"]').filter({ hasText: /for alice \(seq 1\) stored, 1 connection$/ }).waitFor(WAIT);
    await page.getByTestId('feed-item').filter({ hasText: /NotifyConnection → NotifyConnection: 1 message, success/ }).waitFor(WAIT);
    expect(await card(page, 'bob').getByTestId('notification').count()).toBe(0);
    expect(await card(page, 'bob').getByTestId('frames').getByText('"type":"notification"').count()).toBe(0);
    expect(await card(page, 'alice').getByTestId('notification').count()).toBe(1);
    expect(await page.locator('[data-testid="feed-item"][data-kind="delivery"]').count()).toBe(1);

    await card(page, 'alice').getByTestId('disconnect').click();

    await card(page, 'alice').and(page.locator('[data-state="stopped"]')).waitFor(WAIT);
    await row(page, 'alice').waitFor({ state: 'detached', ...WAIT });
    await row(page, 'bob').and(page.locator('[data-state="authorized"]')).waitFor(WAIT);
    expect(await page.getByTestId('connection-row').count()).toBe(1);
    expect(await page.content()).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    expect(browser.errors).toEqual([]);

    await saveScreenshot(page, `console-${authMode}`);
    await page.close();
  });

  it('works as a static file against a stage, with a pasted URL and token, and without the live view', async () => {
    mkdirSync(TEST_RESULTS_DIRECTORY, { recursive: true });
    const file = path.join(TEST_RESULTS_DIRECTORY, `ws-notify-console-${authMode}.html`);
    const download = await fetch(`${consoleUrl}ws-notify-console.html`);
    writeFileSync(file, await download.text());
    const page = await browser.newPage();
    await page.goto(`file://${file}`);

    await page.getByTestId('live-status').and(page.getByText('live view off', { exact: true })).waitFor(WAIT);
    expect(await page.getByTestId('target-local').isVisible()).toBe(false);
    await page.getByTestId('remote-url').fill(t.stack.endpoints.websocketUrl);
    await page.getByTestId('remote-mode').selectOption(authMode);
    await page.getByTestId('remote-token').fill(await t.token('carol'));
    await page.getByTestId('connect').click();

    const client = page.getByTestId('client-card');
    await client.and(page.locator('[data-state="authorized"]')).waitFor(WAIT);
    expect(await client.getByTestId('report-ready').count()).toBe(0);
    await t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId: 'carol', data: { download: '/reports/99' } }) }));

    await client.getByTestId('download-link').and(page.getByText('/reports/99')).waitFor(WAIT);
    expect(await page.content()).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    expect(browser.errors).toEqual([]);
    await page.close();
  });
});
