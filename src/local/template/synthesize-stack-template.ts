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
 * The context under which the local runtime synthesizes a CDK app: asset metadata on resources, and
 * assets used in place rather than copied into the cloud assembly (the CDK's context keys, as in
 * aws-cdk-lib/cx-api). Each function's `aws:asset:path` is then the absolute path of its code.
 */
export const LOCAL_SYNTH_CONTEXT = { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-asset-staging': true } as const;

export interface SynthesizeStackTemplateOptions {
  /** The stage to build (after `withOverrides`, for `--auth-mode` and friends). */
  readonly stage: StageConfig;
  /** Changes the stack before synthesis, e.g. `(stack) => stack.addRoute('echo', { … })` in a test. */
  readonly configure?: (stack: WsNotifyStack) => void;
}

export interface SynthesizedStackTemplate {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** The cloud assembly directory, against which the template's relative asset paths are resolved (a template file's, template-file.ts). */
  readonly assemblyDirectory?: string;
}

/**
 * Builds and synthesizes the stage's stack and returns its template.
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
