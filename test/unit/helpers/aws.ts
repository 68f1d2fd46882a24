/**
 * aws-sdk-client-mock mocks of the three SDK clients, and the real adapters built over them:
 * handler tests exercise ConnectionStore / GatewayClient / QueueClient for real, only the SDK
 * transport is mocked.
 */
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { ConnectionStore } from '../../../src/commons/clients/connection-store';
import { GatewayClient } from '../../../src/commons/clients/gateway-client';
import { DeadLetterQueue, QueueClient } from '../../../src/commons/clients/queue-client';
import { dataText } from './data';

export const TABLE_NAME = 'ws-notify-test-Connections';
export const DEADLINE_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/ws-notify-test-AuthorizeDeadline';
export const NOTIFY_CONNECTION_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/ws-notify-test-NotifyConnection';
export const DEAD_LETTER_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/ws-notify-test-Dlq';
export const CALLBACK_URL = 'https://abcdef123.execute-api.us-east-1.amazonaws.com/test';

export const dynamo = mockClient(DynamoDBClient);
export const sqs = mockClient(SQSClient);
export const management = mockClient(ApiGatewayManagementApiClient);

export function resetMocks(): void {
  dynamo.reset();
  sqs.reset();
  management.reset();
}

export function connectionStore(): ConnectionStore {
  return new ConnectionStore({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: TABLE_NAME });
}

export function gatewayClient(): GatewayClient {
  return new GatewayClient({ client: new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: CALLBACK_URL }) });
}

export function queueClient(queueUrl: string): QueueClient {
  return new QueueClient({ client: new SQSClient({ region: 'us-east-1' }), queueUrl, retryBaseDelayMs: 0 });
}

export function deadLetterQueue(): DeadLetterQueue {
  return new DeadLetterQueue(queueClient(DEAD_LETTER_QUEUE_URL));
}

/** Every call that changes something: table writes, queue sends, Management API posts and deletes. */
export function sideEffectCalls(): { table: number; queue: number; gateway: number } {
  return {
    table:
      dynamo.commandCalls(PutItemCommand).length +
      dynamo.commandCalls(UpdateItemCommand).length +
      dynamo.commandCalls(DeleteItemCommand).length,
    queue: sqs.commandCalls(SendMessageCommand).length + sqs.commandCalls(SendMessageBatchCommand).length,
    gateway: management.commandCalls(PostToConnectionCommand).length + management.commandCalls(DeleteConnectionCommand).length,
  };
}

export const NO_SIDE_EFFECTS = { table: 0, queue: 0, gateway: 0 };

/** The frames posted through the Management API, by connection. */
export function postedFrames(): { connectionId: string | undefined; frame: unknown }[] {
  return management.commandCalls(PostToConnectionCommand).map((call) => ({
    connectionId: call.args[0].input.ConnectionId,
    frame: JSON.parse(dataText(call.args[0].input.Data)) as unknown,
  }));
}

/** The parsed body of a route response. */
export function replyOf(result: { statusCode: number; body?: string }): unknown {
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body ?? 'null') as unknown;
}
