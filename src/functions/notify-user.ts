/**
 * Lambda entry: NotifyUser queue consumer. Env: STAGE, POWERTOOLS_METRICS_NAMESPACE,
 * CONNECTIONS_TABLE_NAME, CONNECTIONS_USER_INDEX_NAME, INBOX_TABLE_NAME, INBOX_ID_INDEX_NAME,
 * INBOX_RETENTION_SECONDS, NOTIFY_CONNECTION_QUEUE_URL, DEAD_LETTER_QUEUE_URL.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ConnectionStore } from '../commons/clients/connection-store';
import { InboxStore } from '../commons/clients/inbox-store';
import { DeadLetterQueue, QueueClient } from '../commons/clients/queue-client';
import { createDynamoDbClient, createSqsClient } from '../commons/clients/sdk-client-config';
import { getIntegerFromEnv, getStringFromEnv } from '../commons/config';
import { MAX_INBOX_RETENTION_SECONDS } from '../commons/constants';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import { createFunctionMetrics } from '../commons/metrics';
import { createNotifyUserHandler } from '../handlers/notify-user';

const logger = createFunctionLogger();
const metrics = createFunctionMetrics();
const dynamodb = createDynamoDbClient();
const sqs = createSqsClient();
const consume = createNotifyUserHandler({
  connections: new ConnectionStore({
    client: dynamodb,
    tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME'),
    userIndexName: getStringFromEnv('CONNECTIONS_USER_INDEX_NAME'),
  }),
  inbox: new InboxStore({
    client: dynamodb,
    tableName: getStringFromEnv('INBOX_TABLE_NAME'),
    idIndexName: getStringFromEnv('INBOX_ID_INDEX_NAME'),
    retentionSeconds: getIntegerFromEnv('INBOX_RETENTION_SECONDS', { min: 1, max: MAX_INBOX_RETENTION_SECONDS }),
  }),
  notifyConnectionQueue: new QueueClient({ client: sqs, queueUrl: getStringFromEnv('NOTIFY_CONNECTION_QUEUE_URL') }),
  deadLetterQueue: new DeadLetterQueue(new QueueClient({ client: sqs, queueUrl: getStringFromEnv('DEAD_LETTER_QUEUE_URL') })),
  logger,
  metrics,
});

export const handler = lambdaEntry<SQSEvent, SQSBatchResponse>(logger, consume, metrics);
