/** Cold-start baseline of Connect (mode `authorizer`): one DynamoDB client, one PutItem of the authorized record. */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';

const tableName = process.env.CONNECTIONS_TABLE_NAME ?? '';
const dynamodb = new DynamoDBClient(SDK_CLIENT_CONFIG);
/** Mode `action` only, as in the function; exported so that the bundler keeps it. */
export const deadlineQueue = process.env.AUTH_MODE === 'action' ? new SQSClient(SDK_CLIENT_CONFIG) : undefined;

type ConnectEvent = APIGatewayProxyWebsocketEventV2 & { requestContext: { authorizer?: { userId?: string; expiresAt?: number | string } } };

export const handler = async (event: ConnectEvent): Promise<{ statusCode: number }> => {
  const { connectionId, authorizer } = event.requestContext;
  const now = Date.now();
  await dynamodb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        connectionId: { S: connectionId },
        state: { S: 'authorized' },
        authMode: { S: 'authorizer' },
        userId: { S: String(authorizer?.userId) },
        expiresAt: { N: String(authorizer?.expiresAt) },
        connectedAt: { N: String(now) },
        authorizedAt: { N: String(now) },
        failedAttempts: { N: '0' },
        ttl: { N: String(Math.floor(now / 1000) + 8100) },
      },
    }),
  );
  return { statusCode: 200 };
};
