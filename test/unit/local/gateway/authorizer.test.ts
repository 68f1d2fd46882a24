import {
  authorizerContext,
  connectMethodArn,
  evaluateAuthorizerResponse,
  identitySourcesPresent,
  parseIdentitySource,
  wildcardMatch,
} from '../../../../src/local/gateway/authorizer';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:000000000000:abcdef1234/local/$connect';

/** A policy as REQUEST authorizers return it. */
function policy(effect: string, resource: unknown = METHOD_ARN, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    principalId: 'user-1234',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
    ...extra,
  };
}

describe('Function: parseIdentitySource', () => {
  it('reads query string and header sources', () => {
    expect(parseIdentitySource('route.request.querystring.token')).toEqual({ kind: 'querystring', name: 'token' });
    expect(parseIdentitySource('route.request.header.Authorization')).toEqual({ kind: 'header', name: 'Authorization', lowerCaseName: 'authorization' });
  });

  it('rejects sources it cannot evaluate', () => {
    expect(() => parseIdentitySource('context.requestId')).toThrow(
      new TypeError('Unsupported authorizer identity source "context.requestId": expected route.request.querystring.<name> or route.request.header.<name>'),
    );
  });
});

describe('Function: identitySourcesPresent', () => {
  const token = [parseIdentitySource('route.request.querystring.token')];
  const header = [parseIdentitySource('route.request.header.X-Auth')];

  it.each([
    ['a token', 'token=abc', true],
    ['no token', 'other=1', false],
    ['an empty token', 'token=', false],
    ['no query string', '', false],
  ])('is %s → %s for the query string source', (_case, query, expected) => {
    expect(identitySourcesPresent(token, {}, new URLSearchParams(query))).toBe(expected);
  });

  it('looks headers up case-insensitively (Node lowercases them) and treats empty values as missing', () => {
    expect(identitySourcesPresent(header, { 'x-auth': 'abc' }, new URLSearchParams())).toBe(true);
    expect(identitySourcesPresent(header, { 'x-auth': '' }, new URLSearchParams())).toBe(false);
    expect(identitySourcesPresent(header, {}, new URLSearchParams())).toBe(false);
  });

  it('requires every source', () => {
    expect(identitySourcesPresent([...token, ...header], { 'x-auth': 'abc' }, new URLSearchParams('token=t'))).toBe(true);
    expect(identitySourcesPresent([...token, ...header], {}, new URLSearchParams('token=t'))).toBe(false);
  });
});

