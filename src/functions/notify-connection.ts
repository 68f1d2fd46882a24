/**
 * Lambda entry: NotifyConnection queue consumer. Env: STAGE, POWERTOOLS_METRICS_NAMESPACE,
 * CONNECTIONS_TABLE_NAME, CALLBACK_URL, DEAD_LETTER_QUEUE_URL.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ConnectionStore } from '../commons/clients/connection-store';
import { GatewayClient } from '../commons/clients/gateway-client';
import { DeadLetterQueue, QueueClient } from '../commons/clients/queue-client';
import { createDynamoDbClient, createSqsClient } from '../commons/clients/sdk-client-config';
import { getStringFromEnv } from '../commons/config';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import { createFunctionMetrics } from '../commons/metrics';
import { createNotifyConnectionHandler } from '../handlers/notify-connection';

const logger = createFunctionLogger();
const metrics = createFunctionMetrics();
const consume = createNotifyConnectionHandler({
  connections: new ConnectionStore({ client: createDynamoDbClient(), tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME') }),
  gateway: GatewayClient.fromCallbackUrl(getStringFromEnv('CALLBACK_URL')),
  deadLetterQueue: new DeadLetterQueue(new QueueClient({ client: createSqsClient(), queueUrl: getStringFromEnv('DEAD_LETTER_QUEUE_URL') })),
  logger,
  metrics,
});

export const handler = lambdaEntry<SQSEvent, SQSBatchResponse>(logger, consume, metrics);
