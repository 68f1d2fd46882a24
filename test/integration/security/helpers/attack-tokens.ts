/**
 * The JWT attack set (docs/security.md), built against a running test stack's own stage key: every token
 * here is refused by the one verifier (src/commons/jwt-verifier.ts), each for a known reason (the
 * `reason` the Authorizer and Authorize functions log).
 *
 * @example
 * const forge = await createForger(t.stack.stage, 'alice');
 * it.each(JWT_ATTACKS)('refuses $name', async ({ build, reason }) => { const token = await build(forge); … });
 */
import { base64url, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { StageConfig } from '../../../../infra/stages';
import type { InvalidTokenCode } from '../../../../src/commons/errors';
import { readStagePublicJwk, readStageSigningKey } from '../../../../src/tooling/stage-keys';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const encodeJson = (value: unknown): string => base64url.encode(JSON.stringify(value));

/** What an attacker has: the stage's public key, one valid token of another user, a key pair of their own. */
export interface Forger {
  readonly stage: StageConfig;
  /** The user every forged token claims to be. */
  readonly victim: string;
  /** The claims of a valid token for `userId`; `overrides` set claims, or remove them with `undefined`. */
  claims(overrides?: Record<string, unknown>, userId?: string): JWTPayload;
  /** Signs with the stage's real private key (what a legitimate issuer would sign). */
  signAsIssuer(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** Signs with any key and header. */
  sign(claims: JWTPayload, key: CryptoKey | Uint8Array, header: Record<string, unknown>): Promise<string>;
  /** The stage's key id and algorithm. */
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
  readonly attacker: { readonly privateKey: CryptoKey; readonly publicJwk: JWK };
}

/** A forger for a stage whose key pair is in WS_NOTIFY_KEYS_DIR (startTestStack made it). */
export async function createForger(stage: StageConfig, victim: string): Promise<Forger> {
  const signing = await readStageSigningKey(stage.name);
  const publicJwk = readStagePublicJwk(stage.name);
  if (publicJwk === undefined) throw new Error(`stage ${stage.name} has no public key`);
  const attacker = await generateKeyPair('ES256', { extractable: true });
  const sign = (claims: JWTPayload, key: CryptoKey | Uint8Array, header: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
  return {
    stage,
    victim,
    kid: signing.kid,
    alg: signing.alg,
    publicJwk,
    attacker: { privateKey: attacker.privateKey, publicJwk: await exportJWK(attacker.publicKey) },
    claims(overrides = {}, userId = victim) {
      const now = nowSeconds();
      const claims: Record<string, unknown> = { iss: stage.jwt.issuer, aud: stage.jwt.audience, sub: userId, iat: now, exp: now + 3600, ...overrides };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      return claims;
    },
    signAsIssuer: (claims, header = { alg: signing.alg, kid: signing.kid, typ: 'JWT' }) => sign(claims, signing.key, header),
    sign,
  };
}

export interface JwtAttack {
  /** What the attack is, for the test name. */
  readonly name: string;
  /** Why the verifier refuses it (logged as `reason`). */
  readonly reason: InvalidTokenCode;
  build(forger: Forger): Promise<string>;
}

async function validParts(forger: Forger, userId = forger.victim): Promise<[string, string, string]> {
  const [header = '', payload = '', signature = ''] = (await forger.signAsIssuer(forger.claims({}, userId))).split('.');
  return [header, payload, signature];
}

async function hmacWithPublicKey(forger: Forger, secret: 'pem' | 'jwk'): Promise<string> {
  const publicKey = (await importJWK(forger.publicJwk, forger.alg)) as CryptoKey;
  const text = secret === 'pem' ? await exportSPKI(publicKey) : JSON.stringify(forger.publicJwk);
  return forger.sign(forger.claims(), new TextEncoder().encode(text), { alg: 'HS256', kid: forger.kid, typ: 'JWT' });
}

/** The JWT attack set of docs/security.md, and a few more of the same families. */
export const JWT_ATTACKS: readonly JwtAttack[] = [
  {
    name: 'alg none, empty signature',
    reason: 'algorithm_not_allowed',
    build: async (f) => `${encodeJson({ alg: 'none', typ: 'JWT' })}.${(await validParts(f))[1]}.`,
  },
  {
    name: 'alg "None" (case variant), empty signature',
    reason: 'algorithm_not_allowed',
    build: async (f) => `${encodeJson({ alg: 'None', typ: 'JWT' })}.${(await validParts(f))[1]}.`,
  },
  { name: 'HS256 with the public key (PEM) as the HMAC secret', reason: 'algorithm_not_allowed', build: (f) => hmacWithPublicKey(f, 'pem') },
  { name: 'HS256 with the public JWK text as the HMAC secret', reason: 'algorithm_not_allowed', build: (f) => hmacWithPublicKey(f, 'jwk') },
  {
    name: 'signed with another key under the stage key id',
    reason: 'signature_invalid',
    build: (f) => f.sign(f.claims(), f.attacker.privateKey, { alg: 'ES256', kid: f.kid, typ: 'JWT' }),
  },
  {
    name: 'signed with another key that the token embeds as a jwk header',
    reason: 'signature_invalid',
    build: (f) => f.sign(f.claims(), f.attacker.privateKey, { alg: 'ES256', jwk: f.attacker.publicJwk, typ: 'JWT' }),
  },
  {
    name: 'tampered payload (sub changed, signature kept)',
    reason: 'signature_invalid',
    build: async (f) => {
      const [header, , signature] = await validParts(f, 'someone-else');
      return `${header}.${encodeJson(f.claims())}.${signature}`;
    },
  },
  {
    name: 'payload of another valid token spliced in',
    reason: 'signature_invalid',
    build: async (f) => {
      const [header, , signature] = await validParts(f, 'someone-else');
      const [, payload] = await validParts(f);
      return `${header}.${payload}.${signature}`;
    },
  },
  {
    name: 'signature stripped',
    reason: 'signature_invalid',
    build: async (f) => {
      const [header, payload] = await validParts(f);
      return `${header}.${payload}.`;
    },
  },
  {
    name: 'expired (exp 2 minutes ago)',
    reason: 'expired',
    build: (f) => f.signAsIssuer(f.claims({ iat: nowSeconds() - 3600, exp: nowSeconds() - 120 })),
  },
  {
    name: 'expired 2 s ago (exp has no clock tolerance)',
    reason: 'expired',
    build: (f) => f.signAsIssuer(f.claims({ iat: nowSeconds() - 3600, exp: nowSeconds() - 2 })),
  },
  { name: 'future nbf (in 2 minutes)', reason: 'not_yet_valid', build: (f) => f.signAsIssuer(f.claims({ nbf: nowSeconds() + 120 })) },
  { name: 'wrong iss', reason: 'claim_invalid', build: (f) => f.signAsIssuer(f.claims({ iss: 'https://evil.example.com/' })) },
  { name: 'wrong aud', reason: 'claim_invalid', build: (f) => f.signAsIssuer(f.claims({ aud: 'another-service' })) },
  { name: 'missing exp', reason: 'claim_missing', build: (f) => f.signAsIssuer(f.claims({ exp: undefined })) },
  { name: 'missing sub', reason: 'claim_missing', build: (f) => f.signAsIssuer(f.claims({ sub: undefined })) },
  { name: 'missing iat', reason: 'claim_missing', build: (f) => f.signAsIssuer(f.claims({ iat: undefined })) },
  {
    name: 'lifetime of 24 h and 1 s (exp - iat over the stage maximum)',
    reason: 'lifetime_too_long',
    build: (f) => f.signAsIssuer(f.claims({ iat: nowSeconds(), exp: nowSeconds() + 86_401 })),
  },
  { name: 'exp 1e20 (never expires)', reason: 'lifetime_too_long', build: (f) => f.signAsIssuer(f.claims({ exp: 1e20 })) },
  {
    name: 'iat a year in the future (stretches the lifetime)',
    reason: 'claim_invalid',
    build: (f) => f.signAsIssuer(f.claims({ iat: nowSeconds() + 31_536_000, exp: nowSeconds() + 31_536_000 + 3600 })),
  },
  { name: 'sub longer than 128 characters', reason: 'claim_invalid', build: (f) => f.signAsIssuer(f.claims({}, 'u'.repeat(129))) },
  { name: 'exp that is not a number', reason: 'claim_invalid', build: (f) => f.signAsIssuer(f.claims({ exp: 'never' })) },
  {
    name: 'unknown key id (right key)',
    reason: 'unknown_key',
    build: (f) => f.signAsIssuer(f.claims(), { alg: f.alg, kid: 'someone-elses-key', typ: 'JWT' }),
  },
  {
    name: 'oversized: over 4096 characters, correctly signed',
    reason: 'too_long',
    build: (f) => f.signAsIssuer(f.claims({ padding: 'p'.repeat(4200) })),
  },
  { name: 'malformed: not a JWT', reason: 'malformed', build: () => Promise.resolve('not-a-jwt') },
  { name: 'malformed: three empty segments', reason: 'malformed', build: () => Promise.resolve('..') },
  { name: 'malformed: segments that are not base64url JSON', reason: 'malformed', build: () => Promise.resolve('a.b.c') },
  { name: 'malformed: header only', reason: 'malformed', build: async (f) => (await validParts(f))[0] },
  {
    name: 'malformed: five segments (JWE shape)',
    reason: 'malformed',
    build: async (f) => `${(await validParts(f)).join('.')}.x.y`,
  },
  {
    name: 'malformed: header that is not JSON',
    reason: 'malformed',
    build: async (f) => {
      const [, payload, signature] = await validParts(f);
      return `${base64url.encode('{alg:ES256')}.${payload}.${signature}`;
    },
  },
];
