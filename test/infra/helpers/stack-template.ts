import { Template } from 'aws-cdk-lib/assertions';
import { buildInProcessApp, type InProcessAppOptions } from '../../../infra/app-factory';
import { getStage, type StageConfig } from '../../../infra/stages';
import { type WsNotifyStack } from '../../../infra/ws-notify-stack';
import { LOCAL_SYNTH_CONTEXT } from '../../../src/local/template/synthesize-stack-template';

export const SHIPPED_STAGES = ['local', 'dev', 'prod'] as const;

export interface SynthesizedStack {
  readonly stack: WsNotifyStack;
  /** Assertions on the service view of the template (see serviceView). */
  readonly template: Template;
  /** The service view of the template (see serviceView). */
  readonly json: CfnJson;
  /** The template as synthesized. */
  readonly raw: CfnJson;
}

export interface CfnJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

/**
 * The stage's stack built in-process as `cdk synth` builds it, in the local runtime's context
 * (LOCAL_SYNTH_CONTEXT): each function's `aws:asset:path` is the absolute path of its code (assets
 * are not staged), and no creation stack traces are recorded (the template is the same).
 */
export function synthesizeStage(stage: string | StageConfig, options: Omit<InProcessAppOptions, 'stage'> = {}): SynthesizedStack {
  const { stack } = buildInProcessApp({
    cloudFormationValidation: false,
    ...options,
    context: { ...LOCAL_SYNTH_CONTEXT, ...options.context },
    stage: typeof stage === 'string' ? getStage(stage) : stage,
  });
  const raw = Template.fromStack(stack).toJSON() as CfnJson;
  const json = serviceView(raw);
  return { stack, template: Template.fromJSON(json), json, raw };
}

/**
 * The template with the service's resources under names a reader knows, instead of the CDK's
 * logical ids (`WsNotifyPingFunction1A2B3C4D`): each function as its `ws-notify:name` (`Ping`),
 * each queue as `<name>Queue` (`NotifyUserQueue`, `NotifyUserDeadLetterQueue`), the connections
 * table as `ConnectionsTable`, the API and its stage as `WebSocketApi` and `WebSocketStage`. Every
 * `Ref`, `Fn::GetAtt` and `DependsOn` is renamed alike; nothing else changes.
 */
export function serviceView(raw: CfnJson): CfnJson {
  const names = new Map<string, string>();
  for (const [id, resource] of Object.entries(raw.Resources)) {
    const name = resource.Metadata?.['ws-notify:name'];
    if (typeof name !== 'string') continue;
    if (resource.Type === 'AWS::Lambda::Function') names.set(id, name);
    else if (resource.Type === 'AWS::SQS::Queue') names.set(id, `${name}Queue`);
    else names.set(id, `${name}Table`);
  }
  for (const [type, name] of [['AWS::ApiGatewayV2::Api', 'WebSocketApi'], ['AWS::ApiGatewayV2::Stage', 'WebSocketStage']] as const) {
    const ids = logicalIdsOfType(raw, type);
    if (ids.length === 1) names.set(ids[0]!, name);
  }
  const taken = new Set(names.values());
  for (const id of Object.keys(raw.Resources)) {
    if (!names.has(id) && taken.has(id)) throw new Error(`serviceView: ${id} is a logical id and a service name`);
  }
  const rename = (id: string) => names.get(id) ?? id;
  const renamed = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(renamed);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === 'Ref' && typeof entries[0]![1] === 'string') return { Ref: rename(entries[0]![1]) };
    if (entries.length === 1 && entries[0]![0] === 'Fn::GetAtt' && Array.isArray(entries[0]![1])) {
      const [id, ...rest] = entries[0]![1] as unknown[];
      return { 'Fn::GetAtt': [typeof id === 'string' ? rename(id) : id, ...rest] };
    }
    return Object.fromEntries(entries.map(([key, child]) => [key, key === 'DependsOn' ? (Array.isArray(child) ? child.map((id) => rename(String(id))) : rename(String(child))) : renamed(child)]));
  };
  return {
    ...raw,
    Resources: Object.fromEntries(Object.entries(raw.Resources).map(([id, resource]) => [rename(id), renamed(resource) as CfnJson['Resources'][string]])),
    ...(raw.Outputs !== undefined ? { Outputs: renamed(raw.Outputs) as CfnJson['Outputs'] } : {}),
  };
}

/** Logical ids of the resources of a type. */
export function logicalIdsOfType(json: CfnJson, type: string): string[] {
  return Object.entries(json.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
}

/** The logical id of the resource of that type whose `ws-notify:name` metadata is `name`. */
export function logicalIdNamed(json: CfnJson, type: string, name: string): string {
  const ids = logicalIdsOfType(json, type).filter((id) => json.Resources[id]!.Metadata?.['ws-notify:name'] === name);
  if (ids.length !== 1) throw new Error(`${ids.length} resources named ${name}`);
  return ids[0]!;
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
