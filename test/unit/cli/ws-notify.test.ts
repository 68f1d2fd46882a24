/**
 * `ws-notify` run in-process on arguments that end before anything starts: the command list, each
 * command's help, and the one-line errors with their exit codes. The spawned executable is
 * test/integration/cli/ws-notify.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_NAMES, runWsNotify } from '../../../src/cli/ws-notify';

async function run(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runWsNotify(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

/** The flags a command's source declares (`name: { type: …`), read from the file, not from the command object. */
function declaredFlags(command: string): string[] {
  const source = readFileSync(path.join(__dirname, '../../../src/cli', `${command}.ts`), 'utf8');
  const flagsBlock = source.slice(source.indexOf('  flags: {'), source.indexOf('  examples:'));
  return [...flagsBlock.matchAll(/^ {4}'?([a-z-]+)'?: \{/gm)].map((match) => match[1]!);
}

describe('Function: runWsNotify', () => {
  it('lists the six commands on --help, -h and help, exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      // Act
      const result = await run(argv);

      // Assess
      expect(result).toEqual({ code: 0, stderr: '', stdout: expect.stringContaining('Usage: ws-notify <command> [flags]') as unknown });
      expect(result.stdout).toMatch(/^ {2}start {4}.+\n {2}token {4}.+\n {2}notify {3}.+\n {2}keys {5}.+\n {2}synth {4}.+\n {2}deploy {3}.+\n/m);
    }
    expect(COMMAND_NAMES).toEqual(['start', 'token', 'notify', 'keys', 'synth', 'deploy']);
  });

  it.each(['start', 'token', 'notify', 'keys', 'synth', 'deploy'])('%s --help and -h print the usage, every flag with its default, and an example, exit 0', async (command) => {
    // Prepare
    const flags = declaredFlags(command);

    // Act
    const long = await run([command, '--help']);
    const short = await run([command, '-h']);
    const viaHelp = await run(['help', command]);

    // Assess
    expect(flags.length).toBeGreaterThan(0);
    expect(long.code).toBe(0);
    expect(long.stderr).toBe('');
    expect(long.stdout).toMatch(new RegExp(`^Usage: ws-notify ${command} .+\\n {7}npm (start|run -s ${command}) -- .+\\n`));
    for (const flag of flags) expect(long.stdout).toMatch(new RegExp(`^ {2}--${flag}\\b.*\\((default: .+|required)\\)`, 'm'));
    expect(long.stdout).toMatch(/\nExamples?:\n {2}.*npx ws-notify /);
    expect(short).toEqual(long);
    expect(viaHelp).toEqual(long);
  });

  it.each([
    [['token', '--colour', 'red'], 'token: unknown flag --colour (see npx ws-notify token --help)\n'],
    [['start', '--stage', '--quiet'], 'start: --stage needs a value: a stage of infra/stages.ts, got the flag --quiet (see npx ws-notify start --help)\n'],
    [['start', '--idle-timeout', '-1'], 'start: --idle-timeout must be a whole number of seconds (1 or more), got "-1"\n'],
    [['start', '--port', '70000'], 'start: --port must be a port number from 0 to 65535, got "70000"\n'],
    [['start', '--port', 'abc'], 'start: --port must be a port number from 0 to 65535, got "abc"\n'],
    [['start', '--auth-mode', 'magic'], 'start: --auth-mode must be one of authorizer, action, got "magic"\n'],
    [['start', '--stage', 'nowhere'], 'start: unknown stage "nowhere" (known stages: local, dev, prod)\n'],
    [['start', '--app', '.', '--auth-mode', 'action'], "start: --auth-mode cannot be used with --app: the app's stack is run as the app synthesizes it\n"],
    [['start', '--stack', 'ExistingApp'], 'start: --stack needs --app: it names a stack of the app\n'],
    [['start', '--template', 'cdk.out/WsNotify-local.template.json', '--auth-mode', 'action'], 'start: --auth-mode cannot be used with --template: the template is run as it was synthesized\n'],
    [['start', '--template', 'cdk.out/WsNotify-local.template.json', '--inbox-retention', '60'], 'start: --inbox-retention cannot be used with --template: the template is run as it was synthesized\n'],
    [['start', '--app', '.', '--template', 'cdk.out/WsNotify-local.template.json'], 'start: --template cannot be used with --app: the app synthesizes its own stack\n'],
    [['notify', '--user', '1'], 'notify: --data is required: a JSON value, e.g. \'{"download":"/reports/42"}\' or \'"hello"\' (see npx ws-notify notify --help)\n'],
    [['deploy', '--stage', 'dev', '--require-approval', 'maybe'], 'deploy: --require-approval must be one of never, any-change, broadening, got "maybe"\n'],
    [['deploy', '--stage', 'dev', '--region'], 'deploy: unknown flag --region (see npx ws-notify deploy --help)\n'],
    [['deploy', '--require-approval'], 'deploy: --require-approval needs a value: never, any-change, broadening (see npx ws-notify deploy --help)\n'],
    [['tokens'], 'ws-notify: unknown command "tokens": the commands are start, token, notify, keys, synth, deploy (see npx ws-notify --help)\n'],
    [['--user', '1'], 'ws-notify: a command comes first, got the flag --user: the commands are start, token, notify, keys, synth, deploy (see npx ws-notify --help)\n'],
    [[], 'ws-notify: give a command: start, token, notify, keys, synth, deploy (see npx ws-notify --help)\n'],
  ])('%j is one line on stderr, nothing on stdout, exit 2', async (argv, message) => {
    // Act & Assess
    expect(await run(argv)).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it.each<[string, string[], string]>([
    ['no --user', [], 'token: --user is required: 1 to 128 characters (see npx ws-notify token --help)\n'],
    ['--user without value', ['--user'], 'token: --user needs a value: 1 to 128 characters (see npx ws-notify token --help)\n'],
    ['an empty --user', ['--user', ''], 'token: --user is required: 1 to 128 characters (see npx ws-notify token --help)\n'],
    ['a 129-character --user', ['--user', 'u'.repeat(129)], 'token: --user must be 1 to 128 characters\n'],
    ...['abc', '0', '5d', '-5m'].map((ttl): [string, string[], string] => [`--ttl ${ttl}`, ['--user', '1', '--ttl', ttl], `token: --ttl must look like 90s, 15m, 2h or a number of seconds, got "${ttl}"\n`]),
    ['a positional argument', ['--user', '1', 'extra'], 'token: unexpected argument "extra": token takes flags only (see npx ws-notify token --help)\n'],
    ['an unknown stage', ['--user', '1', '--stage', 'staging'], 'token: unknown stage "staging" (known stages: local, dev, prod)\n'],
    ['--ttl 1000000h, over the stage maximum', ['--user', '1', '--ttl', '1000000h'], 'token: --ttl must be at most 86400 seconds, the longest token stage "local" accepts, got "1000000h"\n'],
  ])('token with %s is one line on stderr, nothing on stdout, exit 2', async (_label, args, message) => {
    // Act & Assess
    expect(await run(['token', ...args])).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it('prints the package version on --version', async () => {
    // Act & Assess
    expect(await run(['--version'])).toEqual({ code: 0, stderr: '', stdout: '0.1.0\n' });
  });
});
