import { tokenExpiry } from '../../../src/client/token-expiry';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Function: tokenExpiry', () => {
  it("reads a JWT's exp", () => {
    expect(tokenExpiry(`${part({ alg: 'ES256' })}.${part({ sub: 'u1', exp: 1765624667 })}.sig`)).toBe(1765624667);
  });

  it('reads base64url payloads of any padding, with non-ASCII claims', () => {
    for (const name of ['a', 'ab', 'abc', 'Zoë 🙂']) {
      expect(tokenExpiry(`h.${part({ name, exp: 2000000000 })}.s`)).toBe(2000000000);
    }
  });

  it.each([
    ['an opaque token', 'opaque-token'],
    ['a payload that is not base64 JSON', 'a.%%%.c'],
    ['a JWT without exp', `h.${part({ sub: 'u1' })}.s`],
    ['a JWT whose exp is not a number', `h.${part({ exp: '2000000000' })}.s`],
    ['a JWT whose payload is not an object', `h.${part(12)}.s`],
  ])('is undefined for %s', (_name, token) => {
    expect(tokenExpiry(token)).toBeUndefined();
  });
});
