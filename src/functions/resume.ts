/**
 * Lambda entry: route `resume` (route response). Env: STAGE, POWERTOOLS_METRICS_NAMESPACE,
 * CONNECTIONS_TABLE_NAME, INBOX_TABLE_NAME, INBOX_RETENTION_SECONDS, CALLBACK_URL.
 */
import { ConnectionStore } from '../commons/clients/connection-store';
import { GatewayClient } from '../commons/clients/gateway-client';
import { InboxStore } from '../commons/clients/inbox-store';
import { createDynamoDbClient } from '../commons/clients/sdk-client-config';
import { getIntegerFromEnv, getStringFromEnv } from '../commons/config';
import { MAX_INBOX_RETENTION_SECONDS } from '../commons/constants';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import { createFunctionMetrics } from '../commons/metrics';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { handleResume } from '../handlers/resume';

const logger = createFunctionLogger();
const metrics = createFunctionMetrics();
const dynamodb = createDynamoDbClient();
const connections = new ConnectionStore({ client: dynamodb, tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME') });
const inbox = new InboxStore({
  client: dynamodb,
  tableName: getStringFromEnv('INBOX_TABLE_NAME'),
  retentionSeconds: getIntegerFromEnv('INBOX_RETENTION_SECONDS', { min: 1, max: MAX_INBOX_RETENTION_SECONDS }),
});
const gateway = GatewayClient.fromCallbackUrl(getStringFromEnv('CALLBACK_URL'));

export const handler = lambdaEntry<WebSocketMessageEvent, RouteResult>(
  logger,
  (event) => handleResume(event, { connections, inbox, gateway, logger, metrics }),
  metrics,
);
