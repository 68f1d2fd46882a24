/**
 * How `npm run synth` and `npm run deploy` run the project's CDK CLI (aws-cdk in devDependencies):
 * checks first (a declared stage, its signing key) so mistakes are one line, then the CLI itself,
 * quiet about things that are not the user's business on this machine. This module loads no CDK
 * code (the CLI and the app it runs do), so that a refusal answers without it.
 */
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../src/tooling/project-paths';
import { requireStagePublicJwk } from '../src/tooling/stage-keys';
import { getStage, stackNameOf, type StageConfig } from './stages';
import type { WsNotifyStackProps } from './ws-notify-stack';

/**
 * The declared stage of that name, with its signing key present when it uses generated keys.
 * Throws UnknownStageError or MissingStageKeyError (one-line messages).
 */
export function stageReadyForSynth(name: string): StageConfig {
  const stage = getStage(name);
  if (stage.jwt.keySource.kind === 'generated') requireStagePublicJwk(stage.name);
  return stage;
}

export interface CdkCommand extends WsNotifyStackProps {
  readonly command: 'synth' | 'deploy';
  /** Further CLI arguments (`--output`, `--outputs-file`, …). */
  readonly args?: readonly string[];
}

/** Runs `cdk <command> WsNotify-<stage> -c stage=<stage> …` in the repository root; resolves with its exit code. */
export function runCdk(options: CdkCommand): Promise<number> {
  const cdk = require.resolve('aws-cdk/bin/cdk', { paths: [PROJECT_ROOT] });
  const args = [
    cdk,
    options.command,
    stackNameOf(options.stage.name),
    '--context',
    `stage=${options.stage.name}`,
    ...(options.awsSdk !== undefined ? ['--context', `awsSdk=${options.awsSdk}`] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      // The AWS SDK's notice about Node.js 20, the CLI's upgrade check (it asks the npm registry
      // when stdout is a terminal) and telemetry (also off in cdk.json): none concern the user
      // here, and the last two need the network.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: '1',
    },
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)));
  });
}
