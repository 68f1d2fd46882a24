/**
 * The console's demo clients are the client library in the browser (headless Chromium, the real
 * local stack, both modes): a notification sent while a client is cut off arrives once when it is
 * back; a page reload resumes from the cursor saved in localStorage, without repeating anything;
 * and the card shows the client's state as it changes.
 */
import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Locator, Page } from 'playwright-core';
import { LocalConsole } from '../../src/local/console/local-console';
import type { LocalLogEntry } from '../../src/local/runtime';
import { startTestStack, type TestStack } from '../helpers/local-stack';
import { launchChromium, saveScreenshot, type Browser } from './helpers/chromium';

const WAIT = { timeout: 15_000 };
/** A reconnection waits out a backoff that grows while the browser is offline. */
const RECONNECT_WAIT = { timeout: 45_000 };
/** How long NotifyUser may take to store a notification before a test gives up (not a speed check). */
const STORE_DEADLINE_MS = 15_000;

/** What Chromium logs while offline: failed handshakes and the live view's dropped event stream. */
const OFFLINE_ERROR = /net::ERR_INTERNET_DISCONNECTED|net::ERR_NAME_NOT_RESOLVED|ERR_NETWORK_CHANGED/;

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
});

const card = (page: Page, user: string): Locator => page.locator(`[data-testid="client-card"][data-user="${user}"]`);
const inState = (page: Page, state: string): Locator => page.locator(`[data-state="${state}"]`);

async function addClient(page: Page, user: string): Promise<Locator> {
  await page.getByTestId('user-id').fill(user);
  await page.getByTestId('connect').click();
  const added = card(page, user);
  await added.and(inState(page, 'authorized')).waitFor(WAIT);
  return added;
}

/** Waits for the `resumed` frame of a resume answer with this count (the frame log shows what the client received). */
async function resumedWith(client: Locator, count: number, after?: number): Promise<void> {
  const pattern = after === undefined ? new RegExp(`"type":"resumed","after":\\d+,"latest":\\d+,"count":${count},`) : new RegExp(`"type":"resumed","after":${after},"latest":\\d+,"count":${count},`);
  await client.getByTestId('frames').getByText(pattern).first().waitFor(WAIT);
}

