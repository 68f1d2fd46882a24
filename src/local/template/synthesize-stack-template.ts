/**
 * Synthesizes a stage's stack in-process, the way `cdk synth -c stage=<name>` does (same app, same
 * cdk.json feature flags, function bundles made or found up to date first), with asset metadata on
 * and asset staging off: each function's `aws:asset:path` is then the absolute path of the code
 * it deploys, which the local runtime runs as it is. This is on `npm start`'s start-up path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildInProcessApp } from '../../../infra/app-factory';
import { type StageConfig } from '../../../infra/stages';
import { type WsNotifyStack } from '../../../infra/ws-notify-stack';
import { type CfnTemplate } from './cfn-template';

/**
 * Asset metadata on, asset staging off (aws-cdk-lib/cx-api's context keys): `aws:asset:path` is the
 * code's absolute path. No creation stack traces: only the cloud assembly's metadata holds them,
 * which nothing here reads, and they took 13–48 % of a synthesis's CPU once the CDK was loaded.
 */
export const LOCAL_SYNTH_CONTEXT = { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-asset-staging': true, 'aws:cdk:disable-creation-stack-traces': true } as const;

export interface SynthesizeStackTemplateOptions {
  /** The stage to build (after `withOverrides`, for `--auth-mode` and friends). */
  readonly stage: StageConfig;
  /** Changes the stack before synthesis (a test adds a route). */
  readonly configure?: (stack: WsNotifyStack) => void;
}

export interface SynthesizedStackTemplate {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** The cloud assembly directory, against which the template's relative asset paths are resolved (a template file's, template-file.ts). */
  readonly assemblyDirectory?: string;
}

/**
 * Throws MissingStageKeyError when the stage needs a signing key that has not been made.
 *
 * @example
 * const { stackName, template } = synthesizeStackTemplate({ stage: withOverrides(getStage('local'), { authMode: 'action' }) });
 */
export function synthesizeStackTemplate(options: SynthesizeStackTemplateOptions): SynthesizedStackTemplate {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ws-notify-synth-'));
  try {
    const { app, stack } = buildInProcessApp({
      stage: options.stage,
      outdir,
      configure: options.configure,
      context: LOCAL_SYNTH_CONTEXT,
      // CloudFormation schema validation takes ~1.5 s at start-up; `cdk synth` and the infra tests run it.
      cloudFormationValidation: false,
    });
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as CfnTemplate;
    return { stackName: stack.stackName, template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
