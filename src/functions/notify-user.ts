/**
 * Lambda entry: NotifyUser queue consumer. Env: CONNECTIONS_TABLE_NAME, CONNECTIONS_USER_INDEX_NAME,
 * NOTIFY_CONNECTION_QUEUE_URL, DEAD_LETTER_QUEUE_URL.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ConnectionStore } from '../commons/clients/connection-store';
import { DeadLetterQueue, QueueClient } from '../commons/clients/queue-client';
import { createDynamoDbClient, createSqsClient } from '../commons/clients/sdk-client-config';
import { getStringFromEnv } from '../commons/config';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import { createNotifyUserHandler } from '../handlers/notify-user';

const logger = createFunctionLogger();
const sqs = createSqsClient();
const consume = createNotifyUserHandler({
  connections: new ConnectionStore({
    client: createDynamoDbClient(),
    tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME'),
    userIndexName: getStringFromEnv('CONNECTIONS_USER_INDEX_NAME'),
  }),
  notifyConnectionQueue: new QueueClient({ client: sqs, queueUrl: getStringFromEnv('NOTIFY_CONNECTION_QUEUE_URL') }),
  deadLetterQueue: new DeadLetterQueue(new QueueClient({ client: sqs, queueUrl: getStringFromEnv('DEAD_LETTER_QUEUE_URL') })),
  logger,
});

export const handler = lambdaEntry<SQSEvent, SQSBatchResponse>(logger, consume);
