/** What every command shares: its errors, and the readers of the flags several commands take. */
import { type AwsSdkSource, isAwsSdkSource } from '../../infra/function-code';
import { getStage, isStageName, UnknownStageError, type StageConfig } from '../../infra/stages';
import { runningAppStage } from '../tooling/app-stage';
import { type TokenStage } from '../tooling/stage-tokens';
import type { StringFlag } from './command';

export type CliErrorCode =
  /** A bad, missing or contradictory flag (exit code 2). */
  | 'invalid_usage'
  /** The CDK CLI failed or wrote no outputs. */
  | 'cdk_failed'
  /** An endpoints file that is not valid JSON. */
  | 'invalid_endpoints_file'
  /** Neither a running local stack nor a deployed stage to talk to. */
  | 'endpoints_unavailable'
  /** No AWS credentials or region for a deploy, or credentials that AWS refuses. */
  | 'aws_credentials'
  /** The local stack could not start (a busy port, an app that does not synthesize, …). */
  | 'start_failed';

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

/** The declared stage named by `--stage`; an unknown name is a usage error listing the known ones. */
export function parseStage(name: string): StageConfig {
  try {
    return getStage(name);
  } catch (error) {
    if (error instanceof UnknownStageError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/**
 * The stage named by `--stage` of `token` and `notify`: a declared stage, or the stack of a CDK app
 * that `ws-notify start --app` runs (named by its stack; see docs/local.md), while it runs.
 */
export function parseStageOrAppStack(name: string): TokenStage {
  if (isStageName(name)) return getStage(name);
  const app = runningAppStage(name);
  if (app !== undefined) return app;
  return parseStage(name);
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

/** An error as one line: its message with line breaks folded. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** `--aws-sdk bundled|runtime` of `synth` and `deploy`: where the functions' AWS SDK comes from. */
export const AWS_SDK_FLAG = {
  type: 'string',
  value: 'SOURCE',
  expects: 'bundled or runtime',
  description: "the functions' AWS SDK: in their bundles, or the Lambda runtime's",
  default: 'bundled',
} as const satisfies StringFlag;

/** Parses `--aws-sdk` (AWS_SDK_FLAG): bundled or runtime. */
export function parseAwsSdk(value: string): AwsSdkSource {
  if (!isAwsSdkSource(value)) throw new UsageError(`--aws-sdk must be ${AWS_SDK_FLAG.expects}, got "${value}"`);
  return value;
}
