import { parseArgs, type ParseArgsConfig } from 'node:util';
import { getStage, UnknownStageError, type StageConfig } from '../../infra/stages';

export type CliErrorCode =
  /** A bad, missing or contradictory flag (exit code 2). */
  | 'invalid_usage'
  /** The CDK CLI failed or wrote no outputs. */
  | 'cdk_failed'
  /** An endpoints file that is not valid JSON. */
  | 'invalid_endpoints_file'
  /** Neither a running local stack nor a deployed stage to talk to. */
  | 'endpoints_unavailable';

/**
 * An error meant for the person at the terminal: printed as one line on stderr, never with a
 * stack, and the process exits with `exitCode` (2 for usage errors, 1 for failures).
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: 1 | 2;
  constructor(
    readonly code: CliErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.exitCode = code === 'invalid_usage' ? 2 : 1;
  }
}

/** A usage error (bad or missing flag): exit code 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_usage', message, options);
  }
}

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `--flag value` arguments strictly (unknown flags and positionals are usage errors).
 * Returns the values keyed by flag name.
 */
export function parseFlags<T extends FlagOptions>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // node:util messages can span lines ("… To specify a positional argument …"): keep the first.
    throw new UsageError(message.split('\n')[0] ?? message, { cause: error });
  }
}

/** The declared stage named by `--stage`; an unknown name is a usage error listing the known ones. */
export function parseStage(name: string): StageConfig {
  try {
    return getStage(name);
  } catch (error) {
    if (error instanceof UnknownStageError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** A flag that must be present and non-empty. */
export function requireFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

/** Parses a TCP port flag: an integer 0–65535 (0 = any free port). */
export function parsePort(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--${flag} must be a port number from 0 to 65535, got "${value}"`);
  return port;
}

/** Parses a positive whole number of seconds. */
export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${flag} must be a whole number of seconds (1 or more), got "${value}"`);
  return Number(value);
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Runs a command's main function: one-line errors on stderr and a non-zero exit, never a stack
 * trace. Also silences the AWS SDK's Node.js-version notice, which is not the user's business
 * when the command runs on the machine's Node.js 20.
 */
export function runCli(main: (argv: readonly string[]) => Promise<void>, name: string): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv.slice(2)).then(
    () => {
      process.exitCode ??= 0;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${oneLine(error)}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    },
  );
}
