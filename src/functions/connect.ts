/**
 * Lambda entry: route `$connect`. Env: STAGE, POWERTOOLS_METRICS_NAMESPACE, CONNECTIONS_TABLE_NAME,
 * AUTH_MODE, ALLOWED_ORIGINS; in mode `authorizer` INBOX_TABLE_NAME, MAX_CONNECTIONS_PER_USER,
 * CONNECTIONS_USER_INDEX_NAME and CALLBACK_URL; in mode `action` AUTHORIZE_DEADLINE_QUEUE_URL +
 * AUTHORIZE_DEADLINE_SECONDS.
 */
import { ConnectionStore } from '../commons/clients/connection-store';
import { GatewayClient } from '../commons/clients/gateway-client';
import { InboxStore } from '../commons/clients/inbox-store';
import { QueueClient } from '../commons/clients/queue-client';
import { createDynamoDbClient, createSqsClient } from '../commons/clients/sdk-client-config';
import { getEnumFromEnv, getIntegerFromEnv, getListFromEnv, getStringFromEnv } from '../commons/config';
import { AUTH_MODES } from '../commons/connection-record';
import { MAX_CONNECTIONS_PER_USER_BOUNDS } from '../commons/constants';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import { createFunctionMetrics } from '../commons/metrics';
import type { RouteResult, WebSocketConnectEvent } from '../commons/websocket-events';
import { handleConnect, type ConnectConfig } from '../handlers/connect';

const logger = createFunctionLogger();
const metrics = createFunctionMetrics();
const authMode = getEnumFromEnv('AUTH_MODE', AUTH_MODES);
const config: ConnectConfig = {
  authMode,
  allowedOrigins: getListFromEnv('ALLOWED_ORIGINS'),
  ...(authMode === 'action'
    ? { authorizeDeadlineSeconds: getIntegerFromEnv('AUTHORIZE_DEADLINE_SECONDS', { min: 0, max: 900 }) }
    : { maxConnectionsPerUser: getIntegerFromEnv('MAX_CONNECTIONS_PER_USER', MAX_CONNECTIONS_PER_USER_BOUNDS) }),
};
const dynamodb = createDynamoDbClient();
const connections = new ConnectionStore({
  client: dynamodb,
  tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME'),
  ...(authMode === 'authorizer' ? { userIndexName: getStringFromEnv('CONNECTIONS_USER_INDEX_NAME') } : {}),
});
const deadlineQueue =
  authMode === 'action' ? new QueueClient({ client: createSqsClient(), queueUrl: getStringFromEnv('AUTHORIZE_DEADLINE_QUEUE_URL') }) : undefined;
const inbox = authMode === 'authorizer' ? new InboxStore({ client: dynamodb, tableName: getStringFromEnv('INBOX_TABLE_NAME') }) : undefined;
const gateway = authMode === 'authorizer' ? GatewayClient.fromCallbackUrl(getStringFromEnv('CALLBACK_URL')) : undefined;

export const handler = lambdaEntry<WebSocketConnectEvent, RouteResult>(
  logger,
  (event) =>
    handleConnect(event, {
      connections,
      config,
      logger,
      metrics,
      ...(inbox === undefined ? {} : { inbox }),
      ...(deadlineQueue === undefined ? {} : { deadlineQueue }),
      ...(gateway === undefined ? {} : { gateway }),
    }),
  metrics,
);
