import type { RouteInvocationEvent, WebSocketGateway, WebSocketGatewayOptions } from '../../../src/local/gateway';
import { AWS_ID_PATTERN } from '../../../src/local/gateway/ids';
import { deferred, type TestEvent } from '../../fixtures/gateway/test-function-invoker';
import { GatewayHarness } from '../../fixtures/gateway/gateway-harness';

const harness = new GatewayHarness();
afterEach(() => harness.cleanup());

/** Resolves once the gateway has finished with a message of that route (anything it sent is on the wire). */
function routeFinished(gateway: WebSocketGateway, routeKey: string): Promise<RouteInvocationEvent> {
  return new Promise((resolve) => {
    const listener = (event: RouteInvocationEvent): void => {
      if (event.routeKey !== routeKey) return;
      gateway.off('route', listener);
      resolve(event);
    };
    gateway.on('route', listener);
  });
}

/** An API with routes for every case: echo routes answer with the route key and body. */
const ROUTES: WebSocketGatewayOptions['routes'] = [
  { routeKey: '$connect', functionId: 'Connect', returnResponse: false },
  { routeKey: '$disconnect', functionId: 'Disconnect', returnResponse: false },
  { routeKey: '$default', functionId: 'Echo', returnResponse: true },
  { routeKey: 'ping', functionId: 'Echo', returnResponse: true },
  { routeKey: '1', functionId: 'Echo', returnResponse: true },
  { routeKey: 'true', functionId: 'Echo', returnResponse: true },
  { routeKey: 'oneway', functionId: 'Echo', returnResponse: false },
  { routeKey: 'respond', functionId: 'Respond', returnResponse: true },
  { routeKey: 'fail', functionId: 'Fail', returnResponse: true },
  { routeKey: 'failoneway', functionId: 'Fail', returnResponse: false },
];

const echo = (event: TestEvent): unknown => ({ statusCode: 200, body: `${event.requestContext.routeKey}|${String(event.body)}` });

/** `{"action":"respond","result":<what the function returns>}` */
const respond = (event: TestEvent): unknown => (JSON.parse(String(event.body)) as { result: unknown }).result;

async function startApi(options: Parameters<GatewayHarness['start']>[0] = {}) {
  const started = await harness.start({
    routes: ROUTES,
    ...options,
    functions: {
      Echo: echo,
      Respond: respond,
      Fail: () => {
        throw new Error('DynamoDB is down');
      },
      ...options.functions,
    },
  });
  const client = await harness.connect(started.url);
  return { ...started, client };
}

