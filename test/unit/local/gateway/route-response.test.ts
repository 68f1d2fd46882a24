import { interpretConnectResult, interpretRouteResult } from '../../../../src/local/gateway/route-response';

describe('Function: interpretRouteResult', () => {
  it.each<[string, unknown, unknown]>([
    ['a body', { statusCode: 200, body: '{"type":"pong"}' }, { kind: 'text', body: '{"type":"pong"}' }],
    ['a body with a non-2xx status (the status does not matter)', { statusCode: 400, body: 'x' }, { kind: 'text', body: 'x' }],
    ['a body without a status', { body: 'x' }, { kind: 'text', body: 'x' }],
    ['a plain string', 'hello', { kind: 'text', body: 'hello' }],
    ['a status only', { statusCode: 200 }, { kind: 'none' }],
    ['an empty body', { statusCode: 200, body: '' }, { kind: 'none' }],
    ['a null body', { statusCode: 200, body: null }, { kind: 'none' }],
    ['an empty string', '', { kind: 'none' }],
    ['undefined', undefined, { kind: 'none' }],
    ['null', null, { kind: 'none' }],
    ['an empty object', {}, { kind: 'none' }],
    ['headers and a string status', { statusCode: '200', headers: { a: 'b' }, multiValueHeaders: {}, body: 'x' }, { kind: 'text', body: 'x' }],
  ])('interprets %s', (_case, payload, expected) => {
    expect(interpretRouteResult(payload)).toEqual(expected);
  });

  it('decodes a base64 body into a binary frame', () => {
    expect(interpretRouteResult({ statusCode: 200, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true })).toEqual({
      kind: 'binary',
      body: Buffer.from([1, 2, 3]),
    });
  });

  it.each<[string, unknown, string]>([
    ['an unknown key (middyjs/middy#1219)', { statusCode: 200, ConnectionId: 'x', Data: 'y' }, 'unexpected key "ConnectionId" in the proxy response'],
    ['a body that is an object', { statusCode: 200, body: { type: 'pong' } }, 'body is not a string'],
    ['a number', 42, 'the function returned a number'],
    ['a boolean', true, 'the function returned a boolean'],
    ['an array', [1], 'the function returned an array'],
    ['an invalid status', { statusCode: 'OK', body: 'x' }, 'statusCode is not an HTTP status code'],
    ['a status out of range', { statusCode: 700 }, 'statusCode is not an HTTP status code'],
  ])('rejects %s as malformed', (_case, payload, reason) => {
    expect(interpretRouteResult(payload)).toEqual({ kind: 'malformed', reason });
  });
});

describe('Function: interpretConnectResult', () => {
  it.each<[string, unknown, unknown]>([
    ['200', { statusCode: 200 }, { kind: 'accept', protocol: undefined }],
    ['204 with a body', { statusCode: 204, body: 'ignored' }, { kind: 'accept', protocol: undefined }],
    ['no result', undefined, { kind: 'accept', protocol: undefined }],
    ['no status', {}, { kind: 'accept', protocol: undefined }],
    ['a subprotocol header', { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'chat' } }, { kind: 'accept', protocol: 'chat' }],
    ['403', { statusCode: 403 }, { kind: 'reject', status: 403 }],
    ['301', { statusCode: 301 }, { kind: 'reject', status: 301 }],
    ['429', { statusCode: 429, body: 'slow down' }, { kind: 'reject', status: 429 }],
    ['503 as a string', { statusCode: '503' }, { kind: 'reject', status: 503 }],
  ])('interprets %s', (_case, payload, expected) => {
    expect(interpretConnectResult(payload)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['an unknown key', { statusCode: 200, userId: '1' }],
    ['a 1xx status', { statusCode: 101 }],
    ['a number', 200],
  ])('rejects %s as malformed (502)', (_case, payload) => {
    expect(interpretConnectResult(payload)).toMatchObject({ kind: 'malformed' });
  });
});
