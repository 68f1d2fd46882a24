import { AWS_ID_PATTERN } from '../../../src/local/gateway/ids';
import type { GatewayWarning, HandshakeEvent, RouteInvocationEvent } from '../../../src/local/gateway';
import { GatewayHarness, STANDARD_ROUTES } from '../../fixtures/gateway/gateway-harness';
import type { TestEvent } from '../../fixtures/gateway/test-function-invoker';

const harness = new GatewayHarness();
afterEach(() => harness.cleanup());

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.secret-token-value';

/** A REQUEST authorizer that allows `TOKEN` and returns a context, like the project's authorizer. */
function allowingAuthorizer(event: TestEvent): unknown {
  const query = event.queryStringParameters as Record<string, string> | undefined;
  if (query?.token !== TOKEN) throw new Error('Unauthorized');
  return {
    principalId: '1234',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
    context: { userId: '1234', expiresAt: 1_900_000_000, renewable: true },
  };
}

function policyFor(effect: 'Allow' | 'Deny', resource: unknown): () => unknown {
  return () => ({ principalId: '1234', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] } });
}

const AUTHORIZER = { functionId: 'Authorizer', identitySource: ['route.request.querystring.token'] };

describe('Class: WebSocketGateway (handshake)', () => {
  describe('path', () => {
    it.each(['/', '/other', '/local/extra', '/LOCAL', '/local/@connections'])('refuses a handshake on %s with 403, as API Gateway does', async (path) => {
      // Prepare
      const { url, invoker } = await harness.start();
      const origin = new URL(url).origin.replace('http', 'ws');

      // Act
      const rejected = await harness.handshakeStatus(`${origin}${path}`);

      // Assess
      expect(rejected.status).toBe(403);
      expect(JSON.parse(rejected.body)).toEqual({ message: 'Forbidden' });
      expect(invoker.calls).toEqual([]);
    });

    it('accepts a query string on the stage path and passes it to $connect', async () => {
      const { url, invoker } = await harness.start();

      await harness.connect(`${url}?room=blue&tag=a&tag=b`);

      const [connect] = invoker.eventsOf('Connect');
      expect(connect?.queryStringParameters).toEqual({ room: 'blue', tag: 'b' });
      expect(connect?.multiValueQueryStringParameters).toEqual({ room: ['blue'], tag: ['a', 'b'] });
    });
  });

  describe('REQUEST authorizer', () => {
    it.each([
      ['no token', ''],
      ['an empty token', '?token='],
      ['another parameter only', '?other=1'],
    ])('refuses %s with 401 without invoking the authorizer', async (_case, query) => {
      const { url, invoker } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: allowingAuthorizer } });

      const rejected = await harness.handshakeStatus(`${url}${query}`);

      expect(rejected.status).toBe(401);
      expect(JSON.parse(rejected.body)).toEqual({ message: 'Unauthorized' });
      expect(invoker.calls).toEqual([]);
    });

    it('reads a header identity source, case-insensitively', async () => {
      const authorizer = { functionId: 'Authorizer', identitySource: ['route.request.header.X-Auth-Token'] };
      const { url, invoker } = await harness.start({ authorizer, functions: { Authorizer: policyFor('Allow', '*') } });

      const rejected = await harness.handshakeStatus(url);
      await harness.connect(url, { headers: { 'x-auth-token': 'abc' } });

      expect(rejected.status).toBe(401);
      expect(invoker.eventsOf('Authorizer')).toHaveLength(1);
      expect(invoker.eventsOf('Authorizer')[0]?.headers).toMatchObject({ 'x-auth-token': 'abc' });
    });

    it.each([
      ['a Deny policy', policyFor('Deny', '*')],
      ['an Allow for another stage', policyFor('Allow', 'arn:aws:execute-api:us-east-1:000000000000:abcdef1234/prod/$connect')],
    ])('refuses %s with 403 and does not run $connect', async (_case, authorizerFunction) => {
      const { url, invoker } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: authorizerFunction } });

      const rejected = await harness.handshakeStatus(`${url}?token=${TOKEN}`);

      expect(rejected.status).toBe(403);
      expect(invoker.eventsOf('Authorizer')).toHaveLength(1);
      expect(invoker.eventsOf('Connect')).toEqual([]);
    });

    it('refuses with 401 when the authorizer throws Unauthorized', async () => {
      const { url, invoker } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: allowingAuthorizer } });

      const rejected = await harness.handshakeStatus(`${url}?token=wrong`);

      expect(rejected.status).toBe(401);
      expect(invoker.eventsOf('Connect')).toEqual([]);
    });

    it.each([
      [
        'throws another error',
        () => {
          throw new TypeError('key not found');
        },
      ],
      ['returns something that is not a policy', () => ({ allowed: true })],
      ['returns an object in its context', () => ({ ...(policyFor('Allow', '*')() as object), context: { user: { id: 1 } } })],
    ])('refuses with 500 when the authorizer %s', async (_case, authorizerFunction) => {
      const { url, invoker } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: authorizerFunction } });

      const rejected = await harness.handshakeStatus(`${url}?token=${TOKEN}`);

      expect(rejected.status).toBe(500);
      expect(rejected.headers['x-amzn-errortype']).toBe('AuthorizerConfigurationException');
      expect(invoker.eventsOf('Connect')).toEqual([]);
    });

    it('refuses with 500 when the authorizer times out', async () => {
      const slow = { handler: () => new Promise(() => undefined), timeoutMs: 50 };
      const { url } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: slow } });

      expect((await harness.handshakeStatus(`${url}?token=${TOKEN}`)).status).toBe(500);
    });

    it('tells observers why an authorizer response was refused', async () => {
      const { url, gateway } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: () => ({ policyDocument: {} }) } });
      const warnings: GatewayWarning[] = [];
      gateway.on('warning', (warning) => warnings.push(warning));

      await harness.handshakeStatus(`${url}?token=${TOKEN}`);

      expect(warnings).toEqual([expect.objectContaining({ code: 'malformed_authorizer_response', functionId: 'Authorizer', message: 'authorizer response rejected: principalId is missing or not a string' })]);
    });

    it('sends the authorizer a REQUEST event like AWS, with the connection id of the connection', async () => {
      // Prepare
      const { url, invoker, gateway } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: allowingAuthorizer } });

      // Act
      await harness.connect(`${url}?token=${TOKEN}`, { headers: { Origin: 'http://localhost:5173' } });

      // Assess
      const [event] = invoker.eventsOf('Authorizer');
      const [connect] = invoker.eventsOf('Connect');
      expect(Object.keys(event!)).toEqual(['type', 'methodArn', 'headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'stageVariables', 'requestContext']);
      expect(event).toMatchObject({
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:us-east-1:000000000000:${gateway.options.apiId}/local/$connect`,
        queryStringParameters: { token: TOKEN },
        multiValueQueryStringParameters: { token: [TOKEN] },
        stageVariables: {},
        headers: { Origin: 'http://localhost:5173', Upgrade: 'websocket', 'X-Forwarded-Proto': 'http' },
        requestContext: { routeKey: '$connect', eventType: 'CONNECT', stage: 'local', apiId: gateway.options.apiId, connectionId: connect!.requestContext.connectionId },
      });
    });

    it('gives every event of the connection the authorizer context, principalId and integrationLatency', async () => {
      // Prepare
      const { url, invoker } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: allowingAuthorizer } });
      const client = await harness.connect(`${url}?token=${TOKEN}`);

      // Act
      await client.request('{"action":"ping"}');
      await client.request('hello');
      await client.close(1000);
      const disconnect = await invoker.waitForCall('Disconnect');

      // Assess
      const expected = { userId: '1234', expiresAt: '1900000000', renewable: 'true', principalId: '1234', integrationLatency: expect.any(Number) as number };
      const events = [invoker.eventsOf('Connect')[0], invoker.eventsOf('Ping')[0], invoker.eventsOf('Default')[0], disconnect];
      for (const event of events) expect(event?.requestContext.authorizer).toEqual(expected);
    });
  });

  describe('$connect', () => {
    it('sends $connect a CONNECT event like AWS (Origin, Host, identity, AWS-shaped ids)', async () => {
      // Prepare
      const { url, invoker, gateway } = await harness.start();

      // Act
      await harness.connect(url, { headers: { Origin: 'http://localhost:5173', 'User-Agent': 'ws-notify-test' } });

      // Assess
      const [event] = invoker.eventsOf('Connect');
      const host = new URL(url).host;
      expect(Object.keys(event!)).toEqual(['headers', 'multiValueHeaders', 'requestContext', 'isBase64Encoded']);
      expect(event!.headers).toMatchObject({ Host: host, Origin: 'http://localhost:5173', 'User-Agent': 'ws-notify-test', 'X-Forwarded-For': '127.0.0.1' });
      expect(event!.headers).not.toHaveProperty('Upgrade');
      expect(event!.headers).not.toHaveProperty('Connection');
      expect(event!.multiValueHeaders).toMatchObject({ Host: [host], Origin: ['http://localhost:5173'] });
      expect(Object.keys(event!.requestContext)).toEqual([
        'routeKey', 'eventType', 'extendedRequestId', 'requestTime', 'messageDirection', 'stage', 'connectedAt',
        'requestTimeEpoch', 'identity', 'requestId', 'domainName', 'connectionId', 'apiId',
      ]);
      expect(event!.requestContext).toMatchObject({
        routeKey: '$connect',
        eventType: 'CONNECT',
        messageDirection: 'IN',
        stage: 'local',
        identity: { sourceIp: '127.0.0.1', userAgent: 'ws-notify-test' },
        domainName: host,
        apiId: gateway.options.apiId,
      });
      const context = event!.requestContext;
      expect(context.connectionId).toMatch(AWS_ID_PATTERN);
      expect(context.requestId).toMatch(AWS_ID_PATTERN);
      expect(context.extendedRequestId).toBe(context.requestId);
      expect(context.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
      expect(context.requestTimeEpoch).toBeGreaterThanOrEqual(context.connectedAt as number);
      expect(event!.isBase64Encoded).toBe(false);
      expect(gateway.connectionCount).toBe(1);
      expect([...gateway.connections()].map((connection) => connection.connectionId)).toEqual([context.connectionId]);
    });

    it.each([400, 403, 429, 301, 500])('refuses the handshake with the status %i that $connect returns', async (status) => {
      const { url, gateway } = await harness.start({ functions: { Connect: () => ({ statusCode: status, body: 'ignored' }) } });

      const rejected = await harness.handshakeStatus(url);

      expect(rejected.status).toBe(status);
      expect(gateway.connectionCount).toBe(0);
    });

    it('refuses with 502 when $connect throws, as API Gateway does for a Lambda error', async () => {
      const { url, invoker } = await harness.start({
        functions: {
          Connect: () => {
            throw new Error('table not found');
          },
        },
      });

      const rejected = await harness.handshakeStatus(url);

      expect(rejected.status).toBe(502);
      expect(invoker.eventsOf('Disconnect')).toEqual([]);
    });

    it('refuses with 502 when $connect runs past its timeout, and 504 when the gateway stops waiting', async () => {
      const functionTimeout = await harness.start({ functions: { Connect: { handler: () => new Promise(() => undefined), timeoutMs: 50 } } });
      const integrationTimeout = await harness.start({
        functions: { Connect: { handler: () => new Promise(() => undefined), timeoutMs: 60_000 } },
        limits: { integrationTimeoutSeconds: 0.1 },
      });

      expect((await harness.handshakeStatus(functionTimeout.url)).status).toBe(502);
      expect((await harness.handshakeStatus(integrationTimeout.url)).status).toBe(504);
    });

    it('accepts every handshake when the API has no $connect route', async () => {
      const { url, invoker, gateway } = await harness.start({ routes: STANDARD_ROUTES.filter((route) => route.routeKey !== '$connect') });

      await harness.connect(url);

      expect(invoker.calls).toEqual([]);
      expect(gateway.connectionCount).toBe(1);
    });

    it('agrees the subprotocol $connect returns in Sec-WebSocket-Protocol', async () => {
      const { url } = await harness.start({ functions: { Connect: () => ({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'notify.v1' } }) } });

      const client = await harness.connect(url, undefined, ['other', 'notify.v1']);

      expect(client.socket.protocol).toBe('notify.v1');
    });
  });

  describe('observers', () => {
    it('report the $connect invocation as a route event', async () => {
      // Prepare
      const failing = await harness.start({
        functions: {
          Connect: () => {
            throw new RangeError('bad');
          },
        },
      });
      const working = await harness.start();
      const events: RouteInvocationEvent[] = [];
      failing.gateway.on('route', (event) => events.push(event));
      working.gateway.on('route', (event) => events.push(event));

      // Act
      await harness.handshakeStatus(failing.url);
      await harness.connect(working.url);

      // Assess
      expect(events).toEqual([
        expect.objectContaining({ routeKey: '$connect', result: 'error', errorType: 'RangeError', sent: 'nothing' }),
        expect.objectContaining({ routeKey: '$connect', result: 'ok', sent: 'nothing', connectionId: working.invoker.eventsOf('Connect')[0]!.requestContext.connectionId }),
      ]);
    });

    it('report every handshake with its status and duration, never the token', async () => {
      // Prepare
      const { url, gateway } = await harness.start({ authorizer: AUTHORIZER, functions: { Authorizer: allowingAuthorizer } });
      const events: HandshakeEvent[] = [];
      gateway.on('handshake', (event) => events.push(event));

      // Act
      await harness.connect(`${url}?token=${TOKEN}`);
      await harness.handshakeStatus(`${url}?token=wrong`);
      await harness.handshakeStatus(`${url}`);
      await harness.handshakeStatus(`${url}/x?token=${TOKEN}`);

      // Assess
      expect(events.map(({ status, outcome }) => [status, outcome])).toEqual([
        [101, 'connected'],
        [401, 'unauthorized'],
        [401, 'missing-identity'],
        [403, 'forbidden-path'],
      ]);
      for (const event of events) {
        expect(event.sourceIp).toBe('127.0.0.1');
        expect(event.durationMs).toBeGreaterThanOrEqual(0);
        expect(JSON.stringify(event)).not.toContain(TOKEN);
      }
      expect(events[0]!.connectionId).toMatch(AWS_ID_PATTERN);
    });
  });
});
