/** Real ES256 keys and tokens for tests (generated per test file, never read from disk). */
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { JwtVerifier, type JwtVerifierConfig } from '../../../src/commons/jwt-verifier';

export const ISSUER = 'https://ws-notify.local/test';
export const AUDIENCE = 'ws-notify-test';
export const KID = 'test-key-1';

export interface TestKeys {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly config: JwtVerifierConfig;
  readonly verifier: JwtVerifier;
  /** A token signed with the private key; `claims` override the defaults (sub 1234, iss, aud, exp in 1 h). */
  sign(claims?: JWTPayload, header?: { kid?: string | undefined }): Promise<string>;
}

export async function createTestKeys(): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' };
  const config: JwtVerifierConfig = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], key: { kind: 'jwk', jwk: publicJwk } };
  return {
    privateKey,
    publicKey,
    publicJwk,
    config,
    verifier: new JwtVerifier(config),
    sign: (claims = {}, header = { kid: KID }) => signWith(privateKey, claims, header),
  };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export async function signWith(key: CryptoKey, claims: JWTPayload = {}, header: { kid?: string | undefined } = { kid: KID }): Promise<string> {
  const payload: JWTPayload = { sub: '1234', iss: ISSUER, aud: AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 3600, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', ...(header.kid === undefined ? {} : { kid: header.kid }) }).sign(key);
}
