/**
 * The AWS SDK clients of the functions, created once per instance at module load. Their
 * middleware is never changed afterwards, so each resolves its middleware stack once per command
 * class instead of on every request (`cacheMiddleware`, a documented SDK option).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

export const SDK_CLIENT_CONFIG = { cacheMiddleware: true } as const;

/** A DynamoDB client with the functions' settings (region and endpoint from the environment). */
export function createDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient(SDK_CLIENT_CONFIG);
}

/** An SQS client with the functions' settings (region and endpoint from the environment). */
export function createSqsClient(): SQSClient {
  return new SQSClient(SDK_CLIENT_CONFIG);
}
