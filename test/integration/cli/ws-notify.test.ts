/**
 * The `ws-notify` executable as a user runs it in a clone after `npm ci`: through npx (package.json
 * `bin`) and through an npm script, with its TypeScript compiled on load and nothing on stderr.
 * The refusal runs the bin file itself, which is what npx runs once it has found it (the first
 * test): npx's own start costs 1–2 s of CPU and shows nothing more.
 * Each command's own help (usage, flags with defaults, example) is checked in-process in
 * test/unit/cli/ws-notify.test.ts; every command also runs spawned in its own test file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCommand } from '../../helpers/spawn-command';
import { REPOSITORY_ROOT } from './run-cli';

/** The file package.json's `bin` names for ws-notify: what npx runs. */
const BIN = path.join(REPOSITORY_ROOT, (JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['ws-notify'] ?? '');

describe('CLI: ws-notify', () => {
  it('answers npx ws-notify --help with the commands, exit 0, nothing on stderr', async () => {
    // Act: `--no-install` keeps npx from ever asking the registry; the clone's own bin is found first.
    const run = await spawnCommand('npx', ['--no-install', 'ws-notify', '--help'], { cwd: REPOSITORY_ROOT, env: {} });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: ws-notify <command> \[flags\]\n/);
    for (const command of ['start', 'token', 'notify', 'keys', 'synth', 'deploy']) expect(run.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
  });

  it('answers npm run -s token -- --help with the usage, exit 0, nothing on stderr', async () => {
    // Act
    const run = await spawnCommand('npm', ['run', '-s', 'token', '--', '--help'], { cwd: REPOSITORY_ROOT, env: {} });

    // Assess
    expect(run).toEqual({ code: 0, signal: null, stderr: '', stdout: expect.stringMatching(/^Usage: ws-notify token --user ID/) as unknown });
  });

  it('answers npm start -- --help, the npm form of start, with the same usage, exit 0, and starts nothing', async () => {
    // Act
    const run = await spawnCommand('npm', ['start', '--silent', '--', '--help'], { cwd: REPOSITORY_ROOT, env: {} });

    // Assess
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: ws-notify start \[--stage NAME \| --app DIR\] \[flags\]\n {7}npm start -- /);
    expect(run.stdout).toContain('  --dynamodb-port N');
    expect(run.stdout).not.toMatch(/^Local stack ready/m);
  });

  it('refuses an unknown flag in one line on stderr that names it and points to --help, exit 2', async () => {
    // Act: the bin file as npx runs it (its `#!/usr/bin/env node` line).
    const run = await spawnCommand(BIN, ['notify', '--user', '1', '--queue', 'x'], { cwd: REPOSITORY_ROOT, env: {} });

    // Assess
    expect(run).toEqual({ code: 2, signal: null, stdout: '', stderr: 'notify: unknown flag --queue (see npx ws-notify notify --help)\n' });
  });
});
