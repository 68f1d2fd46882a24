/**
 * Lambda entry: route `authorize` (route response). Env: CONNECTIONS_TABLE_NAME,
 * CONNECTIONS_USER_INDEX_NAME, INBOX_TABLE_NAME, JWT_*, CALLBACK_URL, MAX_CONNECTIONS_PER_USER.
 */
import { ConnectionStore } from '../commons/clients/connection-store';
import { GatewayClient } from '../commons/clients/gateway-client';
import { InboxStore } from '../commons/clients/inbox-store';
import { createDynamoDbClient } from '../commons/clients/sdk-client-config';
import { getIntegerFromEnv, getStringFromEnv } from '../commons/config';
import { MAX_CONNECTIONS_PER_USER_BOUNDS } from '../commons/constants';
import { getJwtVerifierConfigFromEnv, JwtVerifier } from '../commons/jwt-verifier';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { handleAuthorize } from '../handlers/authorize';

const logger = createFunctionLogger();
const dynamodb = createDynamoDbClient();
const connections = new ConnectionStore({
  client: dynamodb,
  tableName: getStringFromEnv('CONNECTIONS_TABLE_NAME'),
  userIndexName: getStringFromEnv('CONNECTIONS_USER_INDEX_NAME'),
});
const inbox = new InboxStore({ client: dynamodb, tableName: getStringFromEnv('INBOX_TABLE_NAME') });
const gateway = GatewayClient.fromCallbackUrl(getStringFromEnv('CALLBACK_URL'));
const verifier = new JwtVerifier(getJwtVerifierConfigFromEnv());
const maxConnectionsPerUser = getIntegerFromEnv('MAX_CONNECTIONS_PER_USER', MAX_CONNECTIONS_PER_USER_BOUNDS);

export const handler = lambdaEntry<WebSocketMessageEvent, RouteResult>(logger, (event) =>
  handleAuthorize(event, { connections, inbox, gateway, verifier, logger, maxConnectionsPerUser }),
);
