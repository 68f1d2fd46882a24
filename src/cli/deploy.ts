/**
 * `npm run deploy -- --stage <name> [--require-approval never|any-change|broadening] [--aws-sdk bundled|runtime]`:
 * `cdk deploy` of the stage's stack, then its outputs written as `.local/<stage>/deployed.json`
 * (StageEndpoints), where `npm run notify -- --stage <name>` finds the queues.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAwsSdkSource, runCdk, stageReadyForSynth } from '../../infra/cdk-cli';
import { endpointsFromStackOutputs } from '../../infra/stack-outputs';
import { stackNameOf } from '../../infra/ws-notify-stack';
import { deployedEndpointsFilePath, writeEndpointsFile } from '../tooling/endpoints-file';
import { CliError, parseFlags, parseStage, runCli, UsageError } from './cli-support';

const APPROVALS = ['never', 'any-change', 'broadening'];

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, {
    stage: { type: 'string', default: 'local' },
    'require-approval': { type: 'string' },
    'aws-sdk': { type: 'string' },
  });
  const approval = flags['require-approval'];
  if (approval !== undefined && !APPROVALS.includes(approval)) {
    throw new UsageError(`--require-approval must be one of ${APPROVALS.join(', ')}, got "${approval}"`);
  }
  const awsSdk = flags['aws-sdk'];
  if (awsSdk !== undefined && !isAwsSdkSource(awsSdk)) throw new UsageError(`--aws-sdk must be bundled or runtime, got "${awsSdk}"`);
  const stage = stageReadyForSynth(parseStage(flags.stage).name);

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
    process.stdout.write(`deploy: endpoints of stage ${stage.name} written to ${path.relative(process.cwd(), file) || file}\n`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

runCli(main, 'deploy');
