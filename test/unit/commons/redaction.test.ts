import fc from 'fast-check';
import { isSensitiveKey, REDACTED, redact, redactString } from '../../../src/commons/redaction';
import { anyString } from '../helpers/matchers';

const JWT =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMjM0IiwiZXhwIjoxNzY1NjI0NjY3fQ.MEUCIQDx3Yl8pYpJf0zUuGx9bL1kO_tc-0aXyz';
const JWT_SIGNATURE = JWT.slice(JWT.lastIndexOf('.') + 1);

/** `value` with `secret` put in place of one of its parts (chosen by `seed`), or beside it. */
function withValueSomewhere(value: unknown, seed: number, secret: string): unknown {
  if (Array.isArray(value) && value.length > 0) {
    const index = seed % value.length;
    return value.map((item: unknown, i) => (i === index ? withValueSomewhere(item, Math.floor(seed / 7), secret) : item));
  }
  if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) {
    const keys = Object.keys(value);
    const key = keys[seed % keys.length] ?? '';
    return { ...value, [key]: withValueSomewhere((value as Record<string, unknown>)[key], Math.floor(seed / 7), secret) };
  }
  return seed % 2 === 0 ? secret : [value, secret];
}

describe('Function: redactString', () => {
  it.each([
    ['a bare JWT', `Bearer ${JWT}`, `Bearer ${REDACTED}`],
    ['a JWT without signature', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', REDACTED],
    ['a token in a query string', `wss://abc.example.com/prod?token=opaque-secret&x=1`, `wss://abc.example.com/prod?token=${REDACTED}&x=1`],
    ['a token as the first query parameter without ?', 'token=opaque-secret', `token=${REDACTED}`],
    ['an access_token parameter', 'https://x.example/cb#access_token=abc.def', `https://x.example/cb#access_token=${REDACTED}`],
    ['a token in JSON text', '{"action":"authorize","token":"opaque-secret"}', `{"action":"authorize","token":"${REDACTED}"}`],
    ['a token in JSON with spaces', '{ "Token" : "opaque-secret" }', `{ "Token" : "${REDACTED}" }`],
    ['a token in escaped JSON', '{"body":"{\\"token\\":\\"opaque-secret\\"}"}', `{"body":"{\\"token\\":\\"${REDACTED}\\"}"}`],
  ])('removes %s', (_label, input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it.each([
    ['a key written with escapes', '{"\\u0074oken":"opaque-secret"}', `{"\\u0074oken":"${REDACTED}"}`],
    ['a JWT written with escapes', `{"note":"ey\\u004a${JWT.slice(3)}"}`, `{"note":"${REDACTED}"}`],
    ['an object under a sensitive key', '{"token":{"value":"x","n":[1,2]},"a":1}', `{"token":"${REDACTED}","a":1}`],
    ['a number under a sensitive key', '{"pin_token": 1234, "a": 1}', `{"pin_token": "${REDACTED}", "a": 1}`],
    ['a truncated body', '{"action":"authorize","token":"opaque-sec', `{"action":"authorize","token":"${REDACTED}"`],
    ['JSON inside JSON inside JSON', JSON.stringify({ a: JSON.stringify({ b: JSON.stringify({ token: 'opaque-secret' }) }) }), JSON.stringify({ a: JSON.stringify({ b: JSON.stringify({ token: REDACTED }) }) })],
    ['a percent-encoded parameter name', 'https://x.example/?%74oken=opaque-secret&a=1', `https://x.example/?%74oken=${REDACTED}&a=1`],
    ['a parameter whose decoded value is a JWT', `https://x.example/?next=${encodeURIComponent(`/cb?${JWT}`)}`, `https://x.example/?next=${REDACTED}`],
    ['a JWT after other dotted segments', `see x1.${JWT}`, `see x1.${REDACTED}`],
  ])('removes %s', (_label, input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('keeps null under a sensitive key in JSON text, and the layout of the text', () => {
    expect(redactString('{ "token" : null, "n" : 1.50 }')).toBe('{ "token" : null, "n" : 1.50 }');
  });

  it('leaves ordinary text alone', () => {
    const text = 'connection XfGLwdrQtjMCJvw= pinged; tokens are fine as a word; eyJ';

    expect(redactString(text)).toBe(text);
    expect(redactString('')).toBe('');
  });

  it.each([
    'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod/@connections/XfGLwdrQtjMCJvw=',
    'src/handlers/authorize.ts:42:7 v20.19.5 example.com 1.2.3.4',
    'He said "hello": "world", 6" long, {"a":[1,{"b":"c"}]}',
    '{"action":"ping","name":"Stepan"}',
    'failedAttempts=3 code=invalid_token reason=expired',
  ])('does not change text without secrets: %s', (text) => {
    expect(redactString(text)).toBe(text);
  });

  it('finds a JWT placed anywhere in JSON text, also when that text is itself held in JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(), fc.boolean(), (value, seed, twice) => {
        const text = JSON.stringify(withValueSomewhere(value, seed, `Bearer ${JWT}`));
        const logged = twice ? JSON.stringify({ body: text }) : text;

        expect(redactString(logged)).not.toContain(JWT_SIGNATURE);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Function: isSensitiveKey', () => {
  it.each(['token', 'Token', 'access_token', 'idToken', 'sessionToken', 'x-auth-token', 'jwt', 'client_secret', 'Authorization', 'authorization', 'Cookie', 'Sec-WebSocket-Protocol', 'password'])(
    'treats %s as sensitive',
    (key) => {
      expect(isSensitiveKey(key)).toBe(true);
    },
  );

  it.each(['connectionId', 'userId', 'tokenExpired', 'expiresAt', 'maxTokenLifetimeSeconds', 'Sec-WebSocket-Key'])('does not treat %s as sensitive', (key) => {
    expect(isSensitiveKey(key)).toBe(false);
  });
});

describe('Function: redact', () => {
  it('redacts the query string parameters of an event, single and multi-value', () => {
    const event = {
      queryStringParameters: { token: 'opaque-secret', other: 'kept' },
      multiValueQueryStringParameters: { token: ['opaque-secret', 'second'], other: ['kept'] },
      requestContext: { connectionId: 'c1' },
    };

    expect(redact(event)).toEqual({
      queryStringParameters: { token: REDACTED, other: 'kept' },
      multiValueQueryStringParameters: { token: REDACTED, other: ['kept'] },
      requestContext: { connectionId: 'c1' },
    });
  });

  it('redacts headers that carry credentials', () => {
    expect(redact({ headers: { Authorization: 'Bearer x', Host: 'h' } })).toEqual({ headers: { Authorization: REDACTED, Host: 'h' } });
  });

  it('keeps null and undefined under a sensitive key as they are', () => {
    expect(redact({ token: null })).toEqual({ token: null });
    expect(redact({ token: undefined })).toEqual({ token: undefined });
  });

  it('redacts JWTs in keys, nested arrays, Maps and Sets', () => {
    const value = { [JWT]: 1, list: [[`x ${JWT}`]], map: new Map([['k', JWT]]), set: new Set([JWT]) };

    const output = JSON.stringify(redact(value));

    expect(output).not.toContain(JWT);
    expect(output).toContain(`"list":[["x ${REDACTED}"]]`);
    expect(output).toContain(`"map":{"k":"${REDACTED}"}`);
  });

  it('turns errors into data with their message, stack, cause and own fields redacted', () => {
    const cause = new Error(`upstream said token=${JWT}`);
    const error = Object.assign(new TypeError(`bad ${JWT}`, { cause }), { token: 'opaque-secret', code: 'E1' });

    const output = redact(error) as Record<string, unknown>;

    expect(JSON.stringify(output)).not.toContain(JWT);
    expect(JSON.stringify(output)).not.toContain('opaque-secret');
    expect(output).toEqual(
      expect.objectContaining({ name: 'TypeError', message: `bad ${REDACTED}`, token: REDACTED, code: 'E1', stack: anyString() }),
    );
    expect(output.cause).toEqual(expect.objectContaining({ message: `upstream said token=${REDACTED}` }));
  });

  it('uses the given error formatter', () => {
    const output = redact({ error: new Error(JWT) }, { formatError: (error) => ({ formatted: error.message }) });

    expect(output).toEqual({ error: { formatted: REDACTED } });
  });

  it('survives cycles and very deep values', () => {
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i += 1) deep = { next: deep };

    expect(redact(cyclic)).toEqual({ name: 'root', self: '[Circular]' });
    expect(JSON.stringify(redact(deep))).toContain('[Truncated]');
  });

  it('copies a __proto__ key as data without touching any prototype', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"token":"x"}') as Record<string, unknown>;

    const output = redact(input) as Record<string, unknown>;

    expect(Object.hasOwn(output, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(output.token).toBe(REDACTED);
  });

  it('keeps dates, numbers and booleans, and summarises binary data', () => {
    const date = new Date(0);

    expect(redact({ date, n: 1, b: false, bytes: new Uint8Array(3) })).toEqual({ date, n: 1, b: false, bytes: '[Uint8Array 3 bytes]' });
  });
});
