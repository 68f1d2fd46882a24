/** Lambda entry: route `$disconnect`. Env: CONNECTIONS_TABLE_NAME. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConnectionStore } from '../commons/clients/connection-store';
import { SDK_CLIENT_CONFIG } from '../commons/clients/sdk-client-config';
import { getStringFromEnv } from '../commons/config';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import type { RouteResult, WebSocketDisconnectEvent } from '../commons/websocket-events';
import { handleDisconnect } from '../handlers/disconnect';

const logger = createFunctionLogger();
const connections = new ConnectionStore({ client: new DynamoDBClient(SDK_CLIENT_CONFIG), tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME') });

export const handler = lambdaEntry<WebSocketDisconnectEvent, RouteResult>(logger, (event) =>
  handleDisconnect(event, { connections, logger }),
);
