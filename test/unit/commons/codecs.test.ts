import {
  AuthorizeDeadlineBody,
  AuthorizeMessage,
  AuthorizerContext,
  boundedString,
  decode,
  JsonObject,
  NotifyConnectionBody,
  NotifyUserBody,
  parseJson,
  PingMessage,
  ResumeMessage,
  TokenClaims,
} from '../../../src/commons/codecs';

describe('Function: boundedString', () => {
  const codec = boundedString('Name', 1, 3);

  it('counts characters (code points), not UTF-16 units', () => {
    expect(decode(codec, '😀😀😀')).toEqual({ ok: true, value: '😀😀😀' });
    expect(decode(codec, '😀😀😀😀').ok).toBe(false);
  });

  it('rejects empty strings, non-strings and over-long strings with a message naming no value', () => {
    expect(decode(codec, '')).toEqual({ ok: false, message: 'message must be a string of 1 to 3 characters' });
    expect(decode(codec, 12).ok).toBe(false);
    expect(decode(codec, 'abcd').ok).toBe(false);
    expect(codec.is('abc')).toBe(true);
    expect(codec.is('x'.repeat(100))).toBe(false);
  });
});

describe('Codec: PingMessage', () => {
  it('accepts no name, a 1–100 character name, and ignores other fields', () => {
    expect(decode(PingMessage, { action: 'ping' }).ok).toBe(true);
    expect(decode(PingMessage, { action: 'ping', name: 'x'.repeat(100), extra: [1] })).toEqual({
      ok: true,
      value: { action: 'ping', name: 'x'.repeat(100), extra: [1] },
    });
  });

  it.each([['empty', ''], ['101 characters', 'x'.repeat(101)], ['a number', 5], ['null', null], ['an object', {}]])(
    'rejects a name that is %s',
    (_label, name) => {
      expect(decode(PingMessage, { action: 'ping', name })).toEqual({ ok: false, message: 'name must be a string of 1 to 100 characters' });
    },
  );
});

describe('Codec: AuthorizeMessage', () => {
  it('needs token to be a string', () => {
    expect(decode(AuthorizeMessage, { action: 'authorize', token: 'abc' }).ok).toBe(true);
    expect(decode(AuthorizeMessage, { action: 'authorize' })).toEqual({ ok: false, message: 'token is required' });
    expect(decode(AuthorizeMessage, { action: 'authorize', token: 42 })).toEqual({ ok: false, message: 'token has the wrong type' });
  });
});

describe('Codec: NotifyUserBody', () => {
  it('accepts any JSON data, null included, and an optional id', () => {
    expect(decode(NotifyUserBody, { userId: '1234', data: null }).ok).toBe(true);
    expect(decode(NotifyUserBody, { userId: '1234', data: { download: '/reports/42' }, id: 'n-1' })).toEqual({
      ok: true,
      value: { userId: '1234', data: { download: '/reports/42' }, id: 'n-1' },
    });
  });

  it.each([
    ['no data', { userId: '1234' }, 'data is required'],
    ['no userId', { data: 1 }, 'userId must be a string of 1 to 128 characters'],
    ['an empty userId', { userId: '', data: 1 }, 'userId must be a string of 1 to 128 characters'],
    ['a 129-character userId', { userId: 'u'.repeat(129), data: 1 }, 'userId must be a string of 1 to 128 characters'],
    ['a numeric id', { userId: '1234', data: 1, id: 7 }, 'id must be a string of 1 to 128 characters'],
  ])('rejects %s', (_label, body, message) => {
    expect(decode(NotifyUserBody, body)).toEqual({ ok: false, message });
  });

  it('rejects a body that is not an object', () => {
    expect(decode(NotifyUserBody, [1, 2]).ok).toBe(false);
    expect(decode(NotifyUserBody, 'text').ok).toBe(false);
  });
});

describe('Codec: NotifyConnectionBody and AuthorizeDeadlineBody', () => {
  it('need a connection id', () => {
    expect(decode(NotifyConnectionBody, { connectionId: 'abc=', data: 'hello' }).ok).toBe(true);
    expect(decode(NotifyConnectionBody, { data: 'hello' }).ok).toBe(false);
    expect(decode(AuthorizeDeadlineBody, { connectionId: 'abc=' }).ok).toBe(true);
    expect(decode(AuthorizeDeadlineBody, { connectionId: 1 }).ok).toBe(false);
  });
});

