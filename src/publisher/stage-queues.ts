/**
 * Where a stage's notification queues are: in the endpoints file of its running local stack
 * (`.local/<stage>/endpoints.json`, written by `npm start`), or else in that of the deployed
 * stage (`.local/<stage>/deployed.json`, written from the stack outputs by `npm run deploy`).
 * WS_NOTIFY_STATE_DIR moves `.local/`.
 */
import * as t from 'io-ts';
import { decode } from '../commons/codecs';
import { deployedEndpointsFilePath, endpointsFilePath, readEndpointsFile } from '../tooling/endpoints-file';
import { StageEndpointsError } from './errors';

export interface StageQueues {
  /** `local`: a running local stack; `deployed`: the stage on AWS. */
  readonly kind: 'local' | 'deployed';
  /** The endpoints file read (absolute path). */
  readonly file: string;
  readonly notifyUserQueueUrl: string;
  readonly notifyConnectionQueueUrl: string;
  /** The local stack's SQS endpoint. */
  readonly sqsEndpoint?: string;
}

/** The parts of an endpoints file the publisher reads. */
const EndpointsFileQueues = t.intersection([
  t.type({ queues: t.partial({ NotifyUser: t.string, NotifyConnection: t.string }) }),
  t.partial({ sqsEndpoint: t.string, pid: t.number }),
]);
type EndpointsFileQueues = t.TypeOf<typeof EndpointsFileQueues>;

/** A stage name as API Gateway allows it: letters, digits, `-` and `_` (it is also a directory name here). */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

function read(stage: string, file: string): EndpointsFileQueues | undefined {
  let content: unknown;
  try {
    content = readEndpointsFile(file);
  } catch (error) {
    const problem = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new StageEndpointsError('invalid_endpoints_file', stage, file, `${file} ${problem}`, { cause: error });
  }
  if (content === undefined) return undefined;
  const decoded = decode(EndpointsFileQueues, content);
  if (!decoded.ok) throw new StageEndpointsError('invalid_endpoints_file', stage, file, `${file} is not an endpoints file: ${decoded.message}`);
  return decoded.value;
}

/** False when the file names a process that no longer runs (a local stack that was killed). */
function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function queuesOf(stage: string, kind: StageQueues['kind'], file: string, content: EndpointsFileQueues): StageQueues {
  const url = (name: 'NotifyUser' | 'NotifyConnection'): string => {
    const value = content.queues[name];
    if (value === undefined || value === '') throw new StageEndpointsError('invalid_endpoints_file', stage, file, `${file} lists no ${name} queue`);
    return value;
  };
  return {
    kind,
    file,
    notifyUserQueueUrl: url('NotifyUser'),
    notifyConnectionQueueUrl: url('NotifyConnection'),
    ...(kind === 'local' && content.sqsEndpoint !== undefined ? { sqsEndpoint: content.sqsEndpoint } : {}),
  };
}

/** The stage's queues: its running local stack's, else its deployed stage's. Throws StageEndpointsError. */
export function resolveStageQueues(stage: string): StageQueues {
  if (!STAGE_NAME.test(stage)) {
    throw new StageEndpointsError('invalid_stage_name', stage, undefined, `${JSON.stringify(stage)} is not a stage name (letters, digits, - and _)`);
  }
  const localFile = endpointsFilePath(stage);
  const local = read(stage, localFile);
  if (local !== undefined && isRunning(local.pid)) return queuesOf(stage, 'local', localFile, local);
  const deployedFile = deployedEndpointsFilePath(stage);
  const deployed = read(stage, deployedFile);
  if (deployed !== undefined) return queuesOf(stage, 'deployed', deployedFile, deployed);
  if (local !== undefined) {
    throw new StageEndpointsError(
      'local_stack_not_running',
      stage,
      localFile,
      `the local stack of stage "${stage}" is not running (${localFile} names process ${local.pid} which has exited), and the stage has no ${deployedFile}`,
    );
  }
  throw new StageEndpointsError(
    'endpoints_not_found',
    stage,
    undefined,
    `no endpoints for stage "${stage}": neither ${localFile} (a running local stack) nor ${deployedFile} (a deployed stage) exists`,
  );
}
