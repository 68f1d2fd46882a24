import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { generatedKeyJwt } from '../../../infra/stages';
import { runInProcess } from '../../helpers/cli-in-process';
import { runCommand, temporaryDirectory } from './run-cli';

describe('CLI: ws-notify token', () => {
  let keysDir: { path: string; remove: () => void };
  const env = (): Record<string, string> => ({ WS_NOTIFY_KEYS_DIR: keysDir.path });

  beforeEach(() => {
    keysDir = temporaryDirectory('ws-notify-keys-');
  });

  afterEach(() => {
    keysDir.remove();
  });

  async function verify(token: string, stage: string) {
    const jwk = JSON.parse(readFileSync(path.join(keysDir.path, `${stage}.public.jwk.json`), 'utf8')) as JWK;
    const { issuer, audience } = generatedKeyJwt(stage);
    return jwtVerify(token, await importJWK(jwk, 'ES256'), { issuer, audience, algorithms: ['ES256'] });
  }

  it('prints only a JWT that verifies with the stage public key, with sub, iss, aud and exp per --ttl', async () => {
    // Act: the keys do not exist yet and are made on first use.
    const run = await runCommand('token', ['--user', '1234', '--stage', 'local', '--ttl', '15m'], env());

    // Assess
    expect(run).toEqual({ code: 0, stdout: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+\n$/) as unknown, stderr: '' });
    const token = run.stdout.trimEnd();
    const { payload, protectedHeader } = await verify(token, 'local');
    expect(payload).toEqual({
      sub: '1234',
      iss: 'https://ws-notify.local/local',
      aud: 'ws-notify-local',
      iat: expect.any(Number) as unknown,
      exp: expect.any(Number) as unknown,
    });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(120);
    const publicJwk = JSON.parse(readFileSync(path.join(keysDir.path, 'local.public.jwk.json'), 'utf8')) as JWK;
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: publicJwk.kid, typ: 'JWT' });
  });

  it.each([
    [[], 3600],
    [['--ttl', '90s'], 90],
    [['--ttl', '2h'], 7200],
    [['--ttl', '120'], 120],
    [['--ttl', '24h'], 86_400],
  ])('with %j the token lives %i seconds', async (ttlArgs, seconds) => {
    const run = await runInProcess(['token', '--user', 'u-1', ...ttlArgs], env());

    expect(run.code).toBe(0);
    const { payload } = await verify(run.stdout.trimEnd(), 'local');
    expect(payload.exp! - payload.iat!).toBe(seconds);
  });

  it('signs with the same key on later runs and uses the stage of --stage', async () => {
    // The later run is a process of its own: the key comes from the keys directory, not from memory.
    const keys = await runInProcess(['keys', '--stage', 'prod'], env());
    const first = await runInProcess(['token', '--user', 'a', '--stage', 'prod'], env());
    const second = await runCommand('token', ['--user', 'b', '--stage', 'prod'], env());

    expect(keys.code).toBe(0);
    expect(existsSync(path.join(keysDir.path, 'prod.private.jwk.json'))).toBe(true);
    expect(decodeProtectedHeader(first.stdout.trimEnd()).kid).toBe(decodeProtectedHeader(second.stdout.trimEnd()).kid);
    const { payload } = await verify(second.stdout.trimEnd(), 'prod');
    expect(payload).toEqual(expect.objectContaining({ sub: 'b', iss: 'https://ws-notify.local/prod', aud: 'ws-notify-prod' }));
  });

  it('refuses --stage prod while its keys do not exist, in one line, and makes no prod key pair', async () => {
    const run = await runInProcess(['token', '--user', '1234', '--stage', 'prod'], env());

    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^token: no signing key for stage "prod" \([^\n]*prod\.private\.jwk\.json is missing\): run npm run keys -- --stage prod\n$/) as unknown,
    });
    expect(readdirSync(keysDir.path)).toEqual([]);
  });

  // Two one-line refusals with the keys directory of a user; every other refusal of token is checked in test/unit/cli/ws-notify.test.ts.
  it.each([
    ['an unknown flag', ['--user', '1', '--colour', 'red'], /^token: unknown flag --colour \(see npx ws-notify token --help\)\n$/],
    ['--ttl over the stage maximum (24h)', ['--user', '1', '--ttl', '86401'], /--ttl must be at most 86400 seconds, the longest token stage "local" accepts, got "86401"/],
  ])('fails with one line on stderr and nothing on stdout for %s', async (_label, args, message) => {
    const run = await runInProcess(['token', ...args], env());

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^token: [^\n]+\n$/);
    expect(run.stderr).toMatch(message);
  });
});
