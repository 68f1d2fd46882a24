import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ensureFunctionBundles } from '../src/tooling/function-bundles';
import { PROJECT_ROOT } from '../src/tooling/project-paths';
import { WsNotifyStack, type WsNotifyStackProps } from './ws-notify-stack';

/**
 * The `context` of cdk.json (feature flags and CLI settings). The `cdk` CLI passes it to
 * infra/app.ts itself; an app built in-process (tests, the local runtime) must pass it too, or it
 * would synthesize with other feature flags than `cdk synth`.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return { ...cdkJson.context };
}

export interface InProcessAppOptions extends WsNotifyStackProps {
  /** Cloud assembly directory. @default a new temporary directory */
  readonly outdir?: string;
  /** Extra context, over cdk.json's. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** CDK's built-in CloudFormation schema validation at synth (~1.5 s). @default true */
  readonly cloudFormationValidation?: boolean;
  /** Changes the stack before synthesis, e.g. `stack.addRoute(…)`. */
  readonly configure?: (stack: WsNotifyStack) => void;
}

/**
 * The app and stack of a stage, built in-process exactly as `cdk synth -c stage=<name>` builds them,
 * after making sure the function bundles are up to date (ensureFunctionBundles).
 */
export function buildInProcessApp(options: InProcessAppOptions): { app: App; stack: WsNotifyStack } {
  ensureFunctionBundles();
  const app = new App({
    outdir: options.outdir,
    treeMetadata: false,
    builtinCloudFormationValidation: options.cloudFormationValidation ?? true,
    context: { ...cdkJsonContext(), ...options.context },
  });
  const stack = new WsNotifyStack(app, { stage: options.stage, awsSdk: options.awsSdk });
  options.configure?.(stack);
  return { app, stack };
}
