/**
 * Cold-start baseline of Resume: the DynamoDB and Management API clients the function creates, a
 * strongly consistent GetItem of the connection's record, the user's inbox head (GetItem) and a
 * strongly consistent Query of their notifications after the cursor, one PostToConnection per
 * notification, then the `resumed` frame.
 */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';

const connectionsTable = process.env.CONNECTIONS_TABLE_NAME ?? '';
const inboxTable = process.env.INBOX_TABLE_NAME ?? '';
const dynamodb = new DynamoDBClient(SDK_CLIENT_CONFIG);
const gateway = new ApiGatewayManagementApiClient({ ...SDK_CLIENT_CONFIG, endpoint: process.env.CALLBACK_URL });

export const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<{ statusCode: number; body: string }> => {
  const { connectionId } = event.requestContext;
  const after = (JSON.parse(event.body ?? '{}') as { after?: number }).after ?? 0;
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: connectionsTable, Key: { connectionId: { S: connectionId } }, ConsistentRead: true }));
  const userId = Item?.['userId']?.S ?? '';
  const head = await dynamodb.send(new GetItemCommand({ TableName: inboxTable, Key: { userId: { S: userId }, sk: { S: 'h' } }, ConsistentRead: true }));
  const { Items = [] } = await dynamodb.send(
    new QueryCommand({
      TableName: inboxTable,
      KeyConditionExpression: 'userId = :u AND sk > :after',
      ExpressionAttributeValues: { ':u': { S: userId }, ':after': { S: `n#${String(after).padStart(16, '0')}` } },
      ConsistentRead: true,
      Limit: 101,
    }),
  );
  for (const item of Items) {
    const frame = JSON.stringify({ type: 'notification', id: item['id']?.S, seq: Number(item['seq']?.N), data: JSON.parse(item['data']?.S ?? 'null') as unknown, replayed: true });
    await gateway.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(frame, 'utf8') }));
  }
  const latest = Number(head.Item?.['latest']?.N ?? 0);
  return { statusCode: 200, body: JSON.stringify({ type: 'resumed', after, latest, count: Items.length, more: false, truncated: false }) };
};
