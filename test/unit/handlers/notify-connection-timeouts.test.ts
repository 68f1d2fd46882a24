/**
 * A Management API call that hangs: the real NotifyConnection handler over a real
 * ApiGatewayManagementApiClient with the functions' shared SDK configuration, whose requests go
 * to an in-memory endpoint that never answers for one connection. Fake time stands in for the
 * seconds the SDK's request timeouts and back-off take.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { ConnectionStore } from '../../../src/commons/clients/connection-store';
import { GatewayClient } from '../../../src/commons/clients/gateway-client';
import { DeadLetterQueue, QueueClient } from '../../../src/commons/clients/queue-client';
import { SDK_CLIENT_CONFIG, SDK_REQUEST_HANDLER } from '../../../src/commons/clients/sdk-client-config';
import { SDK_CALL_LIMIT_MS, SDK_TIMEOUTS } from '../../../src/commons/sdk-timeouts';
import { createNotifyConnectionHandler } from '../../../src/handlers/notify-connection';
import { sqsEvent, sqsRecord } from '../helpers/events';
import { settle, useFakeTimersForIo } from '../helpers/fake-time';
import { InMemoryHttpAgent, type InMemoryRequest } from '../helpers/in-memory-http';
import { silentLogger } from '../helpers/logs';
import { testMetrics } from '../helpers/metrics';
import { authorizedRecord, item } from '../helpers/records';

const TABLE_NAME = 'ws-notify-test-Connections';
const CALLBACK_URL = 'http://management.test/test';
const TEST_CLIENT = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } as const;
const HUNG = 'HUNGhungHUNGhu0=';
const OTHERS = ['AAAAAAAAAAAAAA0=', 'BBBBBBBBBBBBBB0=', 'CCCCCCCCCCCCCC0='];

const dynamo = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);

/** The connection id a PostToConnection request is for. */
const targetOf = (request: InMemoryRequest): string => decodeURIComponent(request.path.slice(request.path.lastIndexOf('/') + 1));

describe('Function: createNotifyConnectionHandler, with a Management API call that hangs', () => {
  let agent: InMemoryHttpAgent;
  let management: ApiGatewayManagementApiClient;

  beforeEach(() => {
    useFakeTimersForIo();
    const now = Date.now();
    const records = [HUNG, ...OTHERS].map((connectionId) => authorizedRecord(connectionId, { connectedAt: now - 600_000, expiresAt: Math.floor(now / 1000) + 3600 }));
    dynamo.on(BatchGetItemCommand).resolves({ Responses: { [TABLE_NAME]: records.map((record) => item(record)) }, UnprocessedKeys: {} });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message' });
    // PostToConnection to HUNG is read and never answered; every other post is delivered.
    agent = new InMemoryHttpAgent((request) => (targetOf(request) === HUNG ? 'hang' : { status: 200 }));
    management = new ApiGatewayManagementApiClient({ ...SDK_CLIENT_CONFIG, ...TEST_CLIENT, endpoint: CALLBACK_URL, requestHandler: { ...SDK_REQUEST_HANDLER, httpAgent: agent } });
  });

  afterEach(() => {
    management.destroy();
    dynamo.reset();
    sqs.reset();
    jest.useRealTimers();
  });

  it('fails that record only, within the SDK call limit, and delivers the rest of the batch', async () => {
    // Prepare
    const handler = createNotifyConnectionHandler({
      connections: new ConnectionStore({ client: new DynamoDBClient(TEST_CLIENT), tableName: TABLE_NAME }),
      gateway: new GatewayClient({ client: management }),
      deadLetterQueue: new DeadLetterQueue(new QueueClient({ client: new SQSClient(TEST_CLIENT), queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq' })),
      logger: silentLogger(),
      metrics: testMetrics(),
    });
    const hungRecord = sqsRecord(JSON.stringify({ connectionId: HUNG, data: { n: 0 }, id: 'n-0' }));
    const otherRecords = OTHERS.map((connectionId, n) => sqsRecord(JSON.stringify({ connectionId, data: { n: n + 1 }, id: `n-${n + 1}` })));

    // Act
    const { value: response, elapsedMs } = await settle(handler(sqsEvent([hungRecord, ...otherRecords])), 2 * SDK_CALL_LIMIT_MS);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: hungRecord.messageId }] });
    const delivered = agent.exchanges.filter((exchange) => exchange.response !== 'hang');
    expect(delivered.map((exchange) => targetOf(exchange.request)).sort()).toEqual([...OTHERS].sort());
    expect(delivered.map((exchange) => JSON.parse(exchange.request.body) as unknown)).toEqual(
      expect.arrayContaining(OTHERS.map((_, n) => ({ type: 'notification', id: `n-${n + 1}`, data: { n: n + 1 } }))),
    );
    // Every attempt at the hung post was cut off by the request timeout, then retried, up to the attempt limit.
    expect(agent.exchanges.filter((exchange) => exchange.response === 'hang')).toHaveLength(SDK_TIMEOUTS.maxAttempts);
    expect(elapsedMs).toBeGreaterThanOrEqual(SDK_TIMEOUTS.maxAttempts * SDK_TIMEOUTS.requestTimeoutMs);
    expect(elapsedMs).toBeLessThanOrEqual(SDK_CALL_LIMIT_MS);
    // Nothing went to the DLQ: a timeout is worth a retry, and the record is retried by SQS.
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});
