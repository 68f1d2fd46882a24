import { UsageError } from '../../../src/cli/cli-support';
import { defineCommand, parseCommandLine, renderHelp, type CommandLine, type Flags } from '../../../src/cli/command';

const command = defineCommand({
  name: 'demo',
  summary: 'a command for the tests',
  usage: '--user ID [flags]',
  description: 'Does nothing.',
  flags: {
    user: { type: 'string', value: 'ID', expects: '1 to 128 characters', description: 'the user', required: true },
    stage: { type: 'string', value: 'NAME', expects: 'a stage name', description: 'the stage', default: 'local' },
    'idle-timeout': { type: 'string', value: 'SECONDS', expects: 'a whole number of seconds, 1 or more', description: 'idle timeout', defaultText: '600' },
    fault: { type: 'string', value: 'FAULTS', expects: 'name=rate', description: 'faults', defaultText: 'none', multiple: true },
    quiet: { type: 'boolean', description: 'no logs' },
  },
  examples: ['ws-notify demo --user 1234'],
  run: () => Promise.resolve(),
});

function flagsOf<F extends Flags>(line: CommandLine<F>) {
  if (line.help) throw new Error('expected flags, got the help');
  return line.flags;
}

function usageError(argv: readonly string[]): string {
  try {
    parseCommandLine(command, argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no UsageError for ${JSON.stringify(argv)}`);
}

describe('Function: parseCommandLine', () => {
  it('reads the flags, applies the defaults and collects a repeated flag in order', () => {
    // Act
    const flags = flagsOf(parseCommandLine(command, ['--user', '1234', '--fault', 'sqs=0.1', '--fault=dynamodb=0.2', '--quiet']));

    // Assess
    expect(flags).toEqual({ user: '1234', stage: 'local', 'idle-timeout': undefined, fault: ['sqs=0.1', 'dynamodb=0.2'], quiet: true });
  });

  it('gives an absent switch as false and an absent repeatable flag as no values', () => {
    // Act
    const flags = flagsOf(parseCommandLine(command, ['--user=u1']));

    // Assess
    expect(flags.quiet).toBe(false);
    expect(flags.fault).toEqual([]);
  });

  it('takes a value that starts with a dash but is not a flag as the value, for the command to check (--idle-timeout -1)', () => {
    // Act
    const flags = flagsOf(parseCommandLine(command, ['--user', '1', '--idle-timeout', '-1']));

    // Assess
    expect(flags['idle-timeout']).toBe('-1');
  });

  it.each([
    [['--help'], 'help'],
    [['-h'], 'help'],
    [['--user', '1', '--colour', 'red', '--help'], 'help, whatever else is wrong'],
  ])('asks for the help with %j (%s)', (argv) => {
    // Act & Assess
    expect(parseCommandLine(command, argv)).toEqual({ help: true });
  });

  it.each([
    ['another flag where the value should be (--stage --quiet)', ['--user', '1', '--stage', '--quiet'], '--stage needs a value: a stage name, got the flag --quiet (see npx ws-notify demo --help)'],
    ['a missing value at the end', ['--user'], '--user needs a value: 1 to 128 characters (see npx ws-notify demo --help)'],
    ['a short flag where the value should be', ['--user', '-x'], '--user needs a value: 1 to 128 characters, got the flag -x (see npx ws-notify demo --help)'],
    ['an unknown flag', ['--user', '1', '--colour', 'red'], 'unknown flag --colour (see npx ws-notify demo --help)'],
    ['an unknown short flag', ['-v'], 'unknown flag -v (see npx ws-notify demo --help)'],
    ['a flag named after an Object property', ['--__proto__', 'x'], 'unknown flag --__proto__ (see npx ws-notify demo --help)'],
    ['a value given to a switch', ['--user', '1', '--quiet=yes'], '--quiet takes no value, got "yes" (see npx ws-notify demo --help)'],
    ['a positional argument', ['--user', '1', 'extra'], 'unexpected argument "extra": demo takes flags only (see npx ws-notify demo --help)'],
    ['a positional argument after --', ['--user', '1', '--', '--help'], 'unexpected argument "--help": demo takes flags only (see npx ws-notify demo --help)'],
    ['a required flag left out', ['--quiet'], '--user is required: 1 to 128 characters (see npx ws-notify demo --help)'],
    ['a required flag given empty', ['--user', ''], '--user is required: 1 to 128 characters (see npx ws-notify demo --help)'],
  ])('refuses %s in one line that names the flag and what it expects', (_label, argv, message) => {
    // Act & Assess
    expect(usageError(argv)).toBe(message);
  });
});

describe('Function: renderHelp', () => {
  it('shows the usage as a command and as an npm script, every flag with what it expects and its default, and the example', () => {
    // Act
    const help = renderHelp(command);

    // Assess
    expect(help.split('\n')).toEqual([
      'Usage: ws-notify demo --user ID [flags]',
      '       npm run -s demo -- --user ID [flags]',
      '',
      'Does nothing.',
      '',
      'Flags:',
      '  --user ID                the user: 1 to 128 characters (required)',
      '  --stage NAME             the stage: a stage name (default: local)',
      '  --idle-timeout SECONDS   idle timeout: a whole number of seconds, 1 or more (default: 600)',
      '  --fault FAULTS           faults: name=rate (default: none); may be repeated',
      '  --quiet                  no logs (default: off)',
      '  -h, --help               print this help',
      '',
      'Example:',
      '  ws-notify demo --user 1234',
      '',
    ]);
  });
});
