/** Cold-start baseline of Disconnect: one DynamoDB client, one DeleteItem of the connection's record. */
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';

const tableName = process.env.CONNECTIONS_TABLE_NAME ?? '';
const dynamodb = new DynamoDBClient(SDK_CLIENT_CONFIG);

export const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<{ statusCode: number }> => {
  await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { connectionId: { S: event.requestContext.connectionId } } }));
  return { statusCode: 200 };
};
