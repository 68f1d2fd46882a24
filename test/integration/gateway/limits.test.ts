import type { DisconnectEvent, WebSocketGateway } from '../../../src/local/gateway';
import { GatewayHarness, sleep, type TestClient } from '../../fixtures/gateway/gateway-harness';

const harness = new GatewayHarness();
afterEach(() => harness.cleanup());

const KB = 1024;

function disconnects(gateway: WebSocketGateway): DisconnectEvent[] {
  const events: DisconnectEvent[] = [];
  gateway.on('disconnect', (event) => events.push(event));
  return events;
}

/** Sends a text message in frames of `frameSize` bytes (ws marks the follow-up frames as continuations). */
async function sendFragmented(client: TestClient, message: string, frameSize: number): Promise<void> {
  for (let offset = 0; offset < message.length; offset += frameSize) {
    const part = message.slice(offset, offset + frameSize);
    await client.send(part, { fin: offset + frameSize >= message.length });
  }
}

describe('Class: WebSocketGateway (limits)', () => {
  describe('message and frame sizes', () => {
    it('closes with 1009 on a 129 KB message and never dispatches it', async () => {
      // Prepare
      const { url, invoker, gateway } = await harness.start();
      const events = disconnects(gateway);
      const client = await harness.connect(url);

      // Act
      await client.send('x'.repeat(129 * KB));
      const closed = await client.closed;

      // Assess
      expect(closed.code).toBe(1009);
      const disconnect = await invoker.waitForCall('Disconnect');
      expect(disconnect.requestContext).toMatchObject({ disconnectStatusCode: 1009, disconnectReason: 'Message too big' });
      expect(invoker.eventsOf('Default')).toEqual([]);
      expect(events).toEqual([expect.objectContaining({ code: 1009, cause: 'frame-too-big' })]);
    });

    it('closes with 1009 on a message of 32 KB frames that adds up to more than 128 KB', async () => {
      const { url, invoker, gateway } = await harness.start();
      const events = disconnects(gateway);
      const client = await harness.connect(url);

      await sendFragmented(client, 'y'.repeat(150 * KB), 30 * KB);
      const closed = await client.closed;

      expect(closed.code).toBe(1009);
      expect((await invoker.waitForCall('Disconnect')).requestContext).toMatchObject({ disconnectStatusCode: 1009 });
      expect(invoker.eventsOf('Default')).toEqual([]);
      expect(events).toEqual([expect.objectContaining({ code: 1009, cause: 'message-too-big' })]);
    });

    it('closes with 1009 on a single 33 KB frame', async () => {
      const { url, invoker } = await harness.start();
      const client = await harness.connect(url);

      await client.send('z'.repeat(33 * KB));

      expect((await client.closed).code).toBe(1009);
      expect(invoker.eventsOf('Default')).toEqual([]);
    });

    it('accepts a frame of exactly 32 KB', async () => {
      const { url } = await harness.start();
      const client = await harness.connect(url);

      const reply = await client.request('a'.repeat(32 * KB));

      expect(reply).toBe(`default:${'a'.repeat(32 * KB)}`);
    });

    it('accepts a 100 KB message sent in 32 KB frames and delivers it whole', async () => {
      // Prepare
      const { url, invoker } = await harness.start();
      const client = await harness.connect(url);
      const message = JSON.stringify({ action: 'ping', data: 'd'.repeat(100 * KB - 40) });

      // Act
      await sendFragmented(client, message, 32 * KB);
      const reply = await client.next();

      // Assess
      expect(JSON.parse(reply)).toMatchObject({ type: 'pong' });
      expect(invoker.eventsOf('Ping')[0]!.body).toBe(message);
      expect(client.socket.readyState).toBe(client.socket.OPEN);
    });

    it('dispatches the messages sent before an oversized frame, and nothing of or after it', async () => {
      // Prepare
      const { url, invoker } = await harness.start();
      const client = await harness.connect(url);

      // Act: queued together, these usually reach the gateway in one TCP read.
      void client.send('first');
      void client.send('second');
      void client.send('o'.repeat(33 * KB));
      void client.send('after');
      await client.closed;
      await invoker.waitForCall('Disconnect');

      // Assess
      expect(invoker.eventsOf('Default').map((event) => event.body)).toEqual(['first', 'second']);
    });

    it('never dispatches a fragmented message whose second frame is oversized', async () => {
      const { url, invoker } = await harness.start();
      const client = await harness.connect(url);

      await client.send('start-', { fin: false });
      await client.send('p'.repeat(40 * KB), { fin: true });

      expect((await client.closed).code).toBe(1009);
      await invoker.waitForCall('Disconnect');
      expect(invoker.eventsOf('Default')).toEqual([]);
    });
  });

  describe('frame types', () => {
    it('closes with 1003 on a binary frame, as API Gateway takes text only', async () => {
      const { url, invoker, gateway } = await harness.start();
      const events = disconnects(gateway);
      const client = await harness.connect(url);

      await client.send(Buffer.from([1, 2, 3]), { binary: true });

      expect(await client.closed).toEqual({ code: 1003, reason: 'Unsupported data' });
      expect((await invoker.waitForCall('Disconnect')).requestContext).toMatchObject({ disconnectStatusCode: 1003, disconnectReason: 'Unsupported data' });
      expect(invoker.eventsOf('Default')).toEqual([]);
      expect(events).toEqual([expect.objectContaining({ cause: 'binary-frame' })]);
    });

    it('closes with 1007 on a text frame that is not valid UTF-8 (ws validates it)', async () => {
      const { url, invoker, gateway } = await harness.start();
      const events = disconnects(gateway);
      const client = await harness.connect(url);

      await client.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });

      expect((await client.closed).code).toBe(1007);
      expect((await invoker.waitForCall('Disconnect')).requestContext).toMatchObject({ disconnectStatusCode: 1007 });
      expect(invoker.eventsOf('Default')).toEqual([]);
      expect(events).toEqual([expect.objectContaining({ code: 1007, cause: 'invalid-utf8' })]);
    });
  });

  describe('idle timeout and maximum duration', () => {
    it('closes an idle connection with 1001 and reports Going away to $disconnect, as API Gateway does', async () => {
      // Prepare
      const { url, invoker, gateway } = await harness.start({ limits: { idleTimeoutSeconds: 0.3 } });
      const events = disconnects(gateway);
      const client = await harness.connect(url);

      // Act
      const closed = await client.closed;

      // Assess
      expect(closed).toEqual({ code: 1001, reason: 'Going away' });
      const disconnect = await invoker.waitForCall('Disconnect');
      expect(disconnect.requestContext).toMatchObject({ routeKey: '$disconnect', eventType: 'DISCONNECT', disconnectStatusCode: 1001, disconnectReason: 'Going away' });
      expect(events).toEqual([expect.objectContaining({ code: 1001, reason: 'Going away', cause: 'idle-timeout' })]);
    });

    it('resets the idle timer on every frame the client sends, pings included', async () => {
      // Prepare: no route response, so the gateway never writes to the clients.
      const routes = [{ routeKey: '$default', functionId: 'Default', returnResponse: false }];
      const { url, gateway, invoker } = await harness.start({ routes, limits: { idleTimeoutSeconds: 0.4 } });
      const events = disconnects(gateway);
      const pinging = await harness.connect(url);
      const messaging = await harness.connect(url);

      // Act: keep both busy for 2.5 times the idle timeout, a frame every 50 ms (the input of the test).
      for (let i = 0; i < 20; i++) {
        pinging.socket.ping();
        await messaging.send('still here');
        await sleep(50);
      }

      // Assess
      expect(events).toEqual([]);
      expect(pinging.socket.readyState).toBe(pinging.socket.OPEN);
      expect(messaging.socket.readyState).toBe(messaging.socket.OPEN);
      expect(messaging.pending).toEqual([]);
      expect(invoker.eventsOf('Default')).toHaveLength(20);
      expect((await pinging.closed).code).toBe(1001);
    });

    it('resets the idle timer on every message the gateway sends to the client', async () => {
      const { url, managementApiUrl, invoker, gateway } = await harness.start({ limits: { idleTimeoutSeconds: 0.4 } });
      const events = disconnects(gateway);
      const client = await harness.connect(url);
      const connectionId = invoker.eventsOf('Connect')[0]!.requestContext.connectionId;

      // A message every 50 ms or so (the input of the test), for more than 2.5 times the idle timeout.
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${managementApiUrl}/@connections/${encodeURIComponent(connectionId)}`, { method: 'POST', body: `tick ${i}` });
        expect(response.status).toBe(200);
        await client.next();
        await sleep(50);
      }

      expect(events).toEqual([]);
      expect(client.socket.readyState).toBe(client.socket.OPEN);
    });

    it('closes a connection at its maximum duration with 1001, however active it is', async () => {
      // Prepare
      const { url, invoker, gateway } = await harness.start({ limits: { maxConnectionDurationSeconds: 0.5, idleTimeoutSeconds: 60 } });
      const events = disconnects(gateway);
      // Before the handshake: the gateway counts the duration from the connection, which comes after.
      const started = Date.now();
      const client = await harness.connect(url);

      // Act
      const closing = client.closed;
      let replies = 0;
      while (client.socket.readyState === client.socket.OPEN) {
        await client.send('busy');
        await Promise.race([client.next(), closing]);
        replies++;
        await sleep(20);
      }
      const closed = await closing;

      // Assess
      expect(closed).toEqual({ code: 1001, reason: 'Going away' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(490);
      expect(replies).toBeGreaterThan(5);
      expect((await invoker.waitForCall('Disconnect')).requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
      expect(events).toEqual([expect.objectContaining({ cause: 'max-duration' })]);
    });
  });
});
