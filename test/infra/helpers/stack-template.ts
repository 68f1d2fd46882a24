import { Template } from 'aws-cdk-lib/assertions';
import { buildInProcessApp, type InProcessAppOptions } from '../../../infra/app-factory';
import { getStage, type StageConfig } from '../../../infra/stages';
import { type WsNotifyStack } from '../../../infra/ws-notify-stack';

export const SHIPPED_STAGES = ['local', 'dev', 'prod'] as const;

export interface SynthesizedStack {
  readonly stack: WsNotifyStack;
  readonly template: Template;
  readonly json: CfnJson;
}

export interface CfnJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

/**
 * The stage's stack built in-process as `cdk synth` builds it, with asset metadata: each
 * function's `aws:asset:path` is the absolute path of its code (assets are not staged).
 */
export function synthesizeStage(stage: string | StageConfig, options: Omit<InProcessAppOptions, 'stage'> = {}): SynthesizedStack {
  const { stack } = buildInProcessApp({
    cloudFormationValidation: false,
    ...options,
    context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-asset-staging': true, ...options.context },
    stage: typeof stage === 'string' ? getStage(stage) : stage,
  });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as CfnJson };
}

/** Logical ids of the resources of a type. */
export function logicalIdsOfType(json: CfnJson, type: string): string[] {
  return Object.entries(json.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
}

/**
 * Renders a CloudFormation value as a string the way a reviewer reads it: `{ Ref: X }` → `<X>`,
 * `{ 'Fn::GetAtt': [X, Y] }` → `<X.Y>`, `Fn::Join` concatenated. Used to compare IAM resources.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries: [string, unknown][] = Object.entries(value);
    if (entries.length === 1) {
      const [key, args] = entries[0]!;
      if (key === 'Ref' && typeof args === 'string') return `<${args}>`;
      if (key === 'Fn::GetAtt' && Array.isArray(args)) return `<${args.join('.')}>`;
      if (key === 'Fn::Join' && Array.isArray(args) && Array.isArray(args[1])) {
        return (args[1] as unknown[]).map(render).join(String(args[0]));
      }
    }
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** Runs `synth` without aws-cdk-lib's `Bundling asset …` progress lines on stderr (everything else passes). */
export function withoutBundlingProgress<T>(synth: () => T): T {
  const write = process.stderr.write.bind(process.stderr);
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) =>
    /^Bundling asset \S+\.\.\.\n$/.test(String(chunk)) ? true : (write as (...args: unknown[]) => boolean)(chunk, ...rest),
  );
  try {
    return synth();
  } finally {
    spy.mockRestore();
  }
}
