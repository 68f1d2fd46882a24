/** Lambda entry: route `ping` (route response). Env: CONNECTIONS_TABLE_NAME. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConnectionStore } from '../commons/clients/connection-store';
import { SDK_CLIENT_CONFIG } from '../commons/clients/sdk-client-config';
import { getStringFromEnv } from '../commons/config';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { handlePing } from '../handlers/ping';

const logger = createFunctionLogger();
const connections = new ConnectionStore({ client: new DynamoDBClient(SDK_CLIENT_CONFIG), tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME') });

export const handler = lambdaEntry<WebSocketMessageEvent, RouteResult>(logger, (event) => handlePing(event, { connections, logger }));
