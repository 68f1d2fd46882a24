/**
 * `npm run synth -- --stage <name> [--output <dir>] [--aws-sdk bundled|runtime]`: the CDK template of a
 * stage on stdout (`cdk synth WsNotify-<stage> -c stage=<stage>`), offline. An unknown stage or a
 * missing signing key is one line on stderr and a non-zero exit.
 */
import { isAwsSdkSource, runCdk, stageReadyForSynth } from '../../infra/cdk-cli';
import { CliError, parseFlags, parseStage, runCli, UsageError } from './cli-support';

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, {
    stage: { type: 'string', default: 'local' },
    output: { type: 'string' },
    'aws-sdk': { type: 'string' },
  });
  const awsSdk = flags['aws-sdk'];
  if (awsSdk !== undefined && !isAwsSdkSource(awsSdk)) throw new UsageError(`--aws-sdk must be bundled or runtime, got "${awsSdk}"`);
  const stage = stageReadyForSynth(parseStage(flags.stage).name);
  const code = await runCdk({
    command: 'synth',
    stage,
    awsSdk,
    args: flags.output !== undefined ? ['--output', flags.output] : [],
    quietBundling: true,
  });
  if (code !== 0) throw new CliError('cdk_failed', `cdk synth failed (exit code ${code})`);
}

runCli(main, 'synth');
