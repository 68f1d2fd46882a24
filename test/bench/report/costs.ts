/**
 * AWS prices (public list prices, us-east-1, on-demand, looked up 2026-11-29) and the cost of an
 * operation from its counted requests. docs/performance.md cites the sources.
 */
import type { Counters } from '../hosts/server-host-api';

export const PRICES = {
  lookedUp: '2026-11-29',
  region: 'us-east-1',
  /** API Gateway WebSocket: per million messages sent or received (first billion/month), metered in 32 KB increments. */
  apiGatewayMessagesPerMillion: 1.0,
  /** API Gateway WebSocket: per million connection minutes. */
  apiGatewayConnectionMinutesPerMillion: 0.25,
  /** Lambda: per million requests. */
  lambdaRequestsPerMillion: 0.2,
  /** Lambda arm64: per GB-second (first 7.5 billion GB-s/month). */
  lambdaArmGbSecond: 0.0000133334,
  /** DynamoDB on-demand: per million read request units (a strongly consistent read of up to 4 KB is 1, eventually consistent 0.5). */
  dynamodbReadUnitsPerMillion: 0.125,
  /** DynamoDB on-demand: per million write request units (a write of up to 1 KB is 1, plus 1 per global secondary index it changes). */
  dynamodbWriteUnitsPerMillion: 0.625,
  /** SQS standard: per million requests (a batch of up to 10 messages is one request per 64 KB). */
  sqsRequestsPerMillion: 0.4,
} as const;

/** Memory of each function (infra/ws-notify-stack.ts: 256 MB, NotifyUser 512 MB). */
export const FUNCTION_MEMORY_MB: Readonly<Record<string, number>> = { NotifyUser: 512 };
const DEFAULT_MEMORY_MB = 256;

/**
 * The seed design's ping, as it went: the ping function, an SQS send, the delivery function's
 * event source mapping receive and delete, the delivery function, a Management API call.
 */
export const SEED_PING = {
  lambdaInvocations: 2,
  sqsRequests: 3,
  managementApiCalls: 1,
  /** The client's message in, the reply out through the Management API. */
  apiGatewayMessages: 2,
} as const;
export const SEED_REQUESTS_PER_PING = SEED_PING.lambdaInvocations + SEED_PING.sqsRequests + SEED_PING.managementApiCalls;

/** AWS requests in counters: every service request (the pollers' included) and every Lambda invocation. */
export function awsRequests(counters: Counters): number {
  const service = Object.values(counters.requests).reduce((sum, count) => sum + count, 0);
  const invocations = Object.values(counters.invocations).reduce((sum, entry) => sum + entry.count, 0);
  return service + invocations;
}

export interface CostBreakdown {
  readonly apiGateway: number;
  readonly lambdaRequests: number;
  readonly lambdaCompute: number;
  readonly dynamodb: number;
  readonly sqs: number;
  readonly total: number;
}

function sumOf(counters: Counters, predicate: (key: string) => boolean): number {
  return Object.entries(counters.requests).reduce((sum, [key, count]) => (predicate(key) ? sum + count : sum), 0);
}

export interface CostAssumptions {
  /** Write request units per table write: 2 when the write also changes the user index (authorized records), 1 otherwise. */
  readonly writeUnitsPerWrite: number;
  /** Bytes a Query returns per item of the user index (keys, expiresAt, ttl). */
  readonly queryItemBytes?: number;
  /** Items a Query returns (the user's connections), for its read units. */
  readonly queryItems?: number;
}

/**
 * US dollars per million operations, from the counts of one operation. Lambda compute uses the
 * local billed durations (rounded up to the ms): a proxy, not a measurement on Lambda.
 */
export function costPerMillion(counters: Counters, assumptions: CostAssumptions): CostBreakdown {
  const million = 1_000_000;
  const apiGateway = (counters.messagesIn + counters.messagesOut) * PRICES.apiGatewayMessagesPerMillion;
  const invocations = Object.values(counters.invocations).reduce((sum, entry) => sum + entry.count, 0);
  const lambdaRequests = invocations * PRICES.lambdaRequestsPerMillion;
  const gbSeconds = Object.entries(counters.invocations).reduce(
    (sum, [id, entry]) => sum + ((FUNCTION_MEMORY_MB[id] ?? DEFAULT_MEMORY_MB) / 1024) * (entry.billedMs / 1000),
    0,
  );
  const lambdaCompute = gbSeconds * PRICES.lambdaArmGbSecond * million;
  const reads = sumOf(counters, (key) => key.startsWith('dynamodb.GetItem'));
  const queries = sumOf(counters, (key) => key.startsWith('dynamodb.Query'));
  const queryUnits = queries * 0.5 * Math.max(1, Math.ceil(((assumptions.queryItems ?? 1) * (assumptions.queryItemBytes ?? 120)) / 4096));
  const writes = sumOf(counters, (key) => /^dynamodb\.(PutItem|UpdateItem|DeleteItem)/.test(key));
  const dynamodb = (reads + queryUnits) * PRICES.dynamodbReadUnitsPerMillion + writes * assumptions.writeUnitsPerWrite * PRICES.dynamodbWriteUnitsPerMillion;
  const sqs = sumOf(counters, (key) => key.startsWith('sqs.')) * PRICES.sqsRequestsPerMillion;
  return { apiGateway, lambdaRequests, lambdaCompute, dynamodb, sqs, total: apiGateway + lambdaRequests + lambdaCompute + dynamodb + sqs };
}

/** The seed design's ping per million, its functions taken to run as long as the measured Ping function (256 MB each). */
export function seedPingCostPerMillion(pingBilledMs: number): CostBreakdown {
  const million = 1_000_000;
  const apiGateway = SEED_PING.apiGatewayMessages * PRICES.apiGatewayMessagesPerMillion;
  const lambdaRequests = SEED_PING.lambdaInvocations * PRICES.lambdaRequestsPerMillion;
  const lambdaCompute = SEED_PING.lambdaInvocations * (DEFAULT_MEMORY_MB / 1024) * (pingBilledMs / 1000) * PRICES.lambdaArmGbSecond * million;
  const sqs = SEED_PING.sqsRequests * PRICES.sqsRequestsPerMillion;
  return { apiGateway, lambdaRequests, lambdaCompute, dynamodb: 0, sqs, total: apiGateway + lambdaRequests + lambdaCompute + sqs };
}
