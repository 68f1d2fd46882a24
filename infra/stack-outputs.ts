/**
 * The stack's outputs, by name, and how `npm run deploy` turns them into the endpoints file that
 * `notify` reads (`.local/<stage>/deployed.json`, StageEndpoints).
 */
import { type StageEndpoints } from '../src/tooling/endpoints-file';
import { AUTH_MODES, type AuthMode } from './stages';

export const OUTPUT_NAMES = {
  websocketUrl: 'WebSocketUrl',
  callbackUrl: 'CallbackUrl',
  tableName: 'ConnectionsTableName',
  authMode: 'AuthMode',
} as const;

/** Every queue's URL is output as `<queue name>QueueUrl` (NotifyUserQueueUrl, NotifyUserDeadLetterQueueUrl, …). */
export const QUEUE_URL_OUTPUT_SUFFIX = 'QueueUrl';

export function queueUrlOutputName(queueName: string): string {
  return `${queueName}${QUEUE_URL_OUTPUT_SUFFIX}`;
}

/** A deployed stack's outputs lack something the endpoints file needs. */
export class StackOutputsError extends Error {
  override readonly name = 'StackOutputsError';
  readonly code = 'invalid_stack_outputs';
}

/** The endpoints of a deployed stage, from its stack outputs (as written by `cdk deploy --outputs-file`). */
export function endpointsFromStackOutputs(stage: string, outputs: Readonly<Record<string, unknown>>): StageEndpoints {
  const required = (name: string): string => {
    const value = outputs[name];
    if (typeof value !== 'string' || value === '') throw new StackOutputsError(`the stack outputs have no ${name}`);
    return value;
  };
  const authMode = required(OUTPUT_NAMES.authMode);
  if (!(AUTH_MODES as readonly string[]).includes(authMode)) throw new StackOutputsError(`the stack output AuthMode is "${authMode}"`);
  const queues: Record<string, string> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (name.endsWith(QUEUE_URL_OUTPUT_SUFFIX) && name.length > QUEUE_URL_OUTPUT_SUFFIX.length && typeof value === 'string') {
      queues[name.slice(0, -QUEUE_URL_OUTPUT_SUFFIX.length)] = value;
    }
  }
  for (const queue of ['NotifyUser', 'NotifyConnection']) {
    if (queues[queue] === undefined) throw new StackOutputsError(`the stack outputs have no ${queueUrlOutputName(queue)}`);
  }
  return {
    stage,
    authMode: authMode as AuthMode,
    websocketUrl: required(OUTPUT_NAMES.websocketUrl),
    managementApiUrl: required(OUTPUT_NAMES.callbackUrl),
    tableName: required(OUTPUT_NAMES.tableName),
    queues,
  };
}
