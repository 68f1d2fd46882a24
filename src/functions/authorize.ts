/**
 * Lambda entry: route `authorize` (route response). Env: CONNECTIONS_TABLE_NAME,
 * CONNECTIONS_USER_INDEX_NAME, JWT_*, CALLBACK_URL, MAX_CONNECTIONS_PER_USER.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConnectionStore } from '../commons/clients/connection-store';
import { GatewayClient } from '../commons/clients/gateway-client';
import { SDK_CLIENT_CONFIG } from '../commons/clients/sdk-client-config';
import { getIntegerFromEnv, getStringFromEnv } from '../commons/config';
import { MAX_CONNECTIONS_PER_USER_BOUNDS } from '../commons/constants';
import { getJwtVerifierConfigFromEnv, JwtVerifier } from '../commons/jwt-verifier';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { handleAuthorize } from '../handlers/authorize';

const logger = createFunctionLogger();
const connections = new ConnectionStore({
  client: new DynamoDBClient(SDK_CLIENT_CONFIG),
  tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME'),
  userIndexName: getStringFromEnv('CONNECTIONS_USER_INDEX_NAME'),
});
const gateway = GatewayClient.fromCallbackUrl(getStringFromEnv('CALLBACK_URL'));
const verifier = new JwtVerifier(getJwtVerifierConfigFromEnv());
const maxConnectionsPerUser = getIntegerFromEnv('MAX_CONNECTIONS_PER_USER', MAX_CONNECTIONS_PER_USER_BOUNDS);

export const handler = lambdaEntry<WebSocketMessageEvent, RouteResult>(logger, (event) =>
  handleAuthorize(event, { connections, gateway, verifier, logger, maxConnectionsPerUser }),
);
