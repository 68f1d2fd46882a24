/**
 * `ws-notify start --template FILE`: the `<stack>.template.json` that `cdk synth` wrote into its cloud
 * assembly, run instead of synthesizing again; relative asset paths resolve against its directory.
 * It must be of the stage that runs it, signed with its current key: every function's STAGE and
 * AUTH_MODE are the stage's, and a verifier of the stage's generated key carries that key's id.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StageConfig } from '../../../infra/stages';
import { readStagePublicJwk } from '../../tooling/stage-keys';
import type { CfnTemplate } from './cfn-template';
import type { SynthesizedStackTemplate } from './synthesize-stack-template';
import { StackTemplateError } from './template-errors';
import { isRecord } from '../is-record';

/** How cdk synth names a stack's template in the cloud assembly. */
const TEMPLATE_SUFFIX = '.template.json';

/**
 * Reads the template file of the stage.
 *
 * @example
 * const synthesized = readTemplateFile('cdk.out/WsNotify-dev.template.json', getStage('dev'));
 * // { stackName: 'WsNotify-dev', template, assemblyDirectory: '/…/cdk.out' }
 */
export function readTemplateFile(file: string, stage: StageConfig): SynthesizedStackTemplate {
  const fileName = path.basename(file);
  if (!fileName.endsWith(TEMPLATE_SUFFIX) || fileName === TEMPLATE_SUFFIX) {
    throw new StackTemplateError('unreadable_template', `${file} is not a template as cdk synth writes it, <stack>${TEMPLATE_SUFFIX}`);
  }
  let template: CfnTemplate;
  try {
    template = JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new StackTemplateError('unreadable_template', `the template ${file} ${reason}`, undefined, undefined, { cause: error });
  }
  checkStage(file, template, stage);
  return { stackName: fileName.slice(0, -TEMPLATE_SUFFIX.length), template, assemblyDirectory: path.dirname(path.resolve(file)) };
}

/** Throws StackTemplateError('other_stage') unless every function is configured for this stage, its auth mode and its key. */
function checkStage(file: string, template: CfnTemplate, stage: StageConfig): void {
  // Unchecked JSON: the template reader checks its shape later.
  const resources: unknown[] = isRecord(template) && isRecord(template.Resources) ? Object.values(template.Resources) : [];
  const keyId = stage.jwt.keySource.kind === 'generated' ? readStagePublicJwk(stage.name)?.kid : undefined;
  for (const fn of resources) {
    const environment = isRecord(fn) && fn.Type === 'AWS::Lambda::Function' && isRecord(fn.Properties) ? fn.Properties.Environment : undefined;
    const variables = isRecord(environment) && isRecord(environment.Variables) ? environment.Variables : {};
    if (variables.STAGE !== undefined && variables.STAGE !== stage.name) {
      throw new StackTemplateError('other_stage', `the template ${file} is of stage ${JSON.stringify(variables.STAGE)}, not ${stage.name}`);
    }
    if (variables.AUTH_MODE !== undefined && variables.AUTH_MODE !== stage.authMode) {
      throw new StackTemplateError('other_stage', `the template ${file} runs auth mode ${JSON.stringify(variables.AUTH_MODE)}, stage ${stage.name} ${stage.authMode}: synthesize it again`);
    }
    if (keyId !== undefined && typeof variables.JWT_PUBLIC_JWK === 'string' && publicKeyId(variables.JWT_PUBLIC_JWK) !== keyId) {
      throw new StackTemplateError('other_stage', `the template ${file} was synthesized with another signing key of stage ${stage.name}: synthesize it again`);
    }
  }
}

function publicKeyId(jwk: string): unknown {
  try {
    return (JSON.parse(jwk) as { kid?: unknown }).kid;
  } catch {
    return undefined;
  }
}
