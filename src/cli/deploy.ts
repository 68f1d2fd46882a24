/**
 * `ws-notify deploy --stage <name> [--require-approval never|any-change|broadening] [--aws-sdk bundled|runtime]`:
 * `cdk deploy` of the stage's stack, then its outputs written as `.local/<stage>/deployed.json`
 * (StageEndpoints), where `ws-notify notify --stage <name>` finds the queues. The stage, its key
 * and the AWS credentials are checked first, each a one-line error, before anything is bundled.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stackNameOf } from '../../infra/stages';
import { deployedEndpointsFilePath, writeEndpointsFile } from '../tooling/endpoints-file';
import { resolveAwsTarget } from './aws-target';
import { AWS_SDK_FLAG, CliError, parseAwsSdk, parseStage, UsageError } from './cli-support';
import { defineCommand } from './command';
import { runAsProcess } from './ws-notify';
import type * as CdkCli from '../../infra/cdk-cli';
import type * as StackOutputs from '../../infra/stack-outputs';

const APPROVALS = ['never', 'any-change', 'broadening'];

export const deployCommand = defineCommand({
  name: 'deploy',
  summary: 'deploy a stage (cdk deploy) and keep its endpoints for notify',
  usage: '[--stage NAME] [--require-approval WHEN] [--aws-sdk bundled|runtime]',
  description: [
    "Deploys the stage's stack, WsNotify-<stage>, with the CDK CLI to the account and region of the AWS",
    'credentials (AWS_PROFILE, AWS_REGION, …; checked first, in one STS call), then writes its outputs',
    "to .local/<stage>/deployed.json, where ws-notify notify --stage finds the stage's queues.",
  ].join('\n'),
  flags: {
    stage: { type: 'string', value: 'NAME', expects: 'a stage of infra/stages.ts', description: 'the stage to deploy', default: 'local' },
    'require-approval': {
      type: 'string',
      value: 'WHEN',
      expects: APPROVALS.join(', '),
      description: 'when cdk deploy asks before changing security',
      defaultText: "the CDK CLI's (broadening)",
    },
    'aws-sdk': AWS_SDK_FLAG,
  },
  examples: ['npx ws-notify keys --stage prod && npx ws-notify deploy --stage prod'],
  async run(flags, streams) {
    const approval = flags['require-approval'];
    if (approval !== undefined && !APPROVALS.includes(approval)) {
      throw new UsageError(`--require-approval must be one of ${APPROVALS.join(', ')}, got "${approval}"`);
    }
    const awsSdk = parseAwsSdk(flags['aws-sdk']);
    const stageName = parseStage(flags.stage).name;
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded once the flags are good: `deploy --help` and a mistyped flag need no CDK */
    const { runCdk, stageReadyForSynth } = require('../../infra/cdk-cli') as typeof CdkCli;
    const { endpointsFromStackOutputs } = require('../../infra/stack-outputs') as typeof StackOutputs;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const stage = stageReadyForSynth(stageName);
    const target = await resolveAwsTarget();
    streams.stdout.write(`deploy: ${stackNameOf(stage.name)} to account ${target.account}, region ${target.region}\n`);

    const workDir = mkdtempSync(path.join(tmpdir(), 'ws-notify-deploy-'));
    try {
      const outputsFile = path.join(workDir, 'outputs.json');
      const code = await runCdk({
        command: 'deploy',
        stage,
        awsSdk,
        args: ['--outputs-file', outputsFile, ...(approval !== undefined ? ['--require-approval', approval] : [])],
      });
      if (code !== 0) throw new CliError('cdk_failed', `cdk deploy failed (exit code ${code})`);
      const outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, unknown> | undefined>;
      const stackOutputs = outputs[stackNameOf(stage.name)];
      if (stackOutputs === undefined) throw new CliError('cdk_failed', `cdk deploy wrote no outputs for ${stackNameOf(stage.name)}`);
      const file = deployedEndpointsFilePath(stage.name);
      writeEndpointsFile(file, endpointsFromStackOutputs(stage.name, stackOutputs));
      streams.stdout.write(`deploy: endpoints of stage ${stage.name} written to ${path.relative(process.cwd(), file) || file}\n`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  },
});

if (require.main === module) runAsProcess('deploy');
