/**
 * `ws-notify synth --stage <name> [--output <dir>] [--aws-sdk bundled|runtime]`: the CDK template of a
 * stage on stdout (`cdk synth WsNotify-<stage> -c stage=<stage>`), offline. An unknown stage or a
 * missing signing key is one line on stderr and a non-zero exit.
 */
import { AWS_SDK_FLAG, CliError, parseAwsSdk, parseStage } from './cli-support';
import { defineCommand } from './command';
import { runAsProcess } from './ws-notify';
import type * as CdkCli from '../../infra/cdk-cli';

export const synthCommand = defineCommand({
  name: 'synth',
  summary: "print a stage's CloudFormation template (cdk synth), offline",
  usage: '[--stage NAME] [--output DIR] [--aws-sdk bundled|runtime]',
  description: [
    "Synthesizes the stage's stack, WsNotify-<stage>, with the project's CDK app (cdk synth) and prints its",
    'template. Needs no AWS account; a stage with generated keys needs them first (ws-notify keys).',
  ].join('\n'),
  flags: {
    stage: { type: 'string', value: 'NAME', expects: 'a stage of infra/stages.ts', description: 'the stage to synthesize', default: 'local' },
    output: { type: 'string', value: 'DIR', expects: 'a directory', description: 'where the cloud assembly goes', defaultText: "cdk.out" },
    'aws-sdk': AWS_SDK_FLAG,
  },
  examples: ['npx ws-notify synth --stage dev --output /tmp/cdk.out'],
  async run(flags) {
    const awsSdk = parseAwsSdk(flags['aws-sdk']);
    const stageName = parseStage(flags.stage).name;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once the flags are good: `synth --help` and a mistyped flag need no CDK
    const { runCdk, stageReadyForSynth } = require('../../infra/cdk-cli') as typeof CdkCli;
    const stage = stageReadyForSynth(stageName);
    const code = await runCdk({
      command: 'synth',
      stage,
      awsSdk,
      args: flags.output !== undefined ? ['--output', flags.output] : [],
    });
    if (code !== 0) throw new CliError('cdk_failed', `cdk synth failed (exit code ${code})`);
  },
});

if (require.main === module) runAsProcess('synth');
