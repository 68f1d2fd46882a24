/**
 * Where a stage's queues are, for `npm run notify`: the running local stack's
 * `.local/<stage>/endpoints.json`, or else the deployed stage's `.local/<stage>/deployed.json`.
 */
import path from 'node:path';
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { deployedEndpointsFilePath, endpointsFilePath, readEndpointsFile, type StageEndpoints } from '../tooling/endpoints-file';
import { CliError } from './cli-support';

export interface ResolvedEndpoints {
  readonly kind: 'local' | 'deployed';
  /** The file they were read from, as shown to the user. */
  readonly file: string;
  readonly endpoints: StageEndpoints;
}

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') ? file : relative;
}

function read(file: string): StageEndpoints | undefined {
  try {
    return readEndpointsFile(file);
  } catch (error) {
    throw new CliError('invalid_endpoints_file', `${shown(file)} is not valid JSON`, { cause: error });
  }
}

/** False when the file names a process that no longer runs (a local stack that was killed). */
function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function resolveStageEndpoints(stage: string): ResolvedEndpoints {
  const localFile = endpointsFilePath(stage);
  const local = read(localFile);
  if (local !== undefined && isAlive(local.pid)) return { kind: 'local', file: shown(localFile), endpoints: local };
  const deployedFile = deployedEndpointsFilePath(stage);
  const deployed = read(deployedFile);
  if (deployed !== undefined) return { kind: 'deployed', file: shown(deployedFile), endpoints: deployed };
  if (local !== undefined) {
    throw new CliError('endpoints_unavailable', `the local stack of stage "${stage}" is not running (${shown(localFile)} is stale): start it with npm start -- --stage ${stage}`);
  }
  throw new CliError(
    'endpoints_unavailable',
    `no endpoints for stage "${stage}": start the local stack (npm start -- --stage ${stage}) or deploy the stage (npm run deploy -- --stage ${stage})`,
  );
}

/** The region in an SQS queue URL (`https://sqs.<region>.amazonaws.com/…`), if it has one. */
export function regionFromQueueUrl(queueUrl: string): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(queueUrl)?.[1];
}

/** SDK settings: the local stack's endpoint with fake credentials, or the default chain for a deployed stage. */
export function queueClientConfig(resolved: ResolvedEndpoints, queueUrl: string): SQSClientConfig {
  const sqsEndpoint = resolved.endpoints.sqsEndpoint;
  if (resolved.kind === 'local' && sqsEndpoint !== undefined) {
    return {
      endpoint: sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 2,
    };
  }
  const region = regionFromQueueUrl(queueUrl);
  return region === undefined ? {} : { region };
}