describe.each(['authorizer', 'action'] as const)('Demo clients on the client library in Chromium (mode %s)', (authMode) => {
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

  /** Sends to NotifyUser and resolves once NotifyUser has stored it (its fan-out log line). */
  async function notifyAndStore(userId: string, id: string, data: unknown): Promise<void> {
    let off = (): void => undefined;
    const stored = new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`NotifyUser did not store ${id} within ${STORE_DEADLINE_MS} ms`)), STORE_DEADLINE_MS);
      off = t.stack.onFunctionLog((entry: LocalLogEntry) => {
        if (entry.line.includes('Notification fanned out') && entry.line.includes(`"notificationId":${JSON.stringify(id)}`)) {
          clearTimeout(deadline);
          resolve();
        }
      });
    });
    try {
      await t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId, data, id }) }));
      await stored;
    } finally {
      off();
    }
  }

  it('delivers once, when the client is back, a notification sent while it was cut off; the card shows each state', async () => {
    // Prepare
    const page = await browser.newPage();
    await page.goto(consoleUrl);
    const dora = await addClient(page, 'dora');
    expect(await dora.getByTestId('client-state').textContent()).toBe('authorized');
    // Its first resume placed it (cursor 0: the inbox is empty); a reconnection resumes from there.
    await resumedWith(dora, 0);
    await dora.and(page.locator('[data-cursor="0"]')).waitFor(WAIT);
    // Mode authorizer: the card learns its connection id from a ping's pong.
    await dora.and(page.locator('[data-connection-id]:not([data-connection-id=""])')).waitFor(WAIT);
    const connectionId = await dora.getAttribute('data-connection-id');
    expect(connectionId).toMatch(/^[A-Za-z0-9_=-]+$/);
    await dora.getByTestId('client-connection-id').and(page.getByText(`connection ${connectionId}`, { exact: true })).waitFor(WAIT);
    // Every state the card shows from now on, in order.
    await dora.evaluate((element) => {
      const seen = [element.getAttribute('data-state') ?? ''];
      (window as unknown as { seenStates: string[] }).seenStates = seen;
      new MutationObserver(() => {
        const state = element.getAttribute('data-state') ?? '';
        if (seen.at(-1) !== state) seen.push(state);
      }).observe(element, { attributes: true, attributeFilter: ['data-state'] });
    });
    const errorsBefore = browser.errors.length;

    // Act: the browser goes offline (no new connection can open) and the service drops the connection
    const id = `while-away-${authMode}`;
    await browser.context.setOffline(true);
    try {
      await t.management.send(new DeleteConnectionCommand({ ConnectionId: connectionId ?? '' }));
      await dora.and(inState(page, 'reconnecting')).waitFor(WAIT);
      expect(await dora.getByTestId('client-state').textContent()).toBe('reconnecting');
      await notifyAndStore('dora', id, { download: '/reports/7' });
      expect(await dora.getByTestId('notification').count()).toBe(0);
    } finally {
      await browser.context.setOffline(false);
    }

    // Assess: back online, the client reconnects, resumes, and gets the notification once
    await dora.and(inState(page, 'authorized')).waitFor(RECONNECT_WAIT);
    await resumedWith(dora, 1, 0);
    expect(await dora.getByTestId('notification').count()).toBe(1);
    expect(await dora.locator(`[data-testid="notification"][data-id="${id}"]`).count()).toBe(1);
    expect(await dora.getByTestId('download-link').textContent()).toBe('/reports/7');
    expect(await dora.getByTestId('client-state').textContent()).toBe('authorized');
    const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
    expect(seen.slice(0, 2)).toEqual(['authorized', 'reconnecting']);
    expect(seen.at(-1)).toBe('authorized');
    expect(seen).toContain('connecting');
    if (authMode === 'action') expect(seen.at(-2)).toBe('open');
    expect(await dora.getByTestId('client-stats').textContent()).toMatch(/^1 delivered · 0 duplicates dropped · [1-9]\d* reconnects? · /);
    // A new connection, which the card names too.
    await dora.and(page.locator(`[data-connection-id]:not([data-connection-id=""]):not([data-connection-id="${connectionId}"])`)).waitFor(WAIT);
    expect(browser.errors.slice(errorsBefore).filter((error) => !OFFLINE_ERROR.test(error))).toEqual([]);

    // The card's own stop: the state says so
    await dora.getByTestId('disconnect').click();
    await dora.and(inState(page, 'stopped')).waitFor(WAIT);
    expect(await dora.getByTestId('client-state').textContent()).toBe('stopped');
    await saveScreenshot(page, `demo-client-reconnected-${authMode}`);
    await page.close();
  });

  it('resumes after a page reload from the cursor saved in localStorage, without duplicates', async () => {
    // Prepare: a notification stored before the client's first start, which begins at the inbox's end
    const user = 'erin';
    await notifyAndStore(user, 'before-first-start', 0);
    const page = await browser.newPage();
    await page.goto(consoleUrl);
    let erin = await addClient(page, user);
    await resumedWith(erin, 0);
    await erin.and(page.locator('[data-cursor="1"]')).waitFor(WAIT);
    await notifyAndStore(user, 'live', 1);
    await erin.locator('[data-testid="notification"][data-id="live"]').waitFor(WAIT);
    await erin.and(page.locator('[data-cursor="2"]')).waitFor(WAIT);

    // Act: the page goes away, a notification is stored meanwhile, the page comes back
    await page.goto('about:blank');
    await notifyAndStore(user, 'while-reloading', 2);
    await page.goto(consoleUrl);

    // Assess: the restored card resumed after 2: only the missed notification, once
    erin = card(page, user);
    await erin.and(inState(page, 'authorized')).waitFor(WAIT);
    await resumedWith(erin, 1, 2);
    expect(await erin.getByTestId('notification').evaluateAll((items) => items.map((item) => item.getAttribute('data-id')))).toEqual(['while-reloading']);
    await erin.and(page.locator('[data-cursor="3"]')).waitFor(WAIT);

    // Act: a plain reload, with nothing new
    await page.reload();

    // Assess: resumed after 3, nothing replayed, nothing shown twice
    erin = card(page, user);
    await erin.and(inState(page, 'authorized')).waitFor(WAIT);
    await resumedWith(erin, 0, 3);
    expect(await erin.getByTestId('notification').count()).toBe(0);
    expect(await erin.getAttribute('data-cursor')).toBe('3');
    expect(await page.getByTestId('client-card').count()).toBe(1);
    expect(await page.content()).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    await page.close();
  });
});
