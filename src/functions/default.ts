/** Lambda entry: route `$default` (route response). Env: CONNECTIONS_TABLE_NAME. */
import { ConnectionStore } from '../commons/clients/connection-store';
import { createDynamoDbClient } from '../commons/clients/sdk-client-config';
import { getStringFromEnv } from '../commons/config';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { handleDefault } from '../handlers/default';

const logger = createFunctionLogger();
const connections = new ConnectionStore({ client: createDynamoDbClient(), tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME') });

export const handler = lambdaEntry<WebSocketMessageEvent, RouteResult>(logger, (event) => handleDefault(event, { connections, logger }));
