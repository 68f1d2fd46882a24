/** Cold-start baseline of Ping: one DynamoDB client, one strongly consistent GetItem of the connection's record. */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';

const tableName = process.env.CONNECTIONS_TABLE_NAME ?? '';
const dynamodb = new DynamoDBClient(SDK_CLIENT_CONFIG);

export const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<{ statusCode: number; body: string }> => {
  const { connectionId } = event.requestContext;
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { connectionId: { S: connectionId } }, ConsistentRead: true }));
  return { statusCode: 200, body: JSON.stringify({ type: 'pong', connectionId, found: Item !== undefined }) };
};
