import { readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { ensureStageKeyPair, publicJwkOf, readStageSigningKey, stageKeyPaths } from '../../../src/tooling/stage-keys';
import { temporaryDirectory } from '../helpers/temp-dir';

const STAGE = 'prod';

function readJwk(file: string): JWK {
  return JSON.parse(readFileSync(file, 'utf8')) as JWK;
}

/** True when a token signed with the stage's private key verifies with the public key file. */
async function pairMatches(): Promise<boolean> {
  const { key, kid, alg } = await readStageSigningKey(STAGE);
  const publicJwk = readJwk(stageKeyPaths(STAGE).publicJwk);
  const token = await new SignJWT({}).setProtectedHeader({ alg, kid }).sign(key);
  try {
    await jwtVerify(token, await importJWK(publicJwk, alg));
    return publicJwk.kid === kid;
  } catch {
    return false;
  }
}

describe('Function: ensureStageKeyPair', () => {
  let keysDir: { path: string; remove: () => void };
  const saved = process.env.WS_NOTIFY_KEYS_DIR;

  beforeEach(() => {
    keysDir = temporaryDirectory('ws-notify-stage-keys-');
    process.env.WS_NOTIFY_KEYS_DIR = path.join(keysDir.path, 'keys');
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.WS_NOTIFY_KEYS_DIR;
    else process.env.WS_NOTIFY_KEYS_DIR = saved;
    keysDir.remove();
  });

  it('makes the pair once: a private key only its owner can read, and its public half', async () => {
    // Act
    const first = await ensureStageKeyPair(STAGE);
    const second = await ensureStageKeyPair(STAGE);

    // Assess
    const paths = stageKeyPaths(STAGE);
    expect(first).toEqual({ created: true, publicKeyWritten: true, paths, kid: expect.any(String) as unknown });
    expect(second).toEqual({ created: false, publicKeyWritten: false, paths, kid: first.kid });
    expect(statSync(paths.privateJwk).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(paths.privateJwk)).mode & 0o777).toBe(0o700);
    expect(readJwk(paths.publicJwk)).toEqual({ ...(await publicJwkOf(readJwk(paths.privateJwk))) });
    expect(readJwk(paths.publicJwk)).not.toHaveProperty('d');
    expect(readdirSync(path.dirname(paths.privateJwk)).sort()).toEqual([`${STAGE}.private.jwk.json`, `${STAGE}.public.jwk.json`]);
    await expect(pairMatches()).resolves.toBe(true);
  });

  it('derives a lost public key from the private key, which it never replaces', async () => {
    // Prepare
    const { kid } = await ensureStageKeyPair(STAGE);
    const paths = stageKeyPaths(STAGE);
    const privateText = readFileSync(paths.privateJwk, 'utf8');
    const publicText = readFileSync(paths.publicJwk, 'utf8');
    unlinkSync(paths.publicJwk);

    // Act
    const result = await ensureStageKeyPair(STAGE);

    // Assess
    expect(result).toEqual({ created: false, publicKeyWritten: true, paths, kid });
    expect(readFileSync(paths.privateJwk, 'utf8')).toBe(privateText);
    expect(readFileSync(paths.publicJwk, 'utf8')).toBe(publicText);
    await expect(pairMatches()).resolves.toBe(true);
  });

  it('replaces a public key file that does not belong to the private key with the derived one', async () => {
    // Prepare: the public file of another pair (e.g. left from a private key that was lost).
    await ensureStageKeyPair('other');
    await ensureStageKeyPair(STAGE);
    const paths = stageKeyPaths(STAGE);
    const privateText = readFileSync(paths.privateJwk, 'utf8');
    writeFileSync(paths.publicJwk, readFileSync(stageKeyPaths('other').publicJwk));

    // Act
    const result = await ensureStageKeyPair(STAGE);

    // Assess
    expect(result.publicKeyWritten).toBe(true);
    expect(readFileSync(paths.privateJwk, 'utf8')).toBe(privateText);
    await expect(pairMatches()).resolves.toBe(true);
  });

  it('ends with one pair when two first-time calls run at once', async () => {
    // Act
    const results = await Promise.all([ensureStageKeyPair(STAGE), ensureStageKeyPair(STAGE)]);

    // Assess: one call created the pair, both report its key, and the files belong together.
    expect(results.map((result) => result.created).sort()).toEqual([false, true]);
    expect(results[0]?.kid).toBe(results[1]?.kid);
    expect(readJwk(stageKeyPaths(STAGE).privateJwk).kid).toBe(results[0]?.kid);
    await expect(pairMatches()).resolves.toBe(true);
    expect(readdirSync(path.dirname(stageKeyPaths(STAGE).privateJwk)).sort()).toEqual([`${STAGE}.private.jwk.json`, `${STAGE}.public.jwk.json`]);
  });
});

describe('Function: publicJwkOf', () => {
  it('keeps the public members, kid and alg of a private JWK and drops the private one', async () => {
    // Prepare
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };

    // Act
    const publicJwk = await publicJwkOf(privateJwk);

    // Assess
    expect(publicJwk).toEqual({ ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' });
    expect(publicJwk).not.toHaveProperty('d');
  });
});
