/**
 * Cold-start baseline of AuthorizeDeadline: the DynamoDB, Management API and SQS clients the function
 * creates, and its first call for a connection that is authorized by then: one strongly consistent GetItem.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';

const tableName = process.env.CONNECTIONS_TABLE_NAME ?? '';
const dynamodb = new DynamoDBClient(SDK_CLIENT_CONFIG);
/** Created at load as the function does; exported so that the bundler keeps them. */
export const clients = {
  gateway: new ApiGatewayManagementApiClient({ ...SDK_CLIENT_CONFIG, endpoint: process.env.CALLBACK_URL }),
  sqs: new SQSClient(SDK_CLIENT_CONFIG),
};

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  for (const record of event.Records) {
    const { connectionId } = JSON.parse(record.body) as { connectionId: string };
    await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { connectionId: { S: connectionId } }, ConsistentRead: true }));
  }
  return { batchItemFailures: [] };
};
