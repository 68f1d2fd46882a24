import type { Context, SQSEvent } from 'aws-lambda';
import { authorizedConnectEvent, authorizerEvent, connectEvent, CONNECTION_ID, disconnectEvent, messageEvent, METHOD_ARN, sqsEvent, sqsRecord } from '../helpers/events';
import { authorizedRecord, indexItem, item, pendingRecord } from '../helpers/records';
import { AUDIENCE, createTestKeys, ISSUER, nowSeconds, type TestKeys } from '../helpers/tokens';
import { BASE_ENV, loadEntry } from './load-entry';
import type * as AuthorizerEntry from '../../../src/functions/authorizer';
import type * as ConnectEntry from '../../../src/functions/connect';
import type * as DisconnectEntry from '../../../src/functions/disconnect';
import type * as PingEntry from '../../../src/functions/ping';
import type * as DefaultEntry from '../../../src/functions/default';
import type * as AuthorizeEntry from '../../../src/functions/authorize';
import type * as AuthorizeDeadlineEntry from '../../../src/functions/authorize-deadline';
import type * as NotifyUserEntry from '../../../src/functions/notify-user';
import type * as NotifyConnectionEntry from '../../../src/functions/notify-connection';
import type * as ResumeEntry from '../../../src/functions/resume';

/** What `fn` throws (the tests expect it to throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const CALLBACK_URL = 'https://abcdef123.execute-api.us-east-1.amazonaws.com/test';
/** What the per-user connection limit needs (Connect in mode authorizer, Authorize). */
const LIMIT_ENV = { MAX_CONNECTIONS_PER_USER: '20', CONNECTIONS_USER_INDEX_NAME: 'byUser' };
const QUEUE = (name: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/ws-notify-test-${name}`;
const INBOX_TABLE_NAME = 'ws-notify-test-Inbox';
const INBOX_ENV = { INBOX_TABLE_NAME, INBOX_ID_INDEX_NAME: 'byId', INBOX_RETENTION_SECONDS: '3600' } as const;
const context = { functionName: 'fn', awsRequestId: 'req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:fn', memoryLimitInMB: '256' } as Context;

describe('Lambda entries (src/functions)', () => {
  // The entries publish what an invocation recorded as EMF lines on stdout, which Powertools writes
  // past jest's console: they stay out of the test output (the 'metrics' tests below read them).
  const writeStdout = process.stdout.write.bind(process.stdout);
  let quietMetrics: jest.SpiedFunction<typeof process.stdout.write>;
  beforeEach(() => {
    quietMetrics = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => String(chunk).includes('"_aws"') || writeStdout(chunk));
  });
  afterEach(() => {
    quietMetrics.mockRestore();
  });

  let keys: TestKeys;
  let jwtEnv: { JWT_ISSUER: string; JWT_AUDIENCE: string; JWT_ALGORITHMS: string; JWT_MAX_LIFETIME_SECONDS: string; JWT_PUBLIC_JWK: string };

  beforeAll(async () => {
    keys = await createTestKeys();
    jwtEnv = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_ALGORITHMS: 'ES256', JWT_MAX_LIFETIME_SECONDS: '86400', JWT_PUBLIC_JWK: JSON.stringify(keys.publicJwk) };
  });

  describe('authorizer', () => {
    it('allows a valid token with the stage key from JWT_PUBLIC_JWK', async () => {
      const { entry } = loadEntry<typeof AuthorizerEntry>('authorizer', { ...BASE_ENV, ...jwtEnv });

      const result = await entry.handler(authorizerEvent(await keys.sign({ sub: 'u1' })), context);

      expect(result).toEqual(expect.objectContaining({ principalId: 'u1', context: expect.objectContaining({ userId: 'u1' }) as unknown }));
      expect(result.policyDocument.Statement[0].Resource).toBe(METHOD_ARN);
    });

    it('fails at load when JWT_ISSUER is missing', () => {
      const { JWT_ISSUER: _omitted, ...env } = { ...BASE_ENV, ...jwtEnv };

      expect(() => loadEntry<typeof AuthorizerEntry>('authorizer', env)).toThrow(Error);
      expect(() => loadEntry<typeof AuthorizerEntry>('authorizer', env)).toThrow('environment variable JWT_ISSUER is required');
    });
  });

  describe('connect', () => {
    it('mode authorizer: counts the user\'s connections on CONNECTIONS_USER_INDEX_NAME, writes the authorized record, then the recent-connection pointer in INBOX_TABLE_NAME', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof ConnectEntry>('connect', { ...BASE_ENV, ...LIMIT_ENV, CALLBACK_URL, AUTH_MODE: 'authorizer', ALLOWED_ORIGINS: '', INBOX_TABLE_NAME });
      mocks.dynamo.on(sdk.dynamodb.QueryCommand).resolves({ Items: [] });
      mocks.dynamo.on(sdk.dynamodb.PutItemCommand).resolves({});

      await expect(entry.handler(authorizedConnectEvent(), context)).resolves.toEqual({ statusCode: 200 });
      expect(mocks.dynamo.commandCalls(sdk.dynamodb.QueryCommand)[0]?.args[0].input.IndexName).toBe('byUser');
      expect(mocks.dynamo.commandCalls(sdk.dynamodb.PutItemCommand).map((call) => call.args[0].input.TableName)).toEqual([
        BASE_ENV.CONNECTIONS_TABLE_NAME,
        INBOX_TABLE_NAME,
      ]);
      expect(mocks.sqs.calls()).toHaveLength(0);
    });

    it('mode authorizer: refuses with 429 once the user holds MAX_CONNECTIONS_PER_USER connections', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof ConnectEntry>('connect', {
        ...BASE_ENV,
        ...LIMIT_ENV,
        MAX_CONNECTIONS_PER_USER: '1',
        CALLBACK_URL,
        AUTH_MODE: 'authorizer',
        ALLOWED_ORIGINS: '',
        INBOX_TABLE_NAME,
      });
      mocks.dynamo.on(sdk.dynamodb.QueryCommand).resolves({ Items: [indexItem('c1', '1234', nowSeconds() + 600, nowSeconds() + 8000)] });
      mocks.management.on(sdk.management.GetConnectionCommand).resolves({});

      await expect(entry.handler(authorizedConnectEvent(), context)).resolves.toEqual({ statusCode: 429 });
      expect(mocks.dynamo.commandCalls(sdk.dynamodb.PutItemCommand)).toHaveLength(0);
    });

    it('mode action: sends the deadline to AUTHORIZE_DEADLINE_QUEUE_URL with AUTHORIZE_DEADLINE_SECONDS', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof ConnectEntry>('connect', {
        ...BASE_ENV,
        AUTH_MODE: 'action',
        AUTHORIZE_DEADLINE_QUEUE_URL: QUEUE('AuthorizeDeadline'),
        AUTHORIZE_DEADLINE_SECONDS: '7',
      });
      mocks.sqs.on(sdk.sqs.SendMessageCommand).resolves({ MessageId: 'm' });
      mocks.dynamo.on(sdk.dynamodb.PutItemCommand).resolves({});

      await expect(entry.handler(connectEvent(), context)).resolves.toEqual({ statusCode: 200 });
      expect(mocks.sqs.commandCalls(sdk.sqs.SendMessageCommand)[0]?.args[0].input).toEqual(
        expect.objectContaining({ QueueUrl: QUEUE('AuthorizeDeadline'), DelaySeconds: 7 }),
      );
    });

    it('reads ALLOWED_ORIGINS', async () => {
      const { entry, mocks } = loadEntry<typeof ConnectEntry>('connect', {
        ...BASE_ENV,
        ...LIMIT_ENV,
        CALLBACK_URL,
        AUTH_MODE: 'authorizer',
        ALLOWED_ORIGINS: 'https://other.example.com',
        INBOX_TABLE_NAME,
      });

      await expect(entry.handler(connectEvent(), context)).resolves.toEqual({ statusCode: 403 });
      expect(mocks.dynamo.calls()).toHaveLength(0);
    });

    it.each([
      ['AUTH_MODE is missing', { ...BASE_ENV }],
      ['AUTH_MODE is unknown', { ...BASE_ENV, AUTH_MODE: 'cookie' }],
      ['mode action lacks its queue', { ...BASE_ENV, AUTH_MODE: 'action', AUTHORIZE_DEADLINE_SECONDS: '30' }],
      ['the deadline is over 900 s', { ...BASE_ENV, AUTH_MODE: 'action', AUTHORIZE_DEADLINE_QUEUE_URL: QUEUE('D'), AUTHORIZE_DEADLINE_SECONDS: '901' }],
      ['mode authorizer lacks MAX_CONNECTIONS_PER_USER', { ...BASE_ENV, CONNECTIONS_USER_INDEX_NAME: 'byUser', CALLBACK_URL, AUTH_MODE: 'authorizer', INBOX_TABLE_NAME }],
      ['MAX_CONNECTIONS_PER_USER is 0', { ...BASE_ENV, ...LIMIT_ENV, MAX_CONNECTIONS_PER_USER: '0', CALLBACK_URL, AUTH_MODE: 'authorizer', INBOX_TABLE_NAME }],
      ['mode authorizer lacks CALLBACK_URL', { ...BASE_ENV, ...LIMIT_ENV, AUTH_MODE: 'authorizer', INBOX_TABLE_NAME }],
      ['mode authorizer lacks INBOX_TABLE_NAME', { ...BASE_ENV, ...LIMIT_ENV, CALLBACK_URL, AUTH_MODE: 'authorizer' }],
    ])('fails at load when %s', (_label, env) => {
      const error = thrown(() => loadEntry<typeof ConnectEntry>('connect', env));

      expect((error as Error).name).toBe('ConfigurationError');
    });
  });

  describe('metrics', () => {
    /** Every EMF line printed on stdout while `run` runs. */
    async function emfLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
      const lines: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(...String(chunk).split('\n').filter((line) => line.includes('"_aws"')));
        return true;
      });
      try {
        await run();
      } finally {
        write.mockRestore();
      }
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    }

    it('publishes what an invocation recorded as one EMF line, in POWERTOOLS_METRICS_NAMESPACE with the STAGE dimension', async () => {
      // Prepare
      const { entry, sdk, mocks } = loadEntry<typeof DisconnectEntry>('disconnect', { ...BASE_ENV });
      mocks.dynamo.on(sdk.dynamodb.DeleteItemCommand).resolves({});

      // Act
      const lines = await emfLines(() => entry.handler(disconnectEvent(), context));

      // Assess
      expect(lines).toEqual([
        {
          _aws: {
            Timestamp: expect.any(Number) as unknown,
            CloudWatchMetrics: [{ Namespace: 'WsNotify', Dimensions: [['service', 'stage']], Metrics: [{ Name: 'ConnectionsClosed', Unit: 'Count' }] }],
          },
          service: 'ws-notify',
          stage: 'test',
          ConnectionsClosed: 1,
        },
      ]);
    });

    it('publishes each invocation on its own, the refusal reason of one not carried into the next', async () => {
      // Prepare
      const { entry } = loadEntry<typeof AuthorizerEntry>('authorizer', { ...BASE_ENV, ...jwtEnv });
      const allowed = authorizerEvent(await keys.sign({ sub: 'u1' }));

      // Act
      const lines = await emfLines(async () => {
        await entry.handler(authorizerEvent(undefined), context);
        await entry.handler(allowed, context);
        await entry.handler(authorizerEvent('not-a-jwt'), context);
      });

      // Assess: two refusals, two lines; the allowed handshake printed none.
      expect(lines.map((line) => [line.reason, line.HandshakesRefused])).toEqual([
        ['unauthorized', 1],
        ['unauthorized', 1],
      ]);
    });

    it('prints nothing for an invocation that recorded nothing (no empty-metrics warning)', async () => {
      // Prepare
      const { entry } = loadEntry<typeof AuthorizerEntry>('authorizer', { ...BASE_ENV, ...jwtEnv });
      const errors = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

      try {
        // Act
        const lines = await emfLines(async () => entry.handler(authorizerEvent(await keys.sign({ sub: 'u1' })), context));

        // Assess
        expect(lines).toEqual([]);
        expect(errors).not.toHaveBeenCalled();
      } finally {
        errors.mockRestore();
      }
    });

    it.each(['POWERTOOLS_METRICS_NAMESPACE', 'STAGE'] as const)('fails at load without %s', (variable) => {
      const env: Record<string, string> = { ...BASE_ENV };
      delete env[variable];

      expect(thrown(() => loadEntry<typeof DisconnectEntry>('disconnect', env))).toEqual(expect.objectContaining({ name: 'ConfigurationError', variable }));
    });
  });

  describe('disconnect', () => {
    it('deletes the record', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof DisconnectEntry>('disconnect', { ...BASE_ENV });
      mocks.dynamo.on(sdk.dynamodb.DeleteItemCommand).resolves({});

      await expect(entry.handler(disconnectEvent(), context)).resolves.toEqual({ statusCode: 200 });
      expect(mocks.dynamo.commandCalls(sdk.dynamodb.DeleteItemCommand)[0]?.args[0].input).toEqual({
        TableName: BASE_ENV.CONNECTIONS_TABLE_NAME,
        Key: { connectionId: { S: CONNECTION_ID } },
      });
    });

    it('fails at load without CONNECTIONS_TABLE_NAME', () => {
      const { CONNECTIONS_TABLE_NAME: _omitted, ...env } = BASE_ENV;

      expect(() => loadEntry<typeof DisconnectEntry>('disconnect', env)).toThrow('CONNECTIONS_TABLE_NAME');
    });
  });

  describe('ping and $default', () => {
    it('ping answers pong for an authorized connection', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof PingEntry>('ping', { ...BASE_ENV });
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand).resolves({ Item: item(authorizedRecord(CONNECTION_ID)) });

      const result = await entry.handler(messageEvent('{"action":"ping"}'), context);

      expect(JSON.parse(result.body ?? '')).toEqual({ type: 'pong', connectionId: CONNECTION_ID });
    });

    it('$default answers not_implemented for an authorized connection', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof DefaultEntry>('default', { ...BASE_ENV });
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand).resolves({ Item: item(authorizedRecord(CONNECTION_ID)) });

      const result = await entry.handler(messageEvent('{"action":"subscribe"}', { routeKey: '$default' }), context);

      expect(JSON.parse(result.body ?? '')).toEqual(expect.objectContaining({ code: 'not_implemented' }));
    });
  });

  describe('authorize', () => {
    it('authorizes a pending connection with the verifier built from JWT_*', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof AuthorizeEntry>('authorize', { ...BASE_ENV, ...jwtEnv, ...LIMIT_ENV, CALLBACK_URL, INBOX_TABLE_NAME });
      const exp = nowSeconds() + 600;
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand).resolves({ Item: item(pendingRecord(CONNECTION_ID)) });
      mocks.dynamo.on(sdk.dynamodb.QueryCommand).resolves({ Items: [] });
      mocks.dynamo.on(sdk.dynamodb.UpdateItemCommand).resolves({ Attributes: item(authorizedRecord(CONNECTION_ID, { userId: 'u1', expiresAt: exp })) });
      mocks.dynamo.on(sdk.dynamodb.PutItemCommand).resolves({});

      const result = await entry.handler(messageEvent(JSON.stringify({ action: 'authorize', token: await keys.sign({ sub: 'u1', exp }) })), context);

      expect(JSON.parse(result.body ?? '')).toEqual({ type: 'authorized', userId: 'u1', expiresAt: exp, connectionId: CONNECTION_ID });
      expect(mocks.dynamo.commandCalls(sdk.dynamodb.PutItemCommand)[0]?.args[0].input.TableName).toBe(INBOX_TABLE_NAME);
    });

    it('posts through a Management API client for CALLBACK_URL', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof AuthorizeEntry>('authorize', { ...BASE_ENV, ...jwtEnv, ...LIMIT_ENV, CALLBACK_URL, INBOX_TABLE_NAME });
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand).resolves({ Item: item(pendingRecord(CONNECTION_ID)) });
      mocks.dynamo.on(sdk.dynamodb.UpdateItemCommand).resolves({ Attributes: { failedAttempts: { N: '3' } } });
      mocks.management.on(sdk.management.PostToConnectionCommand).resolves({});
      mocks.management.on(sdk.management.DeleteConnectionCommand).resolves({});

      await expect(entry.handler(messageEvent('{"action":"authorize","token":"x"}'), context)).resolves.toEqual({ statusCode: 200 });

      const [post] = mocks.management.commandCalls(sdk.management.PostToConnectionCommand);
      const client = post?.thisValue as InstanceType<typeof sdk.management.ApiGatewayManagementApiClient>;
      const endpoint = await client.config.endpoint?.();
      expect(`${endpoint?.protocol}//${endpoint?.hostname}${endpoint?.path}`).toBe(CALLBACK_URL);
    });

    it('fails at load without CALLBACK_URL', () => {
      expect(() => loadEntry<typeof AuthorizeEntry>('authorize', { ...BASE_ENV, ...jwtEnv, ...LIMIT_ENV, INBOX_TABLE_NAME })).toThrow('CALLBACK_URL');
    });

    it('fails at load without MAX_CONNECTIONS_PER_USER', () => {
      const { MAX_CONNECTIONS_PER_USER: _omitted, ...limitEnv } = LIMIT_ENV;

      expect(() => loadEntry<typeof AuthorizeEntry>('authorize', { ...BASE_ENV, ...jwtEnv, ...limitEnv, CALLBACK_URL, INBOX_TABLE_NAME })).toThrow('MAX_CONNECTIONS_PER_USER');
    });

    it('fails at load without INBOX_TABLE_NAME', () => {
      expect(() => loadEntry<typeof AuthorizeEntry>('authorize', { ...BASE_ENV, ...jwtEnv, ...LIMIT_ENV, CALLBACK_URL })).toThrow('INBOX_TABLE_NAME');
    });
  });

  describe('resume', () => {
    const resumeEnv = { ...BASE_ENV, INBOX_TABLE_NAME, INBOX_RETENTION_SECONDS: '3600', CALLBACK_URL };

    it('replays from INBOX_TABLE_NAME through a Management API client for CALLBACK_URL, then answers resumed', async () => {
      // Prepare: an authorized connection; one notification stored a minute ago, one past the retention of INBOX_RETENTION_SECONDS.
      const { entry, sdk, mocks } = loadEntry<typeof ResumeEntry>('resume', resumeEnv);
      const now = Date.now();
      const notification = (seq: number, storedAt: number) => ({
        userId: { S: '1234' },
        sk: { S: `n#${String(seq).padStart(16, '0')}` },
        seq: { N: String(seq) },
        id: { S: `n${seq}` },
        data: { S: '"hi"' },
        storedAt: { N: String(storedAt) },
      });
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand, { TableName: BASE_ENV.CONNECTIONS_TABLE_NAME }).resolves({ Item: item(authorizedRecord(CONNECTION_ID)) });
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand, { TableName: INBOX_TABLE_NAME }).resolves({ Item: { userId: { S: '1234' }, sk: { S: 'h' }, latest: { N: '2' } } });
      mocks.dynamo.on(sdk.dynamodb.QueryCommand, { TableName: INBOX_TABLE_NAME }).resolves({ Items: [notification(1, now - 3_600_000), notification(2, now - 60_000)] });
      mocks.management.on(sdk.management.PostToConnectionCommand).resolves({});

      // Act
      const result = await entry.handler(messageEvent('{"action":"resume","after":0}', { routeKey: 'resume' }), context);

      // Assess
      expect(JSON.parse(result.body ?? '')).toEqual({ type: 'resumed', after: 0, latest: 2, count: 1, more: false, truncated: true });
      const [post] = mocks.management.commandCalls(sdk.management.PostToConnectionCommand);
      expect(Buffer.from(post?.args[0].input.Data as Uint8Array).toString('utf8')).toBe('{"type":"notification","id":"n2","seq":2,"data":"hi","replayed":true}');
      const client = post?.thisValue as InstanceType<typeof sdk.management.ApiGatewayManagementApiClient>;
      const endpoint = await client.config.endpoint?.();
      expect(`${endpoint?.protocol}//${endpoint?.hostname}${endpoint?.path}`).toBe(CALLBACK_URL);
    });

    it.each(['CONNECTIONS_TABLE_NAME', 'INBOX_TABLE_NAME', 'INBOX_RETENTION_SECONDS', 'CALLBACK_URL'] as const)('fails at load without %s', (variable) => {
      const env: Record<string, string> = { ...resumeEnv };
      delete env[variable];

      expect(thrown(() => loadEntry<typeof ResumeEntry>('resume', env))).toEqual(expect.objectContaining({ name: 'ConfigurationError', variable }));
    });
  });

  describe('queue consumers', () => {
    const batch = (body: unknown): SQSEvent => sqsEvent([sqsRecord(JSON.stringify(body))]);

    it('authorize-deadline closes a pending connection', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof AuthorizeDeadlineEntry>('authorize-deadline', {
        ...BASE_ENV,
        CALLBACK_URL,
        DEAD_LETTER_QUEUE_URL: QUEUE('AuthorizeDeadlineDlq'),
      });
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand).resolves({ Item: item(pendingRecord('c1')) });
      mocks.management.on(sdk.management.PostToConnectionCommand).resolves({});
      mocks.management.on(sdk.management.DeleteConnectionCommand).resolves({});

      await expect(entry.handler(batch({ connectionId: 'c1' }), context)).resolves.toEqual({ batchItemFailures: [] });
      expect(mocks.management.commandCalls(sdk.management.DeleteConnectionCommand)).toHaveLength(1);
    });

    it('notify-user stores in INBOX_TABLE_NAME (INBOX_ID_INDEX_NAME, INBOX_RETENTION_SECONDS), then fans out to NOTIFY_CONNECTION_QUEUE_URL through CONNECTIONS_USER_INDEX_NAME', async () => {
      // Prepare: an empty inbox, one connection in the user index.
      const { entry, sdk, mocks } = loadEntry<typeof NotifyUserEntry>('notify-user', {
        ...BASE_ENV,
        ...INBOX_ENV,
        INBOX_ID_INDEX_NAME: 'idIndex',
        CONNECTIONS_USER_INDEX_NAME: 'userIndex',
        NOTIFY_CONNECTION_QUEUE_URL: QUEUE('NotifyConnection'),
        DEAD_LETTER_QUEUE_URL: QUEUE('NotifyUserDlq'),
      });
      mocks.dynamo.on(sdk.dynamodb.QueryCommand).resolves({ Items: [] });
      mocks.dynamo.on(sdk.dynamodb.QueryCommand, { IndexName: 'userIndex' }).resolves({ Items: [indexItem('c1', 'u1', nowSeconds() + 60, nowSeconds() + 8000)] });
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand).resolves({});
      mocks.dynamo.on(sdk.dynamodb.PutItemCommand).resolves({});
      mocks.dynamo.on(sdk.dynamodb.UpdateItemCommand).resolves({});
      mocks.sqs.on(sdk.sqs.SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

      // Act
      await expect(entry.handler(batch({ userId: 'u1', data: 1, id: 'n1' }), context)).resolves.toEqual({ batchItemFailures: [] });

      // Assess
      const queries = mocks.dynamo.commandCalls(sdk.dynamodb.QueryCommand).map((call) => call.args[0].input);
      expect(queries.filter((input) => input.IndexName === 'idIndex').map((input) => input.TableName)).toEqual([INBOX_TABLE_NAME, INBOX_TABLE_NAME]);
      expect(queries.filter((input) => input.IndexName === 'userIndex').map((input) => input.TableName)).toEqual([BASE_ENV.CONNECTIONS_TABLE_NAME]);
      const [put] = mocks.dynamo.commandCalls(sdk.dynamodb.PutItemCommand).map((call) => call.args[0].input);
      expect(put?.TableName).toBe(INBOX_TABLE_NAME);
      expect(Number(put?.Item?.ttl?.N) - Math.ceil(Number(put?.Item?.storedAt?.N) / 1000)).toBe(3600);
      const [sent] = mocks.sqs.commandCalls(sdk.sqs.SendMessageBatchCommand).map((call) => call.args[0].input);
      expect(sent?.QueueUrl).toBe(QUEUE('NotifyConnection'));
      expect(JSON.parse(sent?.Entries?.[0]?.MessageBody ?? '')).toEqual({ connectionId: 'c1', data: 1, id: 'n1', seq: 1 });
    });

    it.each([
      ['missing', undefined],
      ['0', '0'],
      ['not a number', 'a day'],
      ['over 365 days', String(365 * 86_400 + 1)],
    ])('notify-user fails at load when INBOX_RETENTION_SECONDS is %s', (_label, value) => {
      const { INBOX_RETENTION_SECONDS: _omitted, ...inbox } = INBOX_ENV;
      const env = {
        ...BASE_ENV,
        ...inbox,
        ...(value === undefined ? {} : { INBOX_RETENTION_SECONDS: value }),
        CONNECTIONS_USER_INDEX_NAME: 'byUser',
        NOTIFY_CONNECTION_QUEUE_URL: QUEUE('NotifyConnection'),
        DEAD_LETTER_QUEUE_URL: QUEUE('NotifyUserDlq'),
      };

      const error = thrown(() => loadEntry<typeof NotifyUserEntry>('notify-user', env));

      expect(error).toEqual(expect.objectContaining({ name: 'ConfigurationError', variable: 'INBOX_RETENTION_SECONDS' }));
    });

    it('notify-connection sends poison to DEAD_LETTER_QUEUE_URL', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof NotifyConnectionEntry>('notify-connection', {
        ...BASE_ENV,
        CALLBACK_URL,
        DEAD_LETTER_QUEUE_URL: QUEUE('NotifyConnectionDlq'),
      });
      mocks.sqs.on(sdk.sqs.SendMessageCommand).resolves({ MessageId: 'd' });

      await expect(entry.handler(sqsEvent([sqsRecord('not json')]), context)).resolves.toEqual({ batchItemFailures: [] });
      expect(mocks.sqs.commandCalls(sdk.sqs.SendMessageCommand)[0]?.args[0].input.QueueUrl).toBe(QUEUE('NotifyConnectionDlq'));
    });

    it('notify-connection delivers to an authorized connection', async () => {
      const { entry, sdk, mocks } = loadEntry<typeof NotifyConnectionEntry>('notify-connection', {
        ...BASE_ENV,
        CALLBACK_URL,
        DEAD_LETTER_QUEUE_URL: QUEUE('NotifyConnectionDlq'),
      });
      mocks.dynamo.on(sdk.dynamodb.GetItemCommand).resolves({ Item: item(authorizedRecord('c1')) });
      mocks.management.on(sdk.management.PostToConnectionCommand).resolves({});

      await expect(entry.handler(batch({ connectionId: 'c1', data: 'hi', id: 'n1' }), context)).resolves.toEqual({ batchItemFailures: [] });
      expect(mocks.management.commandCalls(sdk.management.PostToConnectionCommand)).toHaveLength(1);
    });

    it.each([
      ['notify-user' as const],
      ['notify-connection' as const],
      ['authorize-deadline' as const],
    ])('%s fails at load without DEAD_LETTER_QUEUE_URL', (name) => {
      const error = thrown(() => loadEntry(name, {
        ...BASE_ENV,
        ...INBOX_ENV,
        CALLBACK_URL,
        CONNECTIONS_USER_INDEX_NAME: 'byUser',
        NOTIFY_CONNECTION_QUEUE_URL: QUEUE('NotifyConnection'),
      }));

      expect(error).toEqual(expect.objectContaining({ name: 'ConfigurationError', variable: 'DEAD_LETTER_QUEUE_URL' }));
    });
  });
});
