import { readFileSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { runInProcess } from '../../helpers/cli-in-process';
import { runCommand, temporaryDirectory } from './run-cli';

describe('CLI: npm run keys', () => {
  let keysDir: { path: string; remove: () => void };

  beforeEach(() => {
    keysDir = temporaryDirectory('ws-notify-keys-');
  });

  afterEach(() => {
    keysDir.remove();
  });

  it('creates the pair once, says which files it wrote, and never prints the private key', async () => {
    // Act
    const first = await runCommand('keys', ['--stage', 'prod'], { WS_NOTIFY_KEYS_DIR: keysDir.path });
    const privateFile = path.join(keysDir.path, 'prod.private.jwk.json');
    const privateJwk = JSON.parse(readFileSync(privateFile, 'utf8')) as { d: string; kid: string };
    // The second run in-process: what it finds is on disk, written by the first, a process of its own.
    const second = await runInProcess(['keys', '--stage', 'prod'], { WS_NOTIFY_KEYS_DIR: keysDir.path });

    // Assess
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(
      `created the ES256 key pair of stage "prod" (kid ${privateJwk.kid}): ${privateFile} (private, stays on this machine) and ${path.join(keysDir.path, 'prod.public.jwk.json')} (public)\n`,
    );
    expect(first.stdout).not.toContain(privateJwk.d);
    expect(statSync(privateFile).mode & 0o777).toBe(0o600);
    expect(second).toEqual({
      code: 0,
      stderr: '',
      stdout: expect.stringContaining(`the key pair of stage "prod" already exists (kid ${privateJwk.kid})`) as unknown,
    });
    expect((JSON.parse(readFileSync(privateFile, 'utf8')) as { d: string }).d).toBe(privateJwk.d);
  });

  it('derives a lost public key from the private key and says so, leaving the private key as it was', async () => {
    // Prepare
    await runInProcess(['keys', '--stage', 'prod'], { WS_NOTIFY_KEYS_DIR: keysDir.path });
    const privateFile = path.join(keysDir.path, 'prod.private.jwk.json');
    const publicFile = path.join(keysDir.path, 'prod.public.jwk.json');
    const privateText = readFileSync(privateFile, 'utf8');
    const publicText = readFileSync(publicFile, 'utf8');
    unlinkSync(publicFile);

    // Act
    const run = await runInProcess(['keys', '--stage', 'prod'], { WS_NOTIFY_KEYS_DIR: keysDir.path });

    // Assess
    const { kid } = JSON.parse(privateText) as { kid: string };
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: `wrote the public key of stage "prod" again, derived from its existing private key (kid ${kid}): ${privateFile} (private, stays on this machine) and ${publicFile} (public)\n`,
    });
    expect(readFileSync(privateFile, 'utf8')).toBe(privateText);
    expect(readFileSync(publicFile, 'utf8')).toBe(publicText);
  });

  it.each([
    ['an unknown stage', ['--stage', 'staging']],
    ['an unknown flag', ['--force']],
  ])('fails with one line on stderr for %s', async (_label, args) => {
    const run = await runInProcess(['keys', ...args], { WS_NOTIFY_KEYS_DIR: keysDir.path });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^keys: [^\n]+\n$/);
  });
});
