/**
 * Cold-start baseline of NotifyConnection: the DynamoDB, Management API and SQS clients the function
 * creates, one strongly consistent BatchGetItem of the batch's records and one PostToConnection.
 */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';

const tableName = process.env.CONNECTIONS_TABLE_NAME ?? '';
const dynamodb = new DynamoDBClient(SDK_CLIENT_CONFIG);
const gateway = new ApiGatewayManagementApiClient({ ...SDK_CLIENT_CONFIG, endpoint: process.env.CALLBACK_URL });
/** Created at load as the function does (for poison messages); exported so that the bundler keeps it. */
export const deadLetterQueue = new SQSClient(SDK_CLIENT_CONFIG);

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const bodies = event.Records.map((record) => ({ messageId: record.messageId, ...(JSON.parse(record.body) as { connectionId: string; data: unknown; id?: string }) }));
  await dynamodb.send(
    new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: bodies.map((body) => ({ connectionId: { S: body.connectionId } })), ConsistentRead: true } } }),
  );
  for (const body of bodies) {
    const frame = JSON.stringify({ type: 'notification', id: body.id ?? body.messageId, data: body.data });
    await gateway.send(new PostToConnectionCommand({ ConnectionId: body.connectionId, Data: Buffer.from(frame, 'utf8') }));
  }
  return { batchItemFailures: [] };
};
