/**
 * Cold-start baseline of NotifyUser: the DynamoDB and SQS clients the function creates, a Query of the
 * user index and one SendMessageBatch of the copies to the NotifyConnection queue.
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';

const tableName = process.env.CONNECTIONS_TABLE_NAME ?? '';
const indexName = process.env.CONNECTIONS_USER_INDEX_NAME ?? '';
const queueUrl = process.env.NOTIFY_CONNECTION_QUEUE_URL ?? '';
const dynamodb = new DynamoDBClient(SDK_CLIENT_CONFIG);
const sqs = new SQSClient(SDK_CLIENT_CONFIG);

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  for (const record of event.Records) {
    const { userId, data, id } = JSON.parse(record.body) as { userId: string; data: unknown; id?: string };
    const { Items = [] } = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexName,
        KeyConditionExpression: '#userId = :userId',
        ExpressionAttributeNames: { '#userId': 'userId' },
        ExpressionAttributeValues: { ':userId': { S: userId } },
      }),
    );
    const entries = Items.slice(0, 10).map((item, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify({ connectionId: item.connectionId?.S, data, id: id ?? record.messageId }),
    }));
    if (entries.length > 0) await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
  return { batchItemFailures: [] };
};