describe('Function: wildcardMatch', () => {
  it.each([
    ['arn:aws:execute-api:*:*:*', METHOD_ARN, true],
    ['arn:aws:execute-api:us-east-1:000000000000:abcdef1234/*', METHOD_ARN, true],
    ['arn:aws:execute-api:us-east-1:000000000000:abcdef1234/local/$connect', METHOD_ARN, true],
    ['arn:aws:execute-api:us-east-1:000000000000:abcdef1234/prod/$connect', METHOD_ARN, false],
    ['arn:aws:execute-api:us-east-?:*', METHOD_ARN, true],
    ['*', METHOD_ARN, true],
    ['arn:aws:execute-api:us-east-1:000000000000:abcdef1234/local/$connect.', METHOD_ARN, false],
  ])('%s matches the methodArn: %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });
});

describe('Function: evaluateAuthorizerResponse', () => {
  it('allows with the principal and the context stringified as API Gateway does', () => {
    // Act
    const decision = evaluateAuthorizerResponse(
      policy('Allow', METHOD_ARN, { context: { userId: '1234', expiresAt: 1_700_000_000, admin: false, nothing: null, skipped: undefined } }),
      METHOD_ARN,
    );

    // Assess
    expect(decision).toEqual({ kind: 'allow', principalId: 'user-1234', context: { userId: '1234', expiresAt: '1700000000', admin: 'false', nothing: null } });
  });

  it.each([
    ['Deny', policy('Deny')],
    ['an Allow for another resource', policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:other/local/$connect')],
    ['an Allow for another action', { principalId: 'u', policyDocument: { Statement: [{ Action: 's3:GetObject', Effect: 'Allow', Resource: '*' }] } }],
    ['no statement at all', { principalId: 'u', policyDocument: { Version: '2012-10-17', Statement: [] } }],
  ])('denies %s', (_case, response) => {
    expect(evaluateAuthorizerResponse(response, METHOD_ARN)).toEqual({ kind: 'deny' });
  });

  it('lets a matching Deny win over a matching Allow', () => {
    const response = {
      principalId: 'u',
      policyDocument: {
        Statement: [
          { Action: 'execute-api:*', Effect: 'Allow', Resource: '*' },
          { Action: ['execute-api:Invoke'], Effect: 'Deny', Resource: [METHOD_ARN] },
        ],
      },
    };
    expect(evaluateAuthorizerResponse(response, METHOD_ARN)).toEqual({ kind: 'deny' });
  });

  it('accepts a single statement object and an action wildcard in any case', () => {
    const response = { principalId: 'u', policyDocument: { Statement: { Action: 'EXECUTE-API:*', Effect: 'Allow', Resource: '*' } } };
    expect(evaluateAuthorizerResponse(response, METHOD_ARN)).toMatchObject({ kind: 'allow' });
  });

  it.each([
    ['a string', 'Allow', 'the authorizer did not return an object'],
    ['no principalId', { policyDocument: policy('Allow').policyDocument }, 'principalId is missing or not a string'],
    ['no policyDocument', { principalId: 'u' }, 'policyDocument is missing'],
    ['a statement without Effect', { principalId: 'u', policyDocument: { Statement: [{ Action: '*', Resource: '*' }] } }, 'a policy statement has no Effect of Allow or Deny'],
    ['a statement without Resource', { principalId: 'u', policyDocument: { Statement: [{ Action: '*', Effect: 'Allow' }] } }, 'a policy statement has no Action or Resource'],
    ['an object in the context', policy('Allow', METHOD_ARN, { context: { user: { id: 1 } } }), 'context value "user" is not a string, number or boolean'],
    ['an array in the context', policy('Allow', METHOD_ARN, { context: { roles: ['a'] } }), 'context value "roles" is not a string, number or boolean'],
    ['a context that is not an object', policy('Allow', METHOD_ARN, { context: 'x' }), 'context is not an object'],
  ])('rejects %s as invalid (a 500 on AWS)', (_case, response, reason) => {
    expect(evaluateAuthorizerResponse(response, METHOD_ARN)).toEqual({ kind: 'invalid', reason });
  });

  it('keeps a "__proto__" context key as data', () => {
    const context = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, unknown>;
    const decision = evaluateAuthorizerResponse(policy('Allow', METHOD_ARN, { context }), METHOD_ARN);

    expect(decision.kind).toBe('allow');
    const allowed = decision as Extract<typeof decision, { kind: 'allow' }>;
    expect(Object.getPrototypeOf(allowed.context)).toBe(Object.prototype);
    expect(Object.keys(allowed.context)).toEqual(['__proto__', 'a']);
  });
});

describe('Function: authorizerContext', () => {
  it('puts the context keys, principalId and integrationLatency in requestContext.authorizer', () => {
    const context = authorizerContext({ kind: 'allow', principalId: '1234', context: { userId: '1234', expiresAt: '1700000000' } }, 12);

    expect(context).toEqual({ userId: '1234', expiresAt: '1700000000', principalId: '1234', integrationLatency: 12 });
  });
});

describe('Function: connectMethodArn', () => {
  it('builds the WebSocket $connect methodArn in the local region and account', () => {
    expect(connectMethodArn('abcdef1234', 'local')).toBe('arn:aws:execute-api:us-east-1:000000000000:abcdef1234/local/$connect');
  });
});
