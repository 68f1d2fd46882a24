/**
 * The console's metrics panel against the real local stack: the functions' EMF lines, read as
 * CloudWatch Logs reads them, become totals on the event stream and in the snapshot of a page
 * opened later.
 */
import type { ConsoleSnapshot, MetricsUpdate } from '../../../src/console/console-api';
import { LocalConsole } from '../../../src/local/console/local-console';
import { frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import { EventStreamReader, pageHeaders, postJson } from './console-http';

function total(update: MetricsUpdate, name: string, reason?: string): number | undefined {
  return update.counters.find((counter) => counter.name === name && counter.dimensions.reason === reason)?.total;
}

describe('Class: LocalConsole, metrics', () => {
  let t: TestStack;
  let localConsole: LocalConsole;
  let url: string;
  let stream: EventStreamReader;

  beforeAll(async () => {
    localConsole = new LocalConsole();
    t = await startTestStack({ stage: 'local', authMode: 'authorizer', httpFallback: localConsole.handler });
    await localConsole.attach(t.stack);
    url = t.stack.endpoints.consoleUrl ?? '';
    stream = await EventStreamReader.open(`${url}api/events`);
  });

  afterAll(async () => {
    stream.close();
    await localConsole.close();
    await t.close();
  });

  // Waits allow for a loaded machine; each is a wait on an event, not a delay.
  it('counts a refused handshake, an opened connection, a stored and a delivered notification with its latency, from 0; a page opened later gets the totals', async () => {
    // Prepare
    const first = await stream.waitFor<ConsoleSnapshot>('snapshot');

    // Act: a token the authorizer denies, then a user who gets one notification.
    const refused = await t.refused('?token=not-a-token');
    const { client } = await t.connectAs('alice');
    const sent = await postJson(`${url}api/report-ready`, { userId: 'alice' }, pageHeaders(url));
    expect(sent.status).toBe(200);
    expect(frame(await client.next(15_000))).toMatchObject({ type: 'notification' });

    // Assess: pushed to the open page.
    expect(total(first.metrics, 'ConnectionsOpened')).toBe(0);
    expect(total(first.metrics, 'HandshakesRefused', 'unauthorized')).toBe(0);
    expect(first.metrics.timings).toEqual([{ name: 'DeliveryLatency', count: 0, p50: 0, p99: 0, max: 0 }]);
    expect(refused.status).toBe(403);
    const update = await stream.waitFor<MetricsUpdate>(
      'metrics',
      (metrics) => total(metrics, 'NotificationsDelivered') === 1 && total(metrics, 'HandshakesRefused', 'unauthorized') === 1,
      15_000,
    );
    expect(total(update, 'ConnectionsOpened')).toBe(1);
    expect(total(update, 'NotificationsStored')).toBe(1);
    expect(update.timings[0]).toMatchObject({ name: 'DeliveryLatency', count: 1 });
    expect(update.timings[0]?.p50).toBeGreaterThanOrEqual(0);

    // Act: a page opened now.
    const late = await EventStreamReader.open(`${url}api/events`);
    const snapshot = await late.waitFor<ConsoleSnapshot>('snapshot');
    late.close();

    // Assess: the totals since the stack started.
    expect(total(snapshot.metrics, 'NotificationsDelivered')).toBe(1);
    expect(total(snapshot.metrics, 'HandshakesRefused', 'unauthorized')).toBe(1);
    await client.close();
  }, 60_000);
});
