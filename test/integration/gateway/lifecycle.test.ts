import { WebSocket } from 'ws';
import { WebSocketGateway, GatewayError, type DisconnectEvent, type ConnectionView } from '../../../src/local/gateway';
import { GatewayHarness, STANDARD_ROUTES } from '../../fixtures/gateway/gateway-harness';
import { deferred, TestFunctionInvoker } from '../../fixtures/gateway/test-function-invoker';
import { eventually } from '../../helpers/eventually';

const harness = new GatewayHarness();
afterEach(() => harness.cleanup());

describe('Class: WebSocketGateway (lifecycle)', () => {
  describe('Method: listen', () => {
    it('listens on 127.0.0.1 on a free port and reports its URLs', async () => {
      const { gateway, url, managementApiUrl } = await harness.start({ stage: 'dev' });

      expect(gateway.port).toBeGreaterThan(0);
      expect(url).toBe(`ws://127.0.0.1:${gateway.port}/dev`);
      expect(managementApiUrl).toBe(`http://127.0.0.1:${gateway.port}/dev`);
      expect(gateway.address()).toEqual({ port: gateway.port, websocketUrl: url, managementApiUrl });
    });

    it('fails with code listen_failed when the port is taken', async () => {
      const { gateway } = await harness.start();
      const second = new WebSocketGateway({ stage: 'local', routes: [...STANDARD_ROUTES], invoker: new TestFunctionInvoker(), port: gateway.port });

      const listening = second.listen();

      await expect(listening).rejects.toBeInstanceOf(GatewayError);
      await expect(listening).rejects.toMatchObject({ code: 'listen_failed', cause: expect.objectContaining({ code: 'EADDRINUSE' }) as unknown });
      await second.close();
    });

    it('returns the same address when called again while listening', async () => {
      const { gateway, url } = await harness.start();

      await expect(gateway.listen()).resolves.toMatchObject({ websocketUrl: url });
    });

    it('cannot listen again after close()', async () => {
      const { gateway } = await harness.start();
      const neverListened = new WebSocketGateway({ stage: 'local', routes: [], invoker: new TestFunctionInvoker() });

      await gateway.close();
      await neverListened.close();

      await expect(gateway.listen()).rejects.toMatchObject({ name: 'GatewayError', code: 'gateway_closed' });
      await expect(neverListened.listen()).rejects.toMatchObject({ name: 'GatewayError', code: 'gateway_closed' });
    });
  });

  describe('$disconnect', () => {
    it.each([
      ['a close frame with a code and reason', 4000, 'bye', { code: 4000, reason: 'bye' }],
      ['a normal close', 1000, undefined, { code: 1000, reason: '' }],
      ['a close frame without a status code', undefined, undefined, { code: 1005, reason: 'Client-side close frame status not set' }],
    ])('runs once after %s, with AWS disconnectStatusCode and disconnectReason', async (_case, code, reason, expected) => {
      // Prepare
      const { url, invoker, gateway } = await harness.start();
      const client = await harness.connect(url);
      const connectionId = invoker.eventsOf('Connect')[0]!.requestContext.connectionId;

      // Act
      await client.close(code, reason);
      const event = await invoker.waitForCall('Disconnect');

      // Assess
      expect(event.requestContext).toMatchObject({ routeKey: '$disconnect', eventType: 'DISCONNECT', connectionId, disconnectStatusCode: expected.code, disconnectReason: expected.reason });
      expect(invoker.eventsOf('Disconnect')).toHaveLength(1);
      expect(gateway.connectionCount).toBe(0);
    });

    it('runs with 1006 when the client drops the TCP connection without a close frame', async () => {
      const { url, invoker, gateway } = await harness.start();
      const events: DisconnectEvent[] = [];
      gateway.on('disconnect', (event) => events.push(event));
      const client = await harness.connect(url);

      client.socket.terminate();
      const event = await invoker.waitForCall('Disconnect');

      expect(event.requestContext).toMatchObject({ disconnectStatusCode: 1006, disconnectReason: '' });
      expect(events).toEqual([expect.objectContaining({ code: 1006, cause: 'abnormal' })]);
    });

    it('runs after a successful $connect whose client left before the handshake completed', async () => {
      // Prepare
      const release = deferred();
      const { url, invoker, gateway } = await harness.start({ functions: { Connect: () => release.promise.then(() => ({ statusCode: 200 })) } });
      const outcomes: string[] = [];
      gateway.on('handshake', (event) => outcomes.push(event.outcome));
      const socket = new WebSocket(url);
      socket.on('error', () => undefined);
      const connect = await invoker.waitForCall('Connect');

      // Act
      const clientClosed = new Promise((resolve) => socket.once('close', resolve));
      socket.terminate();
      await clientClosed;
      // Let the gateway's side of the TCP connection read the FIN before $connect returns: the gateway
      // runs in this process, and over loopback the FIN is there once the client's socket has closed,
      // so the poll phase of the next turn of the event loop reads it.
      await new Promise(setImmediate);
      await new Promise(setImmediate);
      release.resolve();
      const disconnect = await invoker.waitForCall('Disconnect');

      // Assess
      expect(disconnect.requestContext).toMatchObject({ connectionId: connect.requestContext.connectionId, disconnectStatusCode: 1006 });
      expect(outcomes).toEqual(['client-gone']);
      expect(gateway.connectionCount).toBe(0);
    });

    it('ignores what $disconnect returns or throws', async () => {
      const { url, invoker, gateway } = await harness.start({
        functions: {
          Disconnect: () => {
            throw new Error('cleanup failed');
          },
        },
      });
      const routes: string[] = [];
      gateway.on('route', (event) => routes.push(`${event.routeKey}:${event.result}`));
      const client = await harness.connect(url);

      await client.close(1000);
      await invoker.waitForCall('Disconnect');
      await gateway.close();

      expect(routes).toEqual(['$connect:ok', '$disconnect:error']);
    });
  });

  describe('connection registry', () => {
    it('shows each open connection with its identity and authorizer context, live', async () => {
      // Prepare
      const authorizer = { functionId: 'Authorizer', identitySource: ['route.request.querystring.token'] };
      const allow = (): unknown => ({
        principalId: 'u-1',
        policyDocument: { Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }] },
        context: { userId: 'u-1' },
      });
      const { url, gateway } = await harness.start({ authorizer, functions: { Authorizer: allow } });
      const connected: ConnectionView[] = [];
      gateway.on('connection', (connection) => connected.push(connection));

      // Act
      const client = await harness.connect(`${url}?token=t`);
      const [view] = [...gateway.connections()];
      const before = view!.lastActiveAt;
      await eventually('the clock to move past the connection time', () => (Date.now() > before ? true : undefined));
      await client.request('hello');

      // Assess
      expect(connected).toEqual([view]);
      expect(view).toMatchObject({ state: 'open', identity: { sourceIp: '127.0.0.1' }, authorizer: { userId: 'u-1', principalId: 'u-1' } });
      expect(gateway.getConnection(view!.connectionId)).toBe(view);
      expect(view!.lastActiveAt).toBeGreaterThan(before);
      await client.close(1000);
      expect(gateway.getConnection(view!.connectionId)).toBeUndefined();
      expect(view!.state).toBe('closed');
    });
  });

  describe('Method: close', () => {
    it('closes every client with 1001 Going away and runs $disconnect for each before it resolves', async () => {
      // Prepare
      const { url, invoker, gateway } = await harness.start();
      const clients = await Promise.all([harness.connect(url), harness.connect(url), harness.connect(url)]);
      const causes: string[] = [];
      gateway.on('disconnect', (event) => causes.push(event.cause));

      // Act
      await gateway.close();

      // Assess
      for (const client of clients) expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
      const disconnects = invoker.eventsOf('Disconnect');
      expect(disconnects).toHaveLength(3);
      for (const event of disconnects) expect(event.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
      expect(causes).toEqual(['shutdown', 'shutdown', 'shutdown']);
      expect(gateway.connectionCount).toBe(0);
    });

    it('waits for $disconnect functions that are still running', async () => {
      const release = deferred();
      const { url, gateway, invoker } = await harness.start({ functions: { Disconnect: () => release.promise.then(() => ({ statusCode: 200 })) } });
      await harness.connect(url);
      let closed = false;

      const closing = gateway.close().then(() => (closed = true));
      // $disconnect is running; a close that did not wait for it would have resolved by the next turns.
      await invoker.waitForCall('Disconnect');
      await new Promise(setImmediate);
      await new Promise(setImmediate);
      const closedBeforeRelease = closed;
      release.resolve();
      await closing;

      expect(closedBeforeRelease).toBe(false);
      expect(closed).toBe(true);
    });

    it('cuts off clients that do not answer the close frame within closeTimeoutMs', async () => {
      // Prepare: a client whose socket stops reading never sends its close frame back.
      const { url, invoker, gateway } = await harness.start({ closeTimeoutMs: 50 });
      const client = await harness.connect(url);
      client.socket.pause();

      // Act
      await gateway.close();

      // Assess
      expect(invoker.eventsOf('Disconnect')[0]!.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
    });

    it('refuses handshakes that complete while it runs, and runs their $disconnect', async () => {
      // Prepare
      const release = deferred();
      const { url, gateway, invoker } = await harness.start({ functions: { Connect: () => release.promise.then(() => ({ statusCode: 200 })) } });
      const connecting = harness.handshakeStatus(url);
      await invoker.waitForCall('Connect');

      // Act
      const closing = gateway.close();
      release.resolve();
      const rejected = await connecting;
      await closing;

      // Assess
      expect(rejected.status).toBe(503);
      expect(invoker.eventsOf('Disconnect')).toHaveLength(1);
    });

    it('is safe to call twice', async () => {
      const { gateway } = await harness.start();

      const [first, second] = [gateway.close(), gateway.close()];

      expect(second).toBe(first);
      await expect(first).resolves.toBeUndefined();
      await expect(gateway.close()).resolves.toBeUndefined();
    });
  });
});
