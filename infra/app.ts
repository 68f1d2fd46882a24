/**
 * The `cdk` entry (cdk.json): builds the stack of context `stage` (default `local`),
 * `WsNotify-<stage>`, after making sure the function bundles are up to date. Context `awsSdk`
 * (`bundled` or `runtime`) chooses where the functions get the AWS SDK from. A stage that is not
 * declared, or whose signing key has not been made, ends the app with one line on stderr.
 */
import { App } from 'aws-cdk-lib';
import { AWS_SDK_SOURCES, type AwsSdkSource, isAwsSdkSource } from './function-code';
import { ensureFunctionBundles, FunctionBundleError } from '../src/tooling/function-bundles';
import { MissingStageKeyError } from '../src/tooling/stage-keys';
import { getStage, UnknownStageError } from './stages';
import { WsNotifyStack } from './ws-notify-stack';

/** A `cdk -c` context value the app cannot use; its message is one line. */
export class InvalidContextError extends Error {
  override readonly name = 'InvalidContextError';
  readonly code = 'invalid_context';
}

function awsSdkSource(value: unknown): AwsSdkSource | undefined {
  if (value === undefined) return undefined;
  if (isAwsSdkSource(value)) return value;
  throw new InvalidContextError(`context awsSdk must be one of ${AWS_SDK_SOURCES.join(', ')}, got ${JSON.stringify(value)}`);
}

function main(): void {
  const app = new App();
  const stageContext: unknown = app.node.tryGetContext('stage') ?? 'local';
  if (typeof stageContext !== 'string') throw new InvalidContextError('context stage must be a string');
  const stage = getStage(stageContext);
  ensureFunctionBundles();
  new WsNotifyStack(app, { stage, awsSdk: awsSdkSource(app.node.tryGetContext('awsSdk')) });
  app.synth();
}

try {
  main();
} catch (error) {
  // Mistakes of the person running `cdk` get one line; anything else is a bug and keeps its stack.
  if (!(error instanceof UnknownStageError || error instanceof MissingStageKeyError || error instanceof InvalidContextError || error instanceof FunctionBundleError)) {
    throw error;
  }
  process.stderr.write(`ws-notify: ${error.message}\n`);
  process.exitCode = 1;
}
