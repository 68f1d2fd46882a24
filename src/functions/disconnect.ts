/** Lambda entry: route `$disconnect`. Env: STAGE, POWERTOOLS_METRICS_NAMESPACE, CONNECTIONS_TABLE_NAME. */
import { ConnectionStore } from '../commons/clients/connection-store';
import { createDynamoDbClient } from '../commons/clients/sdk-client-config';
import { getStringFromEnv } from '../commons/config';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import { createFunctionMetrics } from '../commons/metrics';
import type { RouteResult, WebSocketDisconnectEvent } from '../commons/websocket-events';
import { handleDisconnect } from '../handlers/disconnect';

const logger = createFunctionLogger();
const metrics = createFunctionMetrics();
const connections = new ConnectionStore({ client: createDynamoDbClient(), tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME') });

export const handler = lambdaEntry<WebSocketDisconnectEvent, RouteResult>(
  logger,
  (event) => handleDisconnect(event, { connections, logger, metrics }),
  metrics,
);
