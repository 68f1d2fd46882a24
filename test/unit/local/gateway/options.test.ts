import { DEFAULT_LIMITS, resolveGatewayOptions, type WebSocketGatewayOptions } from '../../../../src/local/gateway/options';
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
      closeTimeoutMs: 1000,
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
    ['a stage with a slash', { stage: 'a/b' }, 'The "stage" option must be 1–128 letters, digits, "-" or "_", got "a/b"'],
    ['a route selection expression on headers', { routeSelectionExpression: '$request.header.x' }, 'must be of the form $request.body.<path>, got "$request.header.x"'],
    ['a route response on $disconnect', { routes: [{ routeKey: '$disconnect', functionId: 'D', returnResponse: true }] }, 'The "$disconnect" route cannot have a route response'],
  ])('rejects %s with a TypeError', (_case, overrides, message) => {
    expect(() => resolveGatewayOptions(options(overrides))).toThrow(TypeError);
    expect(() => resolveGatewayOptions(options(overrides))).toThrow(message);
  });

  it.each([[[]], [['stageVariables.token']], [['route.request.querystring']]])('rejects the identity sources %j', (identitySource) => {
    expect(() => resolveGatewayOptions(options({ authorizer: { functionId: 'Authorizer', identitySource } }))).toThrow(TypeError);
  });

  it.each([
    [{ idleTimeoutSeconds: 0 }, 'limits.idleTimeoutSeconds'],
    [{ maxConnectionDurationSeconds: -5 }, 'limits.maxConnectionDurationSeconds'],
    [{ integrationTimeoutSeconds: Number.NaN }, 'limits.integrationTimeoutSeconds'],
    [{ idleTimeoutSeconds: 3_000_000 }, 'limits.idleTimeoutSeconds'],
  ])('rejects the limits %j', (limits, name) => {
    expect(() => resolveGatewayOptions(options({ limits }))).toThrow(new RegExp(`^The "${name.replace('.', '\\.')}" option must be`));
  });
});
