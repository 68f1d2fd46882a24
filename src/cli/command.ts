/**
 * How a command of `ws-notify` is declared, read and explained: its usage, its flags (each with
 * the value it expects and its default), an example. The command line is read with node:util
 * parseArgs (its tokens, not its strict mode, so that every mistake is reported with the flag's
 * name and what it expects), and `--help` / `-h` print the same declaration as text.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './cli-support';

export interface StringFlag {
  readonly type: 'string';
  /** The value's placeholder in the help: `NAME`, `SECONDS`. */
  readonly value: string;
  /** What the value must be, in the help and in errors: "a whole number of seconds, 1 or more". */
  readonly expects: string;
  readonly description: string;
  /** Applied when the flag is absent. */
  readonly default?: string;
  /** Shown as the default when there is no literal one: "the stage's", "none". */
  readonly defaultText?: string;
  readonly required?: boolean;
  /** The flag may be given more than once; its values are kept in order. */
  readonly multiple?: boolean;
}

export interface BooleanFlag {
  readonly type: 'boolean';
  readonly description: string;
}

export type Flag = StringFlag | BooleanFlag;
export type Flags = Readonly<Record<string, Flag>>;

/** The values of a command's flags, typed by their declaration. */
export type FlagValues<F extends Flags> = {
  readonly [K in keyof F]: F[K] extends BooleanFlag
    ? boolean
    : F[K] extends { readonly multiple: true }
      ? readonly string[]
      : F[K] extends { readonly default: string } | { readonly required: true }
        ? string
        : string | undefined;
};

/** Where a command writes what it prints: the process's streams, or a test's buffers (runWsNotify). */
export interface CliStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface Command<F extends Flags = Flags> {
  readonly name: string;
  /** One line for `ws-notify --help`. */
  readonly summary: string;
  /** What follows the command's name in the usage line: `--user ID [flags]`. */
  readonly usage: string;
  /** What the command does, a few lines. */
  readonly description: string;
  readonly flags: F;
  readonly examples: readonly string[];
  /** Runs the command; everything it prints goes to `streams`. */
  run(flags: FlagValues<F>, streams: CliStreams): Promise<void>;
}

/** Declares a command, keeping its flags' literal types for FlagValues. */
export function defineCommand<const F extends Flags>(command: Command<F>): Command<F> {
  return command;
}

/** How to get a command's help, as error messages suggest it. */
export function helpHint(commandName: string): string {
  return `see npx ws-notify ${commandName} --help`;
}

/** How the same command runs as an npm script. */
function npmForm(commandName: string): string {
  return commandName === 'start' ? 'npm start --' : `npm run -s ${commandName} --`;
}

/** A value given after a flag that is itself a flag (`--stage --quiet`), not a value such as `-1`. */
function looksLikeFlag(value: string): boolean {
  return /^--?[A-Za-z]/.test(value);
}

export type CommandLine<F extends Flags> = { readonly help: true } | { readonly help: false; readonly flags: FlagValues<F> };

/**
 * Reads a command's arguments. `--help` or `-h` anywhere before `--` asks for the help. Anything
 * else wrong is a UsageError of one line that names the flag and what it expects: an unknown flag,
 * a positional argument, a missing value (or another flag where the value should be), a value
 * given to a switch, a required flag absent. A value that starts with a dash but is not a flag
 * (`--idle-timeout -1`) is the flag's value, for the command to check.
 */
export function parseCommandLine<F extends Flags>(command: Command<F>, argv: readonly string[]): CommandLine<F> {
  const terminator = argv.indexOf('--');
  const beforeTerminator = terminator === -1 ? argv : argv.slice(0, terminator);
  if (beforeTerminator.some((arg) => arg === '--help' || arg === '-h')) return { help: true };

  const hint = helpHint(command.name);
  const options = Object.fromEntries(
    Object.entries(command.flags).map(([name, flag]) => [name, { type: flag.type, multiple: flag.type === 'string' && flag.multiple === true }]),
  );
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | string[] | boolean> = {};
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') throw new UsageError(`unexpected argument "${token.value}": ${command.name} takes flags only (${hint})`);
    const flag = Object.hasOwn(command.flags, token.name) ? command.flags[token.name] : undefined;
    if (flag === undefined) throw new UsageError(`unknown flag ${token.rawName} (${hint})`);
    if (flag.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value, got "${token.value}" (${hint})`);
      values[token.name] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && looksLikeFlag(token.value))) {
      const got = token.value === undefined ? '' : `, got the flag ${token.value}`;
      throw new UsageError(`${token.rawName} needs a value: ${flag.expects}${got} (${hint})`);
    }
    if (flag.multiple === true) {
      const list = values[token.name];
      values[token.name] = [...(Array.isArray(list) ? list : []), token.value];
    } else {
      values[token.name] = token.value;
    }
  }
  for (const [name, flag] of Object.entries(command.flags)) {
    if (flag.type === 'boolean') {
      values[name] ??= false;
    } else if (values[name] === undefined || values[name] === '') {
      if (flag.required === true) throw new UsageError(`--${name} is required: ${flag.expects} (${hint})`);
      if (flag.default !== undefined && values[name] === undefined) values[name] = flag.default;
      else if (flag.multiple === true) values[name] = [];
    }
  }
  return { help: false, flags: values as FlagValues<F> };
}

function columns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`);
}

/** The help of a command: usage (as `ws-notify` and as an npm script), description, every flag with its default, examples. */
export function renderHelp(command: Command): string {
  const flagRows = Object.entries(command.flags).map(([name, flag]): [string, string] => {
    if (flag.type === 'boolean') return [`--${name}`, `${flag.description} (default: off)`];
    const shown = flag.required === true ? 'required' : `default: ${flag.default ?? flag.defaultText ?? 'none'}`;
    return [`--${name} ${flag.value}`, `${flag.description}: ${flag.expects} (${shown})${flag.multiple === true ? '; may be repeated' : ''}`];
  });
  return [
    `Usage: ws-notify ${command.name} ${command.usage}`,
    `       ${npmForm(command.name)} ${command.usage}`,
    '',
    command.description,
    '',
    'Flags:',
    ...columns([...flagRows, ['-h, --help', 'print this help']]),
    '',
    command.examples.length === 1 ? 'Example:' : 'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}

/** `ws-notify --help`: the commands, one line each. */
export function renderCommandList(commands: readonly Pick<Command, 'name' | 'summary'>[]): string {
  return [
    'Usage: ws-notify <command> [flags]',
    '',
    'The commands of ws-notify: a stage run on this machine, its tokens and notifications, its keys,',
    'its CloudFormation template and its deployment.',
    '',
    'Commands:',
    ...columns(commands.map((command) => [command.name, command.summary])),
    '',
    'Every command answers --help (or -h) with its flags, their defaults and an example.',
    'Each also runs as an npm script: npm start -- [flags], npm run -s <command> -- [flags].',
    'Exit status: 0 done, 1 failed, 2 a mistake on the command line (one line on stderr).',
    '',
    'Example:',
    '  npx ws-notify start --help',
    '',
  ].join('\n');
}
