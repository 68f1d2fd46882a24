import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assertGeneratedKeys, issueStageToken, StageTokenError } from '../../../src/tooling/stage-tokens';
import { getStage, type StageConfig } from '../../../infra/stages';
import { ensureStageKeyPair, MissingStageKeyError } from '../../../src/tooling/stage-keys';
import { temporaryDirectory } from '../helpers/temp-dir';

const jwksStage: StageConfig = {
  ...getStage('prod'),
  name: 'partner',
  jwt: { issuer: 'https://idp.example.com/', audience: 'ws-notify', algorithms: ['RS256'], keySource: { kind: 'jwks', jwksUrl: 'https://idp.example.com/.well-known/jwks.json' } },
};

describe('Function: assertGeneratedKeys', () => {
  it('refuses a stage whose tokens come from an identity provider, in one line', () => {
    expect(() => assertGeneratedKeys(jwksStage)).toThrow(StageTokenError);
    expect(() => assertGeneratedKeys(jwksStage)).toThrow(expect.objectContaining({ code: 'external_identity_provider', stage: 'partner' }) as Error);
    expect(() => assertGeneratedKeys(jwksStage)).toThrow(
      'stage "partner" verifies tokens from an external identity provider (https://idp.example.com/.well-known/jwks.json): get its tokens from that provider, ws-notify has no key for it',
    );
  });

  it('accepts a stage with generated keys', () => {
    expect(() => assertGeneratedKeys(getStage('local'))).not.toThrow();
  });
});

describe('Function: issueStageToken', () => {
  let keysDir: { path: string; remove: () => void };
  const saved = process.env.WS_NOTIFY_KEYS_DIR;

  beforeEach(() => {
    keysDir = temporaryDirectory('ws-notify-keys-');
    process.env.WS_NOTIFY_KEYS_DIR = keysDir.path;
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.WS_NOTIFY_KEYS_DIR;
    else process.env.WS_NOTIFY_KEYS_DIR = saved;
    keysDir.remove();
  });

  it('makes the key pair of local on first use and signs iss, aud, sub, iat and exp', async () => {
    const now = Date.UTC(2030, 0, 1);

    const token = await issueStageToken(getStage('local'), { userId: 'u1', ttlSeconds: 600, now });

    const jwk = JSON.parse(readFileSync(path.join(keysDir.path, 'local.public.jwk.json'), 'utf8')) as JWK;
    const { payload } = await jwtVerify(token, await importJWK(jwk, 'ES256'), { currentDate: new Date(now) });
    expect(payload).toEqual({ iss: 'https://ws-notify.local/local', aud: 'ws-notify-local', sub: 'u1', iat: now / 1000, exp: now / 1000 + 600 });
  });

  it.each(['prod', 'dev'])('refuses stage %s while its keys do not exist, and makes none', async (name) => {
    // Act
    const issued = issueStageToken(getStage(name), { userId: 'u1', ttlSeconds: 600 });

    // Assess
    await expect(issued).rejects.toBeInstanceOf(MissingStageKeyError);
    await expect(issued).rejects.toThrow(`no signing key for stage "${name}"`);
    await expect(issued).rejects.toThrow(`run npm run keys -- --stage ${name}`);
    expect(readdirSync(keysDir.path)).toEqual([]);
  });

  it('signs for prod with the key npm run keys made', async () => {
    // Prepare
    const { kid } = await ensureStageKeyPair('prod');

    // Act
    const token = await issueStageToken(getStage('prod'), { userId: 'u1', ttlSeconds: 600 });

    // Assess
    expect(decodeProtectedHeader(token).kid).toBe(kid);
  });

  it('refuses a stage whose key algorithm the stage does not accept', async () => {
    const rsOnly: StageConfig = { ...getStage('local'), jwt: { ...getStage('local').jwt, algorithms: ['RS256'] } };

    await expect(issueStageToken(rsOnly, { userId: 'u1', ttlSeconds: 60 })).rejects.toThrow('the key of stage "local" is ES256');
    await expect(issueStageToken(rsOnly, { userId: 'u1', ttlSeconds: 60 })).rejects.toMatchObject({ code: 'algorithm_not_accepted', stage: 'local' });
  });

  it("refuses a lifetime over the stage's maximum, before any key is read or made", async () => {
    const issued = issueStageToken(getStage('local'), { userId: 'u1', ttlSeconds: 86_401 });

    await expect(issued).rejects.toThrow('a token of stage "local" may live at most 86400 seconds, not 86401');
    await expect(issued).rejects.toMatchObject({ name: 'StageTokenError', code: 'lifetime_too_long' });
    expect(readdirSync(keysDir.path)).toEqual([]);
  });

  it('refuses a jwks stage without touching the keys directory', async () => {
    await expect(issueStageToken(jwksStage, { userId: 'u1', ttlSeconds: 60 })).rejects.toBeInstanceOf(StageTokenError);
  });
});
