import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { GatewayClient } from '../../../../src/commons/clients/gateway-client';
import { createDynamoDbClient, createSqsClient, SDK_CLIENT_CONFIG, SDK_REQUEST_HANDLER } from '../../../../src/commons/clients/sdk-client-config';
import { SDK_CALL_LIMIT_MS, SDK_TIMEOUTS } from '../../../../src/commons/sdk-timeouts';
import { settle, useFakeTimersForIo } from '../../helpers/fake-time';
import { InMemoryHttpAgent } from '../../helpers/in-memory-http';

const TEST_CLIENT = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } as const;

describe('Constant: SDK_CLIENT_CONFIG', () => {
  it('bounds every call: 1 s to connect, 2 s per attempt, 3 attempts, at most 9 s in all', () => {
    // Assess
    expect(SDK_TIMEOUTS).toEqual({ connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 3 });
    expect(SDK_CLIENT_CONFIG).toEqual({
      cacheMiddleware: true,
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
    });
    expect(SDK_CALL_LIMIT_MS).toBe(9_000);
  });
});

describe('Functions: the clients of the functions', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([
    ['createDynamoDbClient', () => createDynamoDbClient()],
    ['createSqsClient', () => createSqsClient()],
    ['GatewayClient.fromCallbackUrl', () => GatewayClient.fromCallbackUrl('https://abcdef123.execute-api.us-east-1.amazonaws.com/test')],
  ])('%s builds its HTTP handler from the shared timeouts', (_name, create) => {
    // Prepare
    const handlerOptions = jest.spyOn(NodeHttpHandler, 'create');

    // Act
    create();

    // Assess
    expect(handlerOptions).toHaveBeenCalledTimes(1);
    expect(handlerOptions.mock.calls[0]?.[0]).toEqual(SDK_REQUEST_HANDLER);
    expect(handlerOptions.mock.results[0]?.value).toBeInstanceOf(NodeHttpHandler);
  });

  it.each([
    ['createDynamoDbClient', () => createDynamoDbClient().config.maxAttempts()],
    ['createSqsClient', () => createSqsClient().config.maxAttempts()],
  ])('%s allows 3 attempts per call', async (_name, maxAttempts) => {
    // Assess
    await expect(maxAttempts()).resolves.toBe(3);
  });
});

describe('Behaviour: a call to an endpoint that never answers', () => {
  let agent: InMemoryHttpAgent;
  const requestHandler = (): typeof SDK_REQUEST_HANDLER & { httpAgent: InMemoryHttpAgent } => ({ ...SDK_REQUEST_HANDLER, httpAgent: agent });

  beforeEach(() => {
    useFakeTimersForIo();
    agent = new InMemoryHttpAgent(() => 'hang');
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it.each([
    ['DynamoDB GetItem', () => new DynamoDBClient({ ...SDK_CLIENT_CONFIG, ...TEST_CLIENT, endpoint: 'http://dynamodb.test', requestHandler: requestHandler() }).send(new GetItemCommand({ TableName: 't', Key: { id: { S: '1' } } }))],
    ['SQS SendMessage', () => new SQSClient({ ...SDK_CLIENT_CONFIG, ...TEST_CLIENT, endpoint: 'http://sqs.test', requestHandler: requestHandler() }).send(new SendMessageCommand({ QueueUrl: 'http://sqs.test/000000000000/q', MessageBody: '{}' }))],
    [
      'Management API PostToConnection',
      () =>
        new ApiGatewayManagementApiClient({ ...SDK_CLIENT_CONFIG, ...TEST_CLIENT, endpoint: 'http://management.test/test', requestHandler: requestHandler() }).send(
          new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAA0=', Data: Buffer.from('{}') }),
        ),
    ],
  ])('%s fails with a TimeoutError after 3 attempts of 2 s, within the call limit', async (_name, call) => {
    // Act
    const outcome = await settle(
      call().then(
        () => undefined,
        (error: unknown) => error,
      ),
      2 * SDK_CALL_LIMIT_MS,
    );

    // Assess
    expect(outcome.value).toMatchObject({ name: 'TimeoutError' });
    expect(agent.exchanges).toHaveLength(3);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(3 * SDK_TIMEOUTS.requestTimeoutMs);
    expect(outcome.elapsedMs).toBeLessThanOrEqual(SDK_CALL_LIMIT_MS);
  });
});
