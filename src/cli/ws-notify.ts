/**
 * `ws-notify <command> [flags]`: the one entry of every command, started by launch.js (package.json
 * `bin`, and the npm scripts: `npm start`, `npm run token`, …). It loads only the command it
 * runs, so that `--help` answers without loading the CDK or the local runtime. Errors are one
 * line on stderr, prefixed with the command's name, and never a stack: exit code 2 for a mistake
 * on the command line, 1 for a failure.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, oneLine, UsageError } from './cli-support';
import { type CliStreams, type Command, parseCommandLine, renderCommandList, renderHelp } from './command';
import type * as Start from './start';
import type * as Token from './token';
import type * as Notify from './notify';
import type * as Keys from './keys';
import type * as Synth from './synth';
import type * as Deploy from './deploy';

/* eslint-disable @typescript-eslint/no-require-imports -- a command's module is loaded only when it runs */
/** The commands, in the order `ws-notify --help` lists them, each loaded on demand. */
const COMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => Command }>> = {
  start: { summary: "run a stage's stack, or a CDK app's, on this machine (no AWS account)", load: () => (require('./start') as typeof Start).startCommand },
  token: { summary: 'print a signed JWT for a user, and nothing else', load: () => (require('./token') as typeof Token).tokenCommand },
  notify: { summary: "send a notification to a user or a connection through a stage's queues", load: () => (require('./notify') as typeof Notify).notifyCommand },
  keys: { summary: "make a stage's ES256 signing key pair in .keys/ if it is missing", load: () => (require('./keys') as typeof Keys).keysCommand },
  synth: { summary: "print a stage's CloudFormation template (cdk synth), offline", load: () => (require('./synth') as typeof Synth).synthCommand },
  deploy: { summary: 'deploy a stage (cdk deploy) and keep its endpoints for notify', load: () => (require('./deploy') as typeof Deploy).deployCommand },
};

/* eslint-enable @typescript-eslint/no-require-imports */

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

function version(): string {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

export type { CliStreams };

/**
 * Runs `ws-notify` as this process: with the process's arguments, its exit code as the process's.
 * launch.js calls it (the package's `bin` and the npm scripts), and so does each command's module
 * when Node runs it directly, with the command's name: `node --import tsx src/cli/start.ts
 * --port 3101` is `ws-notify start --port 3101`, the form scripts written before this entry use.
 */
export function runAsProcess(commandName?: string): void {
  // The AWS SDK's notice about the machine's Node.js 20 is not the user's business here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const argv = process.argv.slice(2);
  void runWsNotify(commandName === undefined ? argv : [commandName, ...argv]).then((code) => {
    process.exitCode = code;
  });
}

/**
 * Runs `ws-notify` with these arguments (without `node` and the script). Resolves with the exit
 * code: 0, 1 (a failure) or 2 (a mistake on the command line); the one line of an error is already
 * written on `streams.stderr`. A command that keeps running (start) resolves once it is up.
 */
export async function runWsNotify(argv: readonly string[], streams: CliStreams = process): Promise<number> {
  const [name, ...rest] = argv;
  let prefix = 'ws-notify';
  try {
    if (name === undefined) throw new UsageError(`give a command: ${COMMAND_NAMES.join(', ')} (see npx ws-notify --help)`);
    if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
      streams.stdout.write(renderCommandList(Object.entries(COMMANDS).map(([commandName, { summary }]) => ({ name: commandName, summary }))));
      return 0;
    }
    if (name === '--version') {
      streams.stdout.write(`${version()}\n`);
      return 0;
    }
    const helpOf = name === 'help' ? rest[0] : undefined;
    const commandName = helpOf ?? name;
    const entry = Object.hasOwn(COMMANDS, commandName) ? COMMANDS[commandName] : undefined;
    if (entry === undefined) {
      const what = commandName.startsWith('-') ? `a command comes first, got the flag ${commandName}` : `unknown command "${commandName}"`;
      throw new UsageError(`${what}: the commands are ${COMMAND_NAMES.join(', ')} (see npx ws-notify --help)`);
    }
    prefix = commandName;
    const command = entry.load();
    const commandLine = helpOf !== undefined ? ({ help: true } as const) : parseCommandLine(command, rest);
    if (commandLine.help) {
      streams.stdout.write(renderHelp(command));
      return 0;
    }
    await command.run(commandLine.flags, streams);
    return 0;
  } catch (error) {
    streams.stderr.write(`${prefix}: ${oneLine(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
