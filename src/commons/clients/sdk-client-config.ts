/**
 * The AWS SDK clients of the functions, created once per instance at module load, and the one
 * configuration they share (the Management API client of gateway-client.ts included):
 *
 * - **Bounded time per call** (src/commons/sdk-timeouts.ts). A connection must be up within 1 s
 *   and an attempt, connection included, answered within 2 s; past either the attempt fails with
 *   a TimeoutError, which the SDK's retry strategy retries like a 5xx. At most 3 attempts. So a
 *   hung DynamoDB, SQS or Management API call fails within SDK_CALL_LIMIT_MS (9 s), under the
 *   functions' timeouts (infra/ws-notify.ts), and fails only the record it was made for instead
 *   of the whole invocation. DynamoDB, SQS and PostToConnection answer in milliseconds to tens of
 *   milliseconds; 2 s is two orders of magnitude of headroom.
 * - **Middleware resolved once.** The clients' middleware is never changed after creation, so each
 *   resolves its middleware stack once per command class instead of on every request
 *   (`cacheMiddleware`, a documented SDK option).
 *
 * The request handler is given as options, so each client builds its own NodeHttpHandler (with its
 * own keep-alive agent) from them. `throwOnRequestTimeout` makes `requestTimeout` an error rather
 * than a warning in the SDK versions where it is a whole-request timer; in older ones it is the
 * socket's inactivity timeout, which fails the attempt too.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SDK_TIMEOUTS } from '../sdk-timeouts';

/** The options every client's NodeHttpHandler is built from. */
export const SDK_REQUEST_HANDLER = {
  connectionTimeout: SDK_TIMEOUTS.connectionTimeoutMs,
  requestTimeout: SDK_TIMEOUTS.requestTimeoutMs,
  throwOnRequestTimeout: true,
} as const;

/** The configuration of every SDK client of the functions (region, endpoint and credentials come from the environment). */
export const SDK_CLIENT_CONFIG = {
  cacheMiddleware: true,
  maxAttempts: SDK_TIMEOUTS.maxAttempts,
  requestHandler: SDK_REQUEST_HANDLER,
} as const;

/** A DynamoDB client with the functions' settings. */
export function createDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient(SDK_CLIENT_CONFIG);
}

/** An SQS client with the functions' settings. */
export function createSqsClient(): SQSClient {
  return new SQSClient(SDK_CLIENT_CONFIG);
}
