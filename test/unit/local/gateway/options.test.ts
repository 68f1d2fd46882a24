import { DEFAULT_LIMITS, GATEWAY_DEFAULTS, resolveGatewayOptions, type WebSocketGatewayOptions } from '../../../../src/local/gateway/options';
import { TestFunctionInvoker } from '../../../fixtures/gateway/test-function-invoker';

const routes = [
  { routeKey: '$connect', functionId: 'Connect', returnResponse: false },
  { routeKey: '$disconnect', functionId: 'Disconnect', returnResponse: false },
  { routeKey: '$default', functionId: 'Default', returnResponse: true },
];

function options(overrides: Partial<Record<keyof WebSocketGatewayOptions, unknown>> = {}): WebSocketGatewayOptions {
  return { stage: 'local', routes, invoker: new TestFunctionInvoker(), ...overrides } as WebSocketGatewayOptions;
}

describe('Function: resolveGatewayOptions', () => {
  it('spreads the options over the documented defaults (AWS quotas, port 0)', () => {
    // Act
    const resolved = resolveGatewayOptions(options());

    // Assess
    expect(resolved.limits).toEqual({
      idleTimeoutSeconds: 600,
      maxConnectionDurationSeconds: 7200,
      maxMessageBytes: 131_072,
      maxFrameBytes: 32_768,
      integrationTimeoutSeconds: 29,
    });
    expect(resolved.limits).toEqual(DEFAULT_LIMITS);
    expect(resolved).toMatchObject({
      port: 0,
      routeSelectionExpression: '$request.body.action',
      routeSelectionPath: ['action'],
      closeTimeoutMs: GATEWAY_DEFAULTS.closeTimeoutMs,
      authorizer: undefined,
    });
    expect(resolved.apiId).toMatch(/^[a-z0-9]{10}$/);
    expect([...resolved.routes.keys()]).toEqual(['$connect', '$disconnect', '$default']);
  });

  it('takes a message route with a MOCK integration', () => {
    // Act
    const resolved = resolveGatewayOptions(options({ routes: [...routes, { routeKey: 'keepalive', mock: { response: '{"type":"pong"}' }, returnResponse: true }] }));

    // Assess
    expect(resolved.routes.get('keepalive')).toEqual({ routeKey: 'keepalive', mock: { response: '{"type":"pong"}' }, returnResponse: true });
  });

  it('keeps the defaults of the limits that are not overridden', () => {
    const resolved = resolveGatewayOptions(options({ limits: { idleTimeoutSeconds: 0.25, maxFrameBytes: undefined } }));

    expect(resolved.limits).toEqual({ ...DEFAULT_LIMITS, idleTimeoutSeconds: 0.25 });
  });

  it('parses the authorizer identity sources', () => {
    const resolved = resolveGatewayOptions(
      options({ authorizer: { functionId: 'Authorizer', identitySource: ['route.request.querystring.token', 'route.request.header.X-Auth'] } }),
    );

    expect(resolved.authorizer).toEqual({
      functionId: 'Authorizer',
      identitySources: [
        { kind: 'querystring', name: 'token' },
        { kind: 'header', name: 'X-Auth', lowerCaseName: 'x-auth' },
      ],
    });
  });

  it.each<[string, Partial<Record<keyof WebSocketGatewayOptions, unknown>>, string]>([
    ['a missing stage', { stage: undefined }, 'The "stage" option must be a non-empty string'],
    ['a stage with a slash', { stage: 'a/b' }, 'The "stage" option must be 1–128 letters, digits, "-" or "_", got "a/b"'],
    ['a route selection expression on headers', { routeSelectionExpression: '$request.header.x' }, 'must be of the form $request.body.<path>, got "$request.header.x"'],
    ['a route declared twice', { routes: [...routes, routes[2]] }, 'The "routes" option declares route "$default" twice'],
    ['a route without a function', { routes: [{ routeKey: 'ping', functionId: '', returnResponse: true }] }, 'The "routes["ping"].functionId" option must be a non-empty string'],
    ['a route response on $disconnect', { routes: [{ routeKey: '$disconnect', functionId: 'D', returnResponse: true }] }, 'The "$disconnect" route cannot have a route response'],
    ['a mock on $connect', { routes: [{ routeKey: '$connect', mock: { response: undefined }, returnResponse: false }] }, 'The "routes["$connect"].mock" option is not supported: a MOCK integration is emulated on message routes only'],
    ['a port out of range', { port: 70000 }, 'The "port" option must be an integer from 0 to 65535, got 70000'],
    ['a negative close timeout', { closeTimeoutMs: -1 }, 'The "closeTimeoutMs" option must be a number of milliseconds'],
  ])('rejects %s with a TypeError', (_case, overrides, message) => {
    expect(() => resolveGatewayOptions(options(overrides))).toThrow(TypeError);
    expect(() => resolveGatewayOptions(options(overrides))).toThrow(message);
  });

  it('rejects an authorizer without a $connect route, as API Gateway attaches authorizers to $connect only', () => {
    const act = (): unknown =>
      resolveGatewayOptions(
        options({
          routes: [{ routeKey: '$default', functionId: 'Default', returnResponse: false }],
          authorizer: { functionId: 'Authorizer', identitySource: ['route.request.querystring.token'] },
        }),
      );

    expect(act).toThrow(new TypeError('The "authorizer" option requires a "$connect" route: API Gateway runs WebSocket authorizers on $connect only'));
  });

  it.each([[[]], [['stageVariables.token']], [['route.request.querystring']]])('rejects the identity sources %j', (identitySource) => {
    expect(() => resolveGatewayOptions(options({ authorizer: { functionId: 'Authorizer', identitySource } }))).toThrow(TypeError);
  });

  it('rejects a frame limit larger than the message limit', () => {
    expect(() => resolveGatewayOptions(options({ limits: { maxFrameBytes: 200_000 } }))).toThrow(
      new TypeError('The "limits.maxFrameBytes" option (200000) must not exceed "limits.maxMessageBytes" (131072): a frame is part of a message'),
    );
  });

  it.each([
    [{ idleTimeoutSeconds: 0 }, 'limits.idleTimeoutSeconds'],
    [{ maxConnectionDurationSeconds: -5 }, 'limits.maxConnectionDurationSeconds'],
    [{ integrationTimeoutSeconds: Number.NaN }, 'limits.integrationTimeoutSeconds'],
    [{ idleTimeoutSeconds: 3_000_000 }, 'limits.idleTimeoutSeconds'],
    [{ maxMessageBytes: 1.5 }, 'limits.maxMessageBytes'],
    [{ maxFrameBytes: 0 }, 'limits.maxFrameBytes'],
  ])('rejects the limits %j', (limits, name) => {
    expect(() => resolveGatewayOptions(options({ limits }))).toThrow(new RegExp(`^The "${name.replace('.', '\\.')}" option must be`));
  });
});
