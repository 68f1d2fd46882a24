import { exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';
import { ConfigurationError, InvalidTokenError, KeyUnavailableError } from '../../../src/commons/errors';
import { getJwtVerifierConfigFromEnv, JwtVerifier } from '../../../src/commons/jwt-verifier';
import { AUDIENCE, createTestKeys, ISSUER, KID, nowSeconds, signWith, type TestKeys } from '../helpers/tokens';

const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Expects the promise to reject with an InvalidTokenError of that code. */
async function expectRejected(promise: Promise<unknown>, code: InvalidTokenError['code']): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  expect((error as InvalidTokenError).code).toBe(code);
}

describe('Class: JwtVerifier', () => {
  let keys: TestKeys;

  beforeAll(async () => {
    keys = await createTestKeys();
  });

  describe('Method: verify', () => {
    it('returns the subject and expiry of a valid token', async () => {
      // Prepare
      const exp = nowSeconds() + 600;
      const token = await keys.sign({ sub: 'user-42', exp });

      // Act
      const verified = await keys.verifier.verify(token);

      // Assess
      expect(verified).toEqual({ userId: 'user-42', expiresAt: exp });
    });

    it('accepts a token without kid (the single configured key is used)', async () => {
      const token = await keys.sign({}, { kid: undefined });

      await expect(keys.verifier.verify(token)).resolves.toEqual(expect.objectContaining({ userId: '1234' }));
    });

    it('rejects a token that expired 2 s ago: no clock tolerance on exp', async () => {
      const token = await keys.sign({ exp: nowSeconds() - 2 });

      await expectRejected(keys.verifier.verify(token), 'expired');
    });

    it('treats a token as expired from the second of its exp on, like the connection record does', async () => {
      const exp = nowSeconds() + 60;
      const token = await keys.sign({ exp });

      await expect(keys.verifier.verify(token, exp * 1000 - 1)).resolves.toEqual(expect.objectContaining({ expiresAt: exp }));
      await expectRejected(keys.verifier.verify(token, exp * 1000), 'expired');
    });

    it('keeps the 30 s tolerance for nbf: an issuer clock a few seconds ahead does not make fresh tokens invalid', async () => {
      const token = await keys.sign({ nbf: nowSeconds() + 10, iat: nowSeconds() + 10 });

      await expect(keys.verifier.verify(token)).resolves.toEqual(expect.objectContaining({ userId: '1234' }));
    });

    it('verifies against the given time instead of the clock', async () => {
      const exp = nowSeconds() + 60;
      const token = await keys.sign({ exp });

      await expectRejected(keys.verifier.verify(token, (exp + 31) * 1000), 'expired');
    });

    it('accepts a sub of exactly 128 characters', async () => {
      const token = await keys.sign({ sub: 'u'.repeat(128) });

      await expect(keys.verifier.verify(token)).resolves.toEqual(expect.objectContaining({ userId: 'u'.repeat(128) }));
    });
  });

  describe('Method: verify (attack set)', () => {
    it('rejects alg "none" (an unsecured JWT)', async () => {
      const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: '1234', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 600 })}.`;

      await expectRejected(keys.verifier.verify(token), 'algorithm_not_allowed');
    });

    it('rejects "none" with a signature segment appended', async () => {
      const token = `${b64url({ alg: 'none' })}.${b64url({ sub: '1234', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 600 })}.${b64url('sig')}`;

      await expectRejected(keys.verifier.verify(token), 'algorithm_not_allowed');
    });

    it('rejects HS256 signed with the public key as the HMAC secret', async () => {
      // Prepare: the classic key-confusion attack, using the public key (PEM and JWK forms) as secret.
      const pem = await exportSPKI(keys.publicKey);
      const payload = { sub: '1234', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 600 };
      const withPem = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: KID }).sign(new TextEncoder().encode(pem));
      const withJwk = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', kid: KID })
        .sign(new TextEncoder().encode(JSON.stringify(keys.publicJwk)));

      // Act & Assess
      await expectRejected(keys.verifier.verify(withPem), 'algorithm_not_allowed');
      await expectRejected(keys.verifier.verify(withJwk), 'algorithm_not_allowed');
    });

    it('rejects a token signed by another key with the same kid', async () => {
      const other = await generateKeyPair('ES256');
      const token = await signWith(other.privateKey);

      await expectRejected(keys.verifier.verify(token), 'signature_invalid');
    });

    it('rejects a token whose kid names no known key', async () => {
      const token = await keys.sign({}, { kid: 'someone-elses-key' });

      await expectRejected(keys.verifier.verify(token), 'unknown_key');
    });

    it('rejects a tampered payload', async () => {
      // Prepare: re-encode the payload with another sub, keep header and signature.
      const [header, payload, signature] = (await keys.sign({ sub: 'victim' })).split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const tampered = `${header}.${b64url({ ...claims, sub: 'attacker' })}.${signature}`;

      // Act & Assess
      await expectRejected(keys.verifier.verify(tampered), 'signature_invalid');
    });

    it('rejects an expired token', async () => {
      const token = await keys.sign({ exp: nowSeconds() - 120 });

      await expectRejected(keys.verifier.verify(token), 'expired');
    });

    it('rejects a token whose nbf is in the future', async () => {
      const token = await keys.sign({ nbf: nowSeconds() + 120 });

      await expectRejected(keys.verifier.verify(token), 'not_yet_valid');
    });

    it('rejects a wrong issuer', async () => {
      const token = await keys.sign({ iss: 'https://evil.example.com' });

      await expectRejected(keys.verifier.verify(token), 'claim_invalid');
    });

    it('rejects a wrong audience', async () => {
      const token = await keys.sign({ aud: 'some-other-api' });

      await expectRejected(keys.verifier.verify(token), 'claim_invalid');
    });

    it('rejects a token without exp', async () => {
      const token = await keys.sign({ exp: undefined });

      await expectRejected(keys.verifier.verify(token), 'claim_missing');
    });

    it('rejects a token without sub', async () => {
      const token = await keys.sign({ sub: undefined });

      await expectRejected(keys.verifier.verify(token), 'claim_missing');
    });

    it('rejects a token without iss', async () => {
      const token = await keys.sign({ iss: undefined });

      await expectRejected(keys.verifier.verify(token), 'claim_missing');
    });

    it('rejects a sub longer than 128 characters', async () => {
      const token = await keys.sign({ sub: 'u'.repeat(129) });

      await expectRejected(keys.verifier.verify(token), 'claim_invalid');
    });

    it('rejects a sub that is not a string', async () => {
      const token = await keys.sign({ sub: 1234 as unknown as string });

      await expectRejected(keys.verifier.verify(token), 'claim_invalid');
    });

    it('rejects a 5,000-character token before parsing it', async () => {
      // Prepare: a real, valid signature over a huge claim — only the length is wrong.
      const token = await keys.sign({ padding: 'x'.repeat(5000) });
      expect(token.length).toBeGreaterThan(5000);
      const tooLong = 'a'.repeat(5000);

      // Act & Assess
      await expectRejected(keys.verifier.verify(token), 'too_long');
      await expectRejected(keys.verifier.verify(tooLong), 'too_long');
    });

    it('applies the 4096-character limit exactly: 4097 is too long, 4096 is parsed', async () => {
      await expectRejected(keys.verifier.verify('a'.repeat(4097)), 'too_long');
      await expectRejected(keys.verifier.verify('a'.repeat(4096)), 'malformed');
    });

    it('rejects a token without iat', async () => {
      const token = await keys.sign({ iat: undefined });

      await expectRejected(keys.verifier.verify(token), 'claim_missing');
    });

    it('rejects a lifetime (exp - iat) one second over the 24 h default, and accepts exactly 24 h', async () => {
      const now = nowSeconds();
      const tooLong = await keys.sign({ iat: now, exp: now + 86_401 });
      const longest = await keys.sign({ iat: now, exp: now + 86_400 });

      await expectRejected(keys.verifier.verify(tooLong), 'lifetime_too_long');
      await expect(keys.verifier.verify(longest)).resolves.toEqual(expect.objectContaining({ expiresAt: now + 86_400 }));
    });

    it('rejects a token that practically never expires (exp 1e20)', async () => {
      const token = await keys.sign({ exp: 1e20 });

      await expectRejected(keys.verifier.verify(token), 'lifetime_too_long');
    });

    it('rejects an iat in the future beyond the tolerance, which would stretch the lifetime past the maximum', async () => {
      const now = nowSeconds();
      const token = await keys.sign({ iat: now + 365 * 86_400, exp: now + 365 * 86_400 + 3600 });

      await expectRejected(keys.verifier.verify(token), 'claim_invalid');
    });

    it("applies the stage's own maximum lifetime", async () => {
      const verifier = new JwtVerifier({ ...keys.config, maxTokenLifetimeSeconds: 3600 });
      const now = nowSeconds();

      await expectRejected(verifier.verify(await keys.sign({ iat: now, exp: now + 3601 })), 'lifetime_too_long');
      await expect(verifier.verify(await keys.sign({ iat: now, exp: now + 3600 }))).resolves.toEqual(expect.objectContaining({ userId: '1234' }));
    });

    it('rejects an empty token', async () => {
      await expectRejected(keys.verifier.verify(''), 'missing');
    });

    it('rejects a value that is not a string', async () => {
      await expectRejected(keys.verifier.verify(42 as unknown as string), 'missing');
    });

    it.each([
      ['one segment', 'abc'],
      ['two segments', 'abc.def'],
      ['empty segments', '..'],
      ['four segments', 'a.b.c.d'],
      ['header not base64url JSON', 'not-json.eyJzdWIiOiIxIn0.c2ln'],
      ['header JSON array', `${b64url([1, 2])}.${b64url({ sub: '1' })}.c2ln`],
      ['payload not JSON', `${b64url({ alg: 'ES256', kid: KID })}.${b64url('not json')}.c2ln`],
      ['payload JSON array', `${b64url({ alg: 'ES256', kid: KID })}.${b64url([1])}.c2ln`],
      ['header without alg', `${b64url({ kid: KID })}.${b64url({ sub: '1' })}.c2ln`],
      ['whitespace', '   '],
      ['a JWE (five segments)', 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d'],
      ['non-ASCII', 'ключ.ключ.ключ'],
    ])('rejects a malformed token: %s', async (_name, token) => {
      const error: unknown = await keys.verifier.verify(token).then(
        () => undefined,
        (reason: unknown) => reason,
      );

      expect(error).toBeInstanceOf(InvalidTokenError);
    });
  });

  describe('Method: constructor', () => {
    it('refuses HMAC or none in the algorithm list', () => {
      expect(() => new JwtVerifier({ ...keys.config, algorithms: ['HS256' as 'ES256'] })).toThrow(TypeError);
      expect(() => new JwtVerifier({ ...keys.config, algorithms: ['none' as 'ES256'] })).toThrow(TypeError);
      expect(() => new JwtVerifier({ ...keys.config, algorithms: [] })).toThrow(TypeError);
    });

    it.each([0, 1.5, 31_536_001, Number.NaN])('refuses a maximum token lifetime of %s seconds', (seconds) => {
      expect(() => new JwtVerifier({ ...keys.config, maxTokenLifetimeSeconds: seconds })).toThrow(TypeError);
    });

    it('refuses a clock tolerance above 30 seconds', () => {
      expect(() => new JwtVerifier({ ...keys.config, clockToleranceSeconds: 31 })).toThrow(TypeError);
      expect(() => new JwtVerifier({ ...keys.config, clockToleranceSeconds: 0 })).not.toThrow();
    });
  });

  describe('Method: verify (JWKS key source)', () => {
    it('verifies with a key fetched from the JWKS endpoint', async () => {
      // Prepare
      const fetch = jest.fn(() =>
        Promise.resolve(new Response(JSON.stringify({ keys: [keys.publicJwk] }), { status: 200, headers: { 'content-type': 'application/json' } })),
      );
      const verifier = new JwtVerifier({ ...keys.config, key: { kind: 'jwks', url: 'https://idp.example.com/.well-known/jwks.json', fetch } });

      // Act
      const verified = await verifier.verify(await keys.sign({ sub: 'from-idp' }));

      // Assess
      expect(verified.userId).toBe('from-idp');
      expect(fetch).toHaveBeenCalledTimes(1);
    });

    it('reports an unreachable JWKS endpoint as KeyUnavailableError, not as an invalid token', async () => {
      const fetch = jest.fn(() => Promise.reject(new TypeError('fetch failed')));
      const verifier = new JwtVerifier({ ...keys.config, key: { kind: 'jwks', url: 'https://idp.example.com/jwks', fetch } });

      await expect(verifier.verify(await keys.sign())).rejects.toBeInstanceOf(KeyUnavailableError);
    });

    it('reports a JWKS endpoint answering garbage as KeyUnavailableError', async () => {
      const fetch = jest.fn(() => Promise.resolve(new Response(JSON.stringify({ nope: true }), { status: 200 })));
      const verifier = new JwtVerifier({ ...keys.config, key: { kind: 'jwks', url: 'https://idp.example.com/jwks', fetch } });

      await expect(verifier.verify(await keys.sign())).rejects.toBeInstanceOf(KeyUnavailableError);
    });
  });
});

describe('Function: getJwtVerifierConfigFromEnv', () => {
  const publicJwk: JWK = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k' };
  const base = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_ALGORITHMS: 'ES256', JWT_MAX_LIFETIME_SECONDS: '86400' };

  it('reads a stage public key and the maximum token lifetime', () => {
    const config = getJwtVerifierConfigFromEnv({ ...base, JWT_PUBLIC_JWK: JSON.stringify(publicJwk) });

    expect(config).toEqual({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], key: { kind: 'jwk', jwk: publicJwk }, maxTokenLifetimeSeconds: 86_400 });
  });

  it('reads a JWKS URL and a list of algorithms', () => {
    const config = getJwtVerifierConfigFromEnv({ ...base, JWT_ALGORITHMS: 'RS256, ES256', JWT_JWKS_URL: 'https://idp.example.com/jwks' });

    expect(config.algorithms).toEqual(['RS256', 'ES256']);
    expect(config.key).toEqual({ kind: 'jwks', url: 'https://idp.example.com/jwks' });
  });

  it.each([
    ['no key at all', { ...base }],
    ['both key sources', { ...base, JWT_PUBLIC_JWK: JSON.stringify(publicJwk), JWT_JWKS_URL: 'https://idp.example.com/jwks' }],
    ['an HMAC algorithm', { ...base, JWT_ALGORITHMS: 'HS256', JWT_PUBLIC_JWK: JSON.stringify(publicJwk) }],
    ['alg none', { ...base, JWT_ALGORITHMS: 'ES256,none', JWT_PUBLIC_JWK: JSON.stringify(publicJwk) }],
    ['no algorithms', { ...base, JWT_ALGORITHMS: ' , ', JWT_PUBLIC_JWK: JSON.stringify(publicJwk) }],
    ['a JWK that is not JSON', { ...base, JWT_PUBLIC_JWK: '{not json' }],
    ['a JWK without kty', { ...base, JWT_PUBLIC_JWK: '{"x":"1"}' }],
    ['a private JWK', { ...base, JWT_PUBLIC_JWK: JSON.stringify({ ...publicJwk, d: 'secret' }) }],
    ['a JWKS URL that is not a URL', { ...base, JWT_JWKS_URL: 'not a url' }],
    ['no issuer', { JWT_AUDIENCE: AUDIENCE, JWT_ALGORITHMS: 'ES256', JWT_MAX_LIFETIME_SECONDS: '86400', JWT_PUBLIC_JWK: JSON.stringify(publicJwk) }],
    ['no maximum token lifetime', { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_ALGORITHMS: 'ES256', JWT_PUBLIC_JWK: JSON.stringify(publicJwk) }],
    ['a maximum token lifetime of 0', { ...base, JWT_MAX_LIFETIME_SECONDS: '0', JWT_PUBLIC_JWK: JSON.stringify(publicJwk) }],
    ['a maximum token lifetime that is not a number', { ...base, JWT_MAX_LIFETIME_SECONDS: '1d', JWT_PUBLIC_JWK: JSON.stringify(publicJwk) }],
  ])('throws ConfigurationError for %s', (_name, env) => {
    expect(() => getJwtVerifierConfigFromEnv(env)).toThrow(ConfigurationError);
  });
});
