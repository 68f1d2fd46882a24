/**
 * `npm run notify -- --user <id> | --connection <id> --data <json> [--id <id>] [--stage local]`:
 * sends a notification to the stage's NotifyUser or NotifyConnection queue and prints the queue
 * message id alone. The queues come from `.local/<stage>/endpoints.json` (a running local stack)
 * or else `.local/<stage>/deployed.json` (a deployed stage). Errors: one line on stderr.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { QueueClient } from '../commons/clients/queue-client';
import { ConnectionId, decode, NotificationId, parseJson, UserId } from '../commons/codecs';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../commons/constants';
import { frameByteLength, notificationFrame } from '../commons/frames';
import { parseFlags, parseStage, runCli, UsageError } from './cli-support';
import { queueClientConfig, resolveStageEndpoints } from './stage-endpoints';

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, {
    user: { type: 'string' },
    connection: { type: 'string' },
    data: { type: 'string' },
    id: { type: 'string' },
    stage: { type: 'string', default: 'local' },
  });
  if ((flags.user === undefined) === (flags.connection === undefined)) {
    throw new UsageError('give exactly one of --user and --connection');
  }
  if (flags.data === undefined) throw new UsageError('--data is required (a JSON value, e.g. \'{"download":"/reports/42"}\' or \'"hello"\')');
  const data = parseJson(flags.data);
  if (!data.ok) throw new UsageError('--data must be valid JSON (quote a string: \'"hello"\')');

  if (flags.user !== undefined && !decode(UserId, flags.user).ok) throw new UsageError('--user must be 1 to 128 characters');
  if (flags.connection !== undefined && !decode(ConnectionId, flags.connection).ok) {
    throw new UsageError('--connection must be 1 to 128 characters');
  }
  if (flags.id !== undefined && !decode(NotificationId, flags.id).ok) throw new UsageError('--id must be 1 to 128 characters');
  const target = flags.user !== undefined ? { userId: flags.user } : { connectionId: flags.connection };
  const body = { ...target, data: data.value, ...(flags.id === undefined ? {} : { id: flags.id }) };
  const frameBytes = frameByteLength(notificationFrame(flags.id ?? 'x'.repeat(36), data.value));
  if (frameBytes > MAX_WEBSOCKET_MESSAGE_BYTES) {
    throw new UsageError(`--data is too large: the notification would be ${frameBytes} bytes, over the ${MAX_WEBSOCKET_MESSAGE_BYTES}-byte WebSocket limit`);
  }

  const queueName = flags.user !== undefined ? 'NotifyUser' : 'NotifyConnection';
  const endpoints = resolveStageEndpoints(parseStage(flags.stage).name);
  const queueUrl = endpoints.endpoints.queues[queueName];
  if (queueUrl === undefined) throw new UsageError(`${endpoints.file} lists no ${queueName} queue`);

  const sqs = new SQSClient(queueClientConfig(endpoints, queueUrl));
  try {
    const messageId = await new QueueClient({ client: sqs, queueUrl }).send(JSON.stringify(body));
    process.stdout.write(`${messageId}\n`);
  } finally {
    sqs.destroy();
  }
}

runCli(main, 'notify');
