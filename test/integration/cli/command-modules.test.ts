/**
 * A command's own module run straight by Node with tsx (`node --import tsx src/cli/<command>.ts
 * [flags]`), the form that scripts written before the `ws-notify` entry use, benchmark harnesses
 * among them: the same command, flags, output and exit codes as `ws-notify <command>`. token and
 * start are what such a script needs (a token, then the stack until its ready line); one refusal
 * shows that the other modules run their command the same way (each calls runAsProcess when it is
 * the main module).
 */
import { spawnCommand } from '../../helpers/spawn-command';
import { spawnStartCommand, ThrowawayHome } from '../../helpers/npm-start';
import { REPOSITORY_ROOT } from './run-cli';

function moduleArgs(command: string, args: readonly string[]): string[] {
  return ['--import', 'tsx', `src/cli/${command}.ts`, ...args];
}

describe('CLI: a command module run by Node', () => {
  let home: ThrowawayHome;

  beforeEach(() => {
    home = new ThrowawayHome('ws-notify-module-');
  });

  afterEach(() => {
    home.remove();
  });

  it('prints a token for the user from src/cli/token.ts, exit 0, nothing on stderr', async () => {
    // Act
    const run = await spawnCommand(process.execPath, moduleArgs('token', ['--user', 'u-1', '--ttl', '15m']), { cwd: REPOSITORY_ROOT, env: home.env });

    // Assess: one JWT line whose payload names the user.
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const match = /^[\w-]+\.([\w-]+)\.[\w-]+\n$/.exec(run.stdout);
    expect(match).not.toBeNull();
    const payload = JSON.parse(Buffer.from(match?.[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    expect(payload.sub).toBe('u-1');
  });

  it('starts the local stack from src/cli/start.ts, prints the ready line, and exits 0 on SIGTERM', async () => {
    // Act
    const started = spawnStartCommand(process.execPath, moduleArgs('start', ['--template', home.template(), '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet']), home.env);
    try {
      const ready = await started.ready;

      // Assess
      expect({ ready, stderr: started.stderr() }).toEqual({ ready: true, stderr: '' });
      started.signal('SIGTERM');
      expect(await started.exited).toEqual({ code: 0, signal: null });
    } finally {
      started.kill();
    }
  });

  it('refuses an unknown flag of src/cli/keys.ts in one line that names it, exit 2', async () => {
    // Act
    const run = await spawnCommand(process.execPath, moduleArgs('keys', ['--bogus']), { cwd: REPOSITORY_ROOT, env: home.env });

    // Assess
    expect(run).toEqual({ code: 2, signal: null, stdout: '', stderr: 'keys: unknown flag --bogus (see npx ws-notify keys --help)\n' });
  });
});