describe('Codec: NotifyConnectionBody seq', () => {
  it('accepts a body without seq (sent by an application) and one with an integer seq ≥ 1 (sent by the fan-out)', () => {
    expect(decode(NotifyConnectionBody, { connectionId: 'abc=', data: 1, id: 'n' })).toEqual({ ok: true, value: { connectionId: 'abc=', data: 1, id: 'n' } });
    expect(decode(NotifyConnectionBody, { connectionId: 'abc=', data: 1, id: 'n', seq: 7 })).toEqual({
      ok: true,
      value: { connectionId: 'abc=', data: 1, id: 'n', seq: 7 },
    });
    expect(decode(NotifyConnectionBody, { connectionId: 'abc=', data: 1, seq: Number.MAX_SAFE_INTEGER }).ok).toBe(true);
  });

  it.each([['0', 0], ['negative', -1], ['fractional', 1.5], ['a string', '7'], ['null', null], ['unsafe', Number.MAX_SAFE_INTEGER + 1]])(
    'rejects a seq that is %s',
    (_label, seq) => {
      expect(decode(NotifyConnectionBody, { connectionId: 'abc=', data: 1, seq })).toEqual({ ok: false, message: 'seq must be an integer of 1 or more' });
    },
  );
});

describe('Codec: ResumeMessage', () => {
  it.each([0, 1, 42, Number.MAX_SAFE_INTEGER])('accepts after = %d', (after) => {
    expect(decode(ResumeMessage, { action: 'resume', after })).toEqual({ ok: true, value: { action: 'resume', after } });
  });

  it.each([
    ['missing', undefined],
    ['negative', -1],
    ['fractional', 2.5],
    ['a numeric string', '5'],
    ['null', null],
    ['a boolean', true],
    ['an array', [5]],
    ['beyond the largest safe integer', Number.MAX_SAFE_INTEGER + 1],
    ['infinite', Infinity],
  ])('rejects after that is %s', (_label, after) => {
    expect(decode(ResumeMessage, { action: 'resume', after }).ok).toBe(false);
  });
});

describe('Codec: AuthorizerContext', () => {
  it('takes expiresAt as a number or as a numeric string', () => {
    expect(decode(AuthorizerContext, { userId: '1234', expiresAt: 1765624667 })).toEqual({
      ok: true,
      value: { userId: '1234', expiresAt: 1765624667 },
    });
    expect(decode(AuthorizerContext, { userId: '1234', expiresAt: '1765624667', principalId: '1234' })).toEqual({
      ok: true,
      value: { userId: '1234', expiresAt: 1765624667, principalId: '1234' },
    });
    expect(AuthorizerContext.is({ userId: '1', expiresAt: 5 })).toBe(true);
  });

  it.each([['abc'], [''], [-5], [0], [Number.NaN], [null], [true]])('rejects expiresAt %p', (expiresAt) => {
    expect(decode(AuthorizerContext, { userId: '1234', expiresAt }).ok).toBe(false);
  });
});

describe('Codec: TokenClaims', () => {
  it('needs a string sub and a numeric exp and iat', () => {
    expect(decode(TokenClaims, { sub: 'u', exp: 2, iat: 1 }).ok).toBe(true);
    expect(decode(TokenClaims, { sub: 'u', exp: '1', iat: 1 })).toEqual({ ok: false, message: 'exp must be a number' });
    expect(decode(TokenClaims, { sub: 'u', exp: 2 })).toEqual({ ok: false, message: 'iat must be a number' });
    expect(TokenClaims.is({ sub: 'u', exp: 2, iat: 1 })).toBe(true);
    expect(TokenClaims.is({ sub: 'u', exp: 2 })).toBe(false);
  });
});

describe('Codec: JsonObject', () => {
  it('accepts plain objects only', () => {
    expect(JsonObject.is({})).toBe(true);
    expect(JsonObject.is([])).toBe(false);
    expect(decode(JsonObject, null)).toEqual({ ok: false, message: 'message must be a JSON object' });
  });
});

describe('Function: parseJson', () => {
  it('never throws', () => {
    expect(parseJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJson('{')).toEqual({ ok: false });
    expect(parseJson('')).toEqual({ ok: false });
  });
});