describe('Class: WebSocketGateway (routes)', () => {
  describe('route selection', () => {
    it.each([
      ['{"action":"ping"}', 'ping'],
      ['{"action":"ping","name":"Stepan"}', 'ping'],
      ['{"action":1}', '1'],
      ['{"action":true}', 'true'],
      ['{"action":"unknown"}', '$default'],
      ['{"name":"no action"}', '$default'],
      ['{"action":null}', '$default'],
      ['not JSON at all', '$default'],
      ['["ping"]', '$default'],
      ['{"action":"__proto__"}', '$default'],
      ['{"action":"constructor"}', '$default'],
      ['{"action":"toString"}', '$default'],
      ['{"action":"$connect"}', '$default'],
      ['{"action":"$disconnect"}', '$default'],
    ])('routes %s to %s', async (message, routeKey) => {
      const { client } = await startApi();

      const reply = await client.request(message);

      expect(reply).toBe(`${routeKey}|${message}`);
    });

    it('answers with API Gateway Forbidden frame when no route matches and there is no $default', async () => {
      // Prepare
      const { client, invoker } = await startApi({ routes: ROUTES.filter((route) => route.routeKey !== '$default') });
      const connectionId = invoker.eventsOf('Connect')[0]!.requestContext.connectionId;

      // Act
      const reply = await client.request('{"action":"unknown"}');

      // Assess
      expect(reply).toMatch(/^\{"message": "Forbidden", "connectionId":"[A-Za-z0-9_-]{15}=", "requestId":"[A-Za-z0-9_-]{15}="\}$/);
      expect(JSON.parse(reply)).toMatchObject({ message: 'Forbidden', connectionId });
      expect(invoker.eventsOf('Echo')).toEqual([]);
      expect(await client.request('{"action":"ping"}')).toBe('ping|{"action":"ping"}');
    });
  });

  describe('MESSAGE events', () => {
    it('sends the route function a MESSAGE event like AWS', async () => {
      // Prepare
      const { client, invoker, gateway } = await startApi();
      const connect = invoker.eventsOf('Connect')[0]!;

      // Act
      await client.request('{"action":"ping"}');

      // Assess
      const [event] = invoker.eventsOf('Echo');
      expect(Object.keys(event!)).toEqual(['requestContext', 'body', 'isBase64Encoded']);
      expect(Object.keys(event!.requestContext)).toEqual([
        'routeKey', 'messageId', 'eventType', 'extendedRequestId', 'requestTime', 'messageDirection', 'stage',
        'connectedAt', 'requestTimeEpoch', 'identity', 'requestId', 'domainName', 'connectionId', 'apiId',
      ]);
      expect(event).toMatchObject({
        body: '{"action":"ping"}',
        isBase64Encoded: false,
        requestContext: {
          routeKey: 'ping',
          eventType: 'MESSAGE',
          messageDirection: 'IN',
          stage: 'local',
          apiId: gateway.options.apiId,
          connectionId: connect.requestContext.connectionId,
          connectedAt: connect.requestContext.connectedAt,
          domainName: connect.requestContext.domainName,
          identity: { sourceIp: '127.0.0.1' },
        },
      });
      expect(event!.requestContext.messageId).toMatch(AWS_ID_PATTERN);
      expect(event!.requestContext.requestId).toMatch(AWS_ID_PATTERN);
      expect(event!.requestContext.messageId).not.toBe(event!.requestContext.requestId);
    });

    it('gives each message its own messageId and requestId', async () => {
      const { client, invoker } = await startApi();

      await client.request('a');
      await client.request('b');

      const [first, second] = invoker.eventsOf('Echo');
      expect(first!.requestContext.messageId).not.toBe(second!.requestContext.messageId);
      expect(first!.requestContext.requestId).not.toBe(second!.requestContext.requestId);
    });

    it('invokes concurrently, as API Gateway does: a slow message does not hold back the next one', async () => {
      // Prepare
      const slow = deferred<string>();
      const { client } = await startApi({
        functions: { Echo: async (event) => ({ statusCode: 200, body: String(event.body) === 'slow' ? await slow.promise : String(event.body) }) },
      });

      // Act
      await client.send('slow');
      const fast = await client.request('fast');
      slow.resolve('slow done');

      // Assess
      expect(fast).toBe('fast');
      expect(await client.next()).toBe('slow done');
    });
  });

  describe('route responses', () => {
    it.each<[string, unknown, string]>([
      ['a body', { statusCode: 200, body: '{"type":"pong"}' }, '{"type":"pong"}'],
      ['a body with a 4xx status', { statusCode: 400, body: '{"type":"error"}' }, '{"type":"error"}'],
      ['a plain string', 'plain', 'plain'],
    ])('sends %s back on the socket', async (_case, result, expected) => {
      const { client } = await startApi();

      const reply = await client.request(JSON.stringify({ action: 'respond', result }));

      expect(reply).toBe(expected);
    });

    it.each<[string, unknown]>([
      ['a status only', { statusCode: 200 }],
      ['an empty body', { statusCode: 200, body: '' }],
      ['null', null],
    ])('sends nothing for %s', async (_case, result) => {
      // Prepare
      const { client, gateway } = await startApi();
      const finished = routeFinished(gateway, 'respond');

      // Act
      await client.send(JSON.stringify({ action: 'respond', result }));
      const event = await finished;
      const next = await client.request('{"action":"ping"}');

      // Assess: the next frame is the answer to the ping, nothing came before it.
      expect(event).toMatchObject({ result: 'ok', sent: 'nothing' });
      expect(next).toBe('ping|{"action":"ping"}');
    });

    it('sends nothing from a route without a route response', async () => {
      const { client, gateway, invoker } = await startApi();
      const finished = routeFinished(gateway, 'oneway');

      await client.send('{"action":"oneway"}');
      const event = await finished;
      const next = await client.request('{"action":"ping"}');

      expect(invoker.eventsOf('Echo')).toHaveLength(2);
      expect(event).toMatchObject({ result: 'ok', sent: 'nothing' });
      expect(next).toBe('ping|{"action":"ping"}');
    });

    it('tells observers what happened to each message', async () => {
      const { client, gateway } = await startApi();
      const events: RouteInvocationEvent[] = [];
      gateway.on('route', (event) => events.push(event));

      await client.request('{"action":"ping"}');
      await client.request('{"action":"fail"}');

      expect(events).toEqual([
        expect.objectContaining({ routeKey: 'ping', result: 'ok', sent: 'body' }),
        expect.objectContaining({ routeKey: 'fail', result: 'error', sent: 'error-frame', errorType: 'Error' }),
      ]);
    });
  });

  describe('MOCK integrations', () => {
    const MOCK_ROUTES: WebSocketGatewayOptions['routes'] = [
      ...ROUTES,
      { routeKey: 'keepalive', mock: { response: '{"type":"pong"}' }, returnResponse: true },
      { routeKey: 'quiet', mock: { response: '{"type":"pong"}' }, returnResponse: false },
      { routeKey: 'empty', mock: { response: undefined }, returnResponse: true },
    ];

    it('answers a MOCK route with its integration response, invoking no function', async () => {
      // Prepare
      const { client, gateway, invoker } = await startApi({ routes: MOCK_ROUTES });
      const finished = routeFinished(gateway, 'keepalive');
      const callsBefore = invoker.calls.length;

      // Act
      const reply = await client.request('{"action":"keepalive"}');

      // Assess
      expect(reply).toBe('{"type":"pong"}');
      expect(await finished).toMatchObject({ routeKey: 'keepalive', result: 'ok', sent: 'body' });
      expect(invoker.calls).toHaveLength(callsBefore);
    });

    it('sends nothing from a MOCK route without a route response, or without a response template, and keeps the connection', async () => {
      // Prepare
      const { client, gateway, invoker } = await startApi({ routes: MOCK_ROUTES });
      const quiet = routeFinished(gateway, 'quiet');
      const empty = routeFinished(gateway, 'empty');
      const callsBefore = invoker.calls.length;

      // Act
      await client.send('{"action":"quiet"}');
      await client.send('{"action":"empty"}');
      const events = [await quiet, await empty];
      const next = await client.request('{"action":"keepalive"}');

      // Assess
      expect(events).toEqual([expect.objectContaining({ result: 'ok', sent: 'nothing' }), expect.objectContaining({ result: 'ok', sent: 'nothing' })]);
      // The first frame the client gets is the keep-alive's reply: the two routes before it sent nothing.
      expect(next).toBe('{"type":"pong"}');
      expect(invoker.calls).toHaveLength(callsBefore);
    });
  });

  describe('failing functions', () => {
    async function expectInternalServerError(message: string, options: Parameters<typeof startApi>[0] = {}): Promise<void> {
      // Prepare
      const { client, invoker } = await startApi(options);
      const connectionId = invoker.eventsOf('Connect')[0]!.requestContext.connectionId;

      // Act
      const reply = await client.request(message);

      // Assess
      expect(reply).toMatch(/^\{"message": "Internal server error", "connectionId":"[A-Za-z0-9_-]{15}=", "requestId":"[A-Za-z0-9_-]{15}="\}$/);
      const frame = JSON.parse(reply) as { connectionId: string; requestId: string };
      expect(frame.connectionId).toBe(connectionId);
      const failed = invoker.calls.at(-1)!.event;
      expect(frame.requestId).toBe(failed.requestContext.requestId);
      // The connection stays open and keeps working.
      expect(client.socket.readyState).toBe(client.socket.OPEN);
      expect(await client.request('{"action":"ping"}')).toBe('ping|{"action":"ping"}');
    }

    it('gives the client the Internal server error frame when the function throws, and keeps the connection', async () => {
      await expectInternalServerError('{"action":"fail"}');
    });

    it('does the same on a route without a route response', async () => {
      await expectInternalServerError('{"action":"failoneway"}');
    });

    it('does the same when the function runs past its timeout', async () => {
      await expectInternalServerError('{"action":"slow"}', {
        routes: [...ROUTES, { routeKey: 'slow', functionId: 'Slow', returnResponse: true }],
        functions: { Slow: { handler: () => new Promise(() => undefined), timeoutMs: 50 } },
      });
    });

    it('does the same when the gateway stops waiting (integration timeout)', async () => {
      const release = deferred();
      await expectInternalServerError('{"action":"slow"}', {
        routes: [...ROUTES, { routeKey: 'slow', functionId: 'Slow', returnResponse: true }],
        functions: { Slow: { handler: () => release.promise, timeoutMs: 60_000 } },
        limits: { integrationTimeoutSeconds: 0.1 },
      });
      release.resolve();
    });

    it('does the same when the function returns a malformed proxy response', async () => {
      await expectInternalServerError(JSON.stringify({ action: 'respond', result: { statusCode: 200, Data: 'x' } }));
    });

    it('drops a response that arrives after the client left', async () => {
      // Prepare
      const release = deferred<string>();
      const { client, invoker, gateway } = await startApi({ functions: { Echo: async () => ({ statusCode: 200, body: await release.promise }) } });
      await client.send('{"action":"ping"}');
      await invoker.waitForCall('Echo');

      // Act
      await client.close(1000);
      const finished = routeFinished(gateway, 'ping');
      release.resolve('too late');

      // Assess
      expect(await finished).toMatchObject({ routeKey: 'ping', result: 'ok', sent: 'connection-gone' });
      expect(client.pending).toEqual([]);
    });
  });
});
