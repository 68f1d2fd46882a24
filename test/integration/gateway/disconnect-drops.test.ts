/**
 * `dropDisconnects` (`npm start -- --drop-disconnect RATE`): that fraction of `$disconnect`
 * invocations never happens, whatever closed the connection; the client's close and the gateway's
 * `disconnect` observers are as usual, and nothing else changes.
 */
import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DisconnectEvent, WebSocketGateway } from '../../../src/local/gateway';
import { GatewayHarness } from '../../fixtures/gateway/gateway-harness';

const harness = new GatewayHarness();
afterEach(() => harness.cleanup());

/** The gateway's next `disconnect` event (drawn when it is emitted). */
const nextDisconnect = (gateway: WebSocketGateway): Promise<DisconnectEvent> => new Promise((resolve) => gateway.once('disconnect', resolve));

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length] ?? 0;
}

describe('Class: WebSocketGateway (dropped $disconnect invocations)', () => {
  it('drops exactly the drawn fraction of $disconnect invocations, for client closes, server closes and shutdown alike', async () => {
    // Prepare: draws 0.1 (< 0.5: dropped), 0.9 (invoked), 0.2 (dropped), 0.7 (invoked).
    const { url, invoker, gateway, managementApiUrl } = await harness.start({ dropDisconnects: { rate: 0.5, random: sequence(0.1, 0.9, 0.2, 0.7) } });
    const clients = [await harness.connect(url), await harness.connect(url), await harness.connect(url), await harness.connect(url)];
    const ids = invoker.eventsOf('Connect').map((event) => event.requestContext.connectionId);
    const events: DisconnectEvent[] = [];
    gateway.on('disconnect', (event) => events.push(event));

    // Act: a client close, a client close, a DELETE through the Management API, then the gateway's shutdown.
    let closed = nextDisconnect(gateway);
    await clients[0]!.close(1000);
    await closed;
    closed = nextDisconnect(gateway);
    await clients[1]!.close(4000, 'bye');
    await closed;
    closed = nextDisconnect(gateway);
    await harness.managementClient(managementApiUrl).send(new DeleteConnectionCommand({ ConnectionId: ids[2] }));
    await closed;
    await gateway.close();

    // Assess: every close is observed; only the second and fourth ran $disconnect.
    expect(events.map((event) => [event.connectionId, event.cause, event.disconnectDropped ?? false])).toEqual([
      [ids[0], 'client', true],
      [ids[1], 'client', false],
      [ids[2], 'management-api', true],
      [ids[3], 'shutdown', false],
    ]);
    expect(invoker.eventsOf('Disconnect').map((event) => event.requestContext.connectionId)).toEqual([ids[1], ids[3]]);
    expect(await clients[3]!.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(gateway.disconnectDrops.counts()).toEqual({ drawn: 4, dropped: 2 });
  });

  it('runs every $disconnect once the drops are stopped, and with none asked for', async () => {
    // Prepare
    const { url, invoker, gateway } = await harness.start({ dropDisconnects: { rate: 1 } });
    const dropped = await harness.connect(url);
    const closed = nextDisconnect(gateway);
    await dropped.close(1000);
    await closed;
    gateway.disconnectDrops.set(undefined);
    const kept = await harness.connect(url);

    // Act
    await kept.close(1000);
    await gateway.close();

    // Assess
    const [first, second] = invoker.eventsOf('Connect').map((event) => event.requestContext.connectionId);
    expect(invoker.eventsOf('Disconnect').map((event) => event.requestContext.connectionId)).toEqual([second]);
    expect(first).toBeDefined();
    expect(gateway.disconnectDrops.counts()).toEqual({ drawn: 1, dropped: 1 });
  });

  it('refuses a rate outside 0 to 1', async () => {
    await expect(harness.start({ dropDisconnects: { rate: 1.5 } })).rejects.toThrow('dropDisconnects.rate must be a number from 0 to 1, got 1.5');
  });
});
