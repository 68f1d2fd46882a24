import {
  buildAuthorizerEvent,
  buildConnectEvent,
  buildDisconnectEvent,
  buildMessageEvent,
  formatRequestTime,
  readHandshakeRequest,
  type ConnectionEventContext,
} from '../../../../src/local/gateway/event-builders';

const NOW = Date.UTC(2024, 1, 19, 7, 11, 42, 790);

function connection(overrides: Partial<ConnectionEventContext> = {}): ConnectionEventContext {
  return {
    stage: 'local',
    apiId: 'nn27okk1we',
    connectionId: 'TXzPWdnOjoECGjA=',
    connectedAt: NOW - 1,
    domainName: '127.0.0.1:3001',
    identity: { userAgent: 'test-agent', sourceIp: '127.0.0.1' },
    authorizer: undefined,
    ...overrides,
  };
}

const RAW_HEADERS = ['Host', '127.0.0.1:3001', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Origin', 'http://localhost', 'X-Dup', 'a', 'x-dup', 'b'];

describe('Function: formatRequestTime', () => {
  it('writes the time as API Gateway does', () => {
    expect(formatRequestTime(NOW)).toBe('19/Feb/2024:07:11:42 +0000');
    expect(formatRequestTime(Date.UTC(2026, 11, 1, 0, 0, 5))).toBe('01/Dec/2026:00:00:05 +0000');
    expect(formatRequestTime(NOW + 50)).toBe('19/Feb/2024:07:11:42 +0000');
  });
});

describe('Function: readHandshakeRequest', () => {
  it('keeps header case, lets the last value win in headers and keeps all in multiValueHeaders', () => {
    const request = readHandshakeRequest(RAW_HEADERS, new URLSearchParams('token=abc&tag=1&tag=2'), { 'X-Forwarded-Proto': 'http', host: 'ignored' });

    expect(request.headers).toEqual({ Host: '127.0.0.1:3001', Connection: 'Upgrade', Upgrade: 'websocket', Origin: 'http://localhost', 'X-Dup': 'b', 'X-Forwarded-Proto': 'http' });
    expect(request.multiValueHeaders['X-Dup']).toEqual(['a', 'b']);
    expect(request.queryStringParameters).toEqual({ token: 'abc', tag: '2' });
    expect(request.multiValueQueryStringParameters).toEqual({ token: ['abc'], tag: ['1', '2'] });
  });

  it('leaves the query string maps out when there is no query string', () => {
    const request = readHandshakeRequest([], new URLSearchParams(''), {});

    expect(request.queryStringParameters).toBeUndefined();
    expect(request.multiValueQueryStringParameters).toBeUndefined();
  });

  it('stores "__proto__" headers and parameters as data', () => {
    const request = readHandshakeRequest(['__proto__', 'x'], new URLSearchParams('__proto__=y'), {});

    expect(Object.getPrototypeOf(request.headers)).toBe(Object.prototype);
    expect(Object.keys(request.headers)).toEqual(['__proto__']);
    expect(Object.keys(request.queryStringParameters!)).toEqual(['__proto__']);
  });
});

describe('Function: buildConnectEvent', () => {
  it('builds a CONNECT event with AWS keys, without Connection and Upgrade headers', () => {
    // Prepare
    const request = readHandshakeRequest(RAW_HEADERS, new URLSearchParams('token=abc'), {});

    // Act
    const event = buildConnectEvent(connection(), request, 'TXzPWFkkjoEF92g=', NOW);

    // Assess
    expect(Object.keys(event)).toEqual(['headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'requestContext', 'isBase64Encoded']);
    expect(Object.keys(event.headers!)).toEqual(['Host', 'Origin', 'X-Dup']);
    expect(event.requestContext).toEqual({
      routeKey: '$connect',
      eventType: 'CONNECT',
      extendedRequestId: 'TXzPWFkkjoEF92g=',
      requestTime: '19/Feb/2024:07:11:42 +0000',
      messageDirection: 'IN',
      stage: 'local',
      connectedAt: NOW - 1,
      requestTimeEpoch: NOW,
      identity: { userAgent: 'test-agent', sourceIp: '127.0.0.1' },
      requestId: 'TXzPWFkkjoEF92g=',
      domainName: '127.0.0.1:3001',
      connectionId: 'TXzPWdnOjoECGjA=',
      apiId: 'nn27okk1we',
    });
    expect(Object.keys(event.requestContext)).toEqual([
      'routeKey', 'eventType', 'extendedRequestId', 'requestTime', 'messageDirection', 'stage', 'connectedAt',
      'requestTimeEpoch', 'identity', 'requestId', 'domainName', 'connectionId', 'apiId',
    ]);
    expect(event.isBase64Encoded).toBe(false);
  });

  it('adds the authorizer context when the connection passed an authorizer', () => {
    const authorizer = { userId: '1234', principalId: '1234', integrationLatency: 3 };

    const event = buildConnectEvent(connection({ authorizer }), readHandshakeRequest([], new URLSearchParams(), {}), 'r', NOW);

    expect(event.requestContext.authorizer).toEqual(authorizer);
    expect(Object.keys(event)).toEqual(['headers', 'multiValueHeaders', 'requestContext', 'isBase64Encoded']);
  });
});

describe('Function: buildMessageEvent', () => {
  it('builds a MESSAGE event with a messageId, the body and the authorizer context', () => {
    const authorizer = { principalId: '1234', integrationLatency: 3 };

    const event = buildMessageEvent(connection({ authorizer }), 'ping', '{"action":"ping"}', 'U_vNtdtRIAMCIoA=', 'U_vNtEwHIAMFoxg=', NOW);

    expect(event).toEqual({
      requestContext: {
        routeKey: 'ping',
        messageId: 'U_vNtdtRIAMCIoA=',
        eventType: 'MESSAGE',
        extendedRequestId: 'U_vNtEwHIAMFoxg=',
        requestTime: '19/Feb/2024:07:11:42 +0000',
        messageDirection: 'IN',
        stage: 'local',
        connectedAt: NOW - 1,
        requestTimeEpoch: NOW,
        identity: { userAgent: 'test-agent', sourceIp: '127.0.0.1' },
        requestId: 'U_vNtEwHIAMFoxg=',
        domainName: '127.0.0.1:3001',
        connectionId: 'TXzPWdnOjoECGjA=',
        apiId: 'nn27okk1we',
        authorizer,
      },
      body: '{"action":"ping"}',
      isBase64Encoded: false,
    });
  });

  it('has no authorizer key on a connection without an authorizer', () => {
    const event = buildMessageEvent(connection(), '$default', 'x', 'm', 'r', NOW);

    expect('authorizer' in event.requestContext).toBe(false);
  });
});

describe('Function: buildDisconnectEvent', () => {
  it('builds a DISCONNECT event with API Gateway fixed headers, status code and reason', () => {
    const event = buildDisconnectEvent(connection(), 1001, 'Going away', 'TX0tuFp2joEF5Zw=', NOW);

    expect(event.headers).toEqual({ Host: '127.0.0.1:3001', 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' });
    expect(event.multiValueHeaders).toEqual({ Host: ['127.0.0.1:3001'], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] });
    expect(Object.keys(event.requestContext)).toEqual([
      'routeKey', 'disconnectStatusCode', 'eventType', 'extendedRequestId', 'requestTime', 'messageDirection', 'disconnectReason',
      'stage', 'connectedAt', 'requestTimeEpoch', 'identity', 'requestId', 'domainName', 'connectionId', 'apiId',
    ]);
    expect(event.requestContext).toMatchObject({ routeKey: '$disconnect', eventType: 'DISCONNECT', disconnectStatusCode: 1001, disconnectReason: 'Going away' });
  });
});

describe('Function: buildAuthorizerEvent', () => {
  it('builds a REQUEST authorizer event with all headers, the query string and the connection id', () => {
    const request = readHandshakeRequest(RAW_HEADERS, new URLSearchParams('token=abc'), {});
    const methodArn = 'arn:aws:execute-api:us-east-1:000000000000:nn27okk1we/local/$connect';

    const event = buildAuthorizerEvent(connection({ authorizer: { principalId: 'stale', integrationLatency: 1 } }), request, methodArn, 'rid', NOW);

    expect(Object.keys(event)).toEqual(['type', 'methodArn', 'headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'stageVariables', 'requestContext']);
    expect(event).toMatchObject({ type: 'REQUEST', methodArn, stageVariables: {}, queryStringParameters: { token: 'abc' } });
    expect(event.headers).toMatchObject({ Connection: 'Upgrade', Upgrade: 'websocket' });
    expect(event.requestContext).toMatchObject({ routeKey: '$connect', eventType: 'CONNECT', connectionId: 'TXzPWdnOjoECGjA=', requestId: 'rid' });
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });
});
