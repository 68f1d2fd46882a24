import { GetConnectionCommand, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { handleConnect, isOriginRefused, type ConnectDependencies } from '../../../src/handlers/connect';
import {
  connectionStore,
  DEADLINE_QUEUE_URL,
  dynamo,
  gatewayClient,
  management,
  NO_SIDE_EFFECTS,
  queueClient,
  resetMocks,
  sideEffectCalls,
  sqs,
  TABLE_NAME,
} from '../helpers/aws';
import { AUTHORIZED_CONNECTION_ID, AUTHORIZED_CONTEXT, authorizedConnectEvent, CONNECTED_AT, CONNECTION_ID, connectEvent } from '../helpers/events';
import { inboxPuts, inboxStore, INBOX_TABLE_NAME } from '../helpers/inbox';
import { captureLogs, silentLogger } from '../helpers/logs';
import { counts, storedMetrics, testMetrics } from '../helpers/metrics';
import { indexItem } from '../helpers/records';

const NOW = CONNECTED_AT + 12;
const clock = (): number => NOW;
const TTL = Math.floor(CONNECTED_AT / 1000) + 2 * 3600 + 15 * 60;

function authorizerMode(overrides: Partial<ConnectDependencies['config']> = {}): ConnectDependencies {
  return {
    connections: connectionStore(),
    inbox: inboxStore(),
    config: { authMode: 'authorizer', allowedOrigins: [], ...overrides },
    logger: silentLogger(),
    metrics: testMetrics(),
    clock,
  };
}

function actionMode(overrides: Partial<ConnectDependencies['config']> = {}): ConnectDependencies {
  return {
    connections: connectionStore(),
    deadlineQueue: queueClient(DEADLINE_QUEUE_URL),
    config: { authMode: 'action', allowedOrigins: [], authorizeDeadlineSeconds: 30, ...overrides },
    logger: silentLogger(),
    metrics: testMetrics(),
    clock,
  };
}

describe('Function: handleConnect', () => {
  afterEach(() => {
    resetMocks();
  });

  describe('mode authorizer, with the per-user connection limit', () => {
    const limited = (): ConnectDependencies => ({ ...authorizerMode({ maxConnectionsPerUser: 2 }), gateway: gatewayClient() });
    const userConnections = (...ids: string[]) => ({
      Items: ids.map((id) => indexItem(id, '1234', Math.floor(NOW / 1000) + 600, Math.floor(NOW / 1000) + 8000)),
    });

    beforeEach(() => {
      dynamo.on(PutItemCommand).resolves({});
      dynamo.on(DeleteItemCommand).resolves({});
      management.on(GetConnectionCommand).resolves({});
    });

    it('refuses the handshake with 429 and writes nothing when the user holds the maximum', async () => {
      dynamo.on(QueryCommand).resolves(userConnections('c1', 'c2'));

      await expect(handleConnect(authorizedConnectEvent(), limited())).resolves.toEqual({ statusCode: 429 });
      expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
    });

    it('accepts the handshake under the maximum', async () => {
      dynamo.on(QueryCommand).resolves(userConnections('c1'));

      await expect(handleConnect(authorizedConnectEvent(), limited())).resolves.toEqual({ statusCode: 200 });
      expect(dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.TableName)).toEqual([TABLE_NAME, INBOX_TABLE_NAME]);
    });

    it('accepts the handshake when a counted connection turns out to be gone, and deletes its record', async () => {
      dynamo.on(QueryCommand).resolves(userConnections('c1', 'stale'));
      management.on(GetConnectionCommand, { ConnectionId: 'stale' }).rejects(new GoneException({ message: 'Gone', $metadata: {} }));

      await expect(handleConnect(authorizedConnectEvent(), limited())).resolves.toEqual({ statusCode: 200 });
      expect(dynamo.commandCalls(DeleteItemCommand).map((call) => call.args[0].input.Key)).toEqual([{ connectionId: { S: 'stale' } }]);
      expect(dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.TableName)).toEqual([TABLE_NAME, INBOX_TABLE_NAME]);
    });

    it('fails the handshake (500) when a limit is configured without the Management API', async () => {
      await expect(handleConnect(authorizedConnectEvent(), authorizerMode({ maxConnectionsPerUser: 2 }))).resolves.toEqual({ statusCode: 500 });
    });
  });

  describe('mode authorizer', () => {
    it('writes an authorized record from the authorizer context', async () => {
      // Prepare
      dynamo.on(PutItemCommand).resolves({});

      // Act
      const result = await handleConnect(authorizedConnectEvent(), authorizerMode());

      // Assess
      expect(result).toEqual({ statusCode: 200 });
      expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE_NAME,
        Item: {
          connectionId: { S: AUTHORIZED_CONNECTION_ID },
          state: { S: 'authorized' },
          authMode: { S: 'authorizer' },
          userId: { S: '1234' },
          connectedAt: { N: String(CONNECTED_AT) },
          authorizedAt: { N: String(NOW) },
          expiresAt: { N: String(AUTHORIZED_CONTEXT.expiresAt) },
          failedAttempts: { N: '0' },
          ttl: { N: String(TTL) },
        },
      });
      expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    });

    it('decodes context values that arrive as strings', async () => {
      dynamo.on(PutItemCommand).resolves({});

      const result = await handleConnect(
        authorizedConnectEvent({ userId: '1234', expiresAt: String(AUTHORIZED_CONTEXT.expiresAt), principalId: '1234', integrationLatency: '42' }),
        authorizerMode(),
      );

      expect(result).toEqual({ statusCode: 200 });
      expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.expiresAt).toEqual({ N: String(AUTHORIZED_CONTEXT.expiresAt) });
    });

    it.each([
      ['absent', null],
      ['without userId', { expiresAt: 1765624667 }],
      ['with a non-numeric expiresAt', { userId: '1234', expiresAt: 'soon' }],
    ])('refuses with 500 and writes nothing when the authorizer context is %s', async (_label, authorizer) => {
      const result = await handleConnect(authorizedConnectEvent(authorizer), authorizerMode());

      expect(result).toEqual({ statusCode: 500 });
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });

    it('answers 500 when the record cannot be written, and writes no recent-connection pointer', async () => {
      dynamo.on(PutItemCommand).rejects(new Error('down'));

      await expect(handleConnect(authorizedConnectEvent(), authorizerMode())).resolves.toEqual({ statusCode: 500 });
      expect(dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.TableName)).toEqual([TABLE_NAME]);
    });

    describe('the recent-connection pointer', () => {
      it('is written in the user’s inbox after the record, read for 300 s at most', async () => {
        // Prepare
        const order: string[] = [];
        dynamo.on(PutItemCommand).callsFake((input: { TableName: string }) => {
          order.push(input.TableName);
          return {};
        });

        // Act
        const result = await handleConnect(authorizedConnectEvent(), authorizerMode());

        // Assess
        expect(result).toEqual({ statusCode: 200 });
        expect(order).toEqual([TABLE_NAME, INBOX_TABLE_NAME]);
        const expiresAt = Math.min(AUTHORIZED_CONTEXT.expiresAt, Math.floor(NOW / 1000) + 300);
        expect(inboxPuts()).toEqual([
          {
            userId: { S: '1234' },
            sk: { S: `c#${AUTHORIZED_CONNECTION_ID}` },
            connectionId: { S: AUTHORIZED_CONNECTION_ID },
            expiresAt: { N: String(expiresAt) },
            ttl: { N: String(expiresAt) },
          },
        ]);
      });

      it('fails the handshake and deletes the record again when it cannot be written', async () => {
        // Prepare
        dynamo.on(PutItemCommand, { TableName: TABLE_NAME }).resolves({});
        dynamo.on(PutItemCommand, { TableName: INBOX_TABLE_NAME }).rejects(new Error('inbox down'));
        dynamo.on(DeleteItemCommand).resolves({});
        const logs = captureLogs();

        try {
          // Act
          const result = await handleConnect(authorizedConnectEvent(), { ...authorizerMode(), logger: logs.logger });

          // Assess
          expect(result).toEqual({ statusCode: 500 });
          expect(dynamo.commandCalls(DeleteItemCommand).map((call) => call.args[0].input)).toEqual([
            { TableName: TABLE_NAME, Key: { connectionId: { S: AUTHORIZED_CONNECTION_ID } } },
          ]);
          expect(logs.entries()).toEqual([
            expect.objectContaining({ message: 'Connection refused: the recent-connection pointer could not be written', connectionId: AUTHORIZED_CONNECTION_ID }),
          ]);
        } finally {
          logs.restore();
        }
      });

      it('still fails the handshake when the record cannot be deleted either (it expires with its ttl)', async () => {
        dynamo.on(PutItemCommand, { TableName: TABLE_NAME }).resolves({});
        dynamo.on(PutItemCommand, { TableName: INBOX_TABLE_NAME }).rejects(new Error('inbox down'));
        dynamo.on(DeleteItemCommand).rejects(new Error('table down'));

        await expect(handleConnect(authorizedConnectEvent(), authorizerMode())).resolves.toEqual({ statusCode: 500 });
        expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
      });

      it('answers 500 and writes nothing when the inbox is missing (misconfiguration)', async () => {
        const { inbox: _omitted, ...deps } = authorizerMode();

        await expect(handleConnect(authorizedConnectEvent(), deps)).resolves.toEqual({ statusCode: 500 });
        expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
      });
    });
  });

  describe('mode action', () => {
    it('schedules the authorize deadline, then writes a pending record', async () => {
      // Prepare: record the order of the two calls.
      const order: string[] = [];
      sqs.on(SendMessageCommand).callsFake(() => {
        order.push('deadline');
        return { MessageId: 'm-1' };
      });
      dynamo.on(PutItemCommand).callsFake(() => {
        order.push('record');
        return {};
      });

      // Act
      const result = await handleConnect(connectEvent(), actionMode({ authorizeDeadlineSeconds: 45 }));

      // Assess
      expect(result).toEqual({ statusCode: 200 });
      expect(order).toEqual(['deadline', 'record']);
      expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
        QueueUrl: DEADLINE_QUEUE_URL,
        MessageBody: JSON.stringify({ connectionId: CONNECTION_ID }),
        DelaySeconds: 45,
      });
      expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item).toEqual({
        connectionId: { S: CONNECTION_ID },
        state: { S: 'pending' },
        authMode: { S: 'action' },
        connectedAt: { N: String(CONNECTED_AT) },
        failedAttempts: { N: '0' },
        ttl: { N: String(TTL) },
      });
    });

    it('writes no recent-connection pointer (the connection is not authorized yet)', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      dynamo.on(PutItemCommand).resolves({});

      await expect(handleConnect(connectEvent(), { ...actionMode(), inbox: inboxStore() })).resolves.toEqual({ statusCode: 200 });
      expect(dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.TableName)).toEqual([TABLE_NAME]);
    });

    it('writes no record when the deadline cannot be scheduled (the handshake fails)', async () => {
      sqs.on(SendMessageCommand).rejects(new Error('queue down'));

      const result = await handleConnect(connectEvent(), actionMode());

      expect(result).toEqual({ statusCode: 500 });
      expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
    });

    it('uses the clock when the event has no connectedAt', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      dynamo.on(PutItemCommand).resolves({});
      const event = connectEvent();
      delete (event.requestContext as { connectedAt?: number }).connectedAt;

      await handleConnect(event, actionMode());

      expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.connectedAt).toEqual({ N: String(NOW) });
    });

    it('answers 500 when it is missing its deadline queue (misconfiguration)', async () => {
      const { deadlineQueue: _omitted, ...deps } = actionMode();

      await expect(handleConnect(connectEvent(), deps)).resolves.toEqual({ statusCode: 500 });
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });
  });

  describe('allowed origins', () => {
    const allowedOrigins = ['https://app.example.com', 'https://admin.example.com'];

    it('refuses an Origin that is not listed with 403 and writes or sends nothing', async () => {
      const logs = captureLogs();
      try {
        const result = await handleConnect(
          connectEvent({ headers: { Host: 'h', origin: 'https://evil.example.com' } }),
          { ...actionMode({ allowedOrigins }), logger: logs.logger },
        );

        expect(result).toEqual({ statusCode: 403 });
        expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
        expect(logs.entries()).toEqual([expect.objectContaining({ message: 'Connection refused: origin not allowed', origin: 'https://evil.example.com' })]);
      } finally {
        logs.restore();
      }
    });

    it('refuses in mode authorizer too', async () => {
      const event = authorizedConnectEvent();
      (event as { headers: Record<string, string> }).headers = { Origin: 'https://evil.example.com' };

      await expect(handleConnect(event, authorizerMode({ allowedOrigins }))).resolves.toEqual({ statusCode: 403 });
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });

    it('accepts a listed Origin', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      dynamo.on(PutItemCommand).resolves({});

      await expect(handleConnect(connectEvent(), actionMode({ allowedOrigins }))).resolves.toEqual({ statusCode: 200 });
    });

    it('accepts a handshake without Origin header (not a browser)', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      dynamo.on(PutItemCommand).resolves({});

      await expect(handleConnect(connectEvent({ headers: { Host: 'h' } }), actionMode({ allowedOrigins }))).resolves.toEqual({ statusCode: 200 });
    });
  });
});

describe('Function: handleConnect, metrics', () => {
  afterEach(() => {
    resetMocks();
  });

  it.each([
    ['authorizer', authorizerMode],
    ['action', actionMode],
  ] as const)('mode %s: counts an accepted handshake in ConnectionsOpened, under the service and the stage only', async (modeName, mode) => {
    // Prepare
    dynamo.on(PutItemCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const deps = mode();

    // Act
    const result = await handleConnect(modeName === 'authorizer' ? authorizedConnectEvent() : connectEvent(), deps);

    // Assess
    expect(result).toEqual({ statusCode: 200 });
    const stored = storedMetrics(deps.metrics);
    expect(stored.values).toEqual({ ConnectionsOpened: [1] });
    expect(stored.dimensionSets).toEqual([['service', 'stage']]);
    expect(stored.dimensions).toEqual({ service: 'ws-notify', stage: 'test' });
  });

  it('counts a handshake from an origin not allowed as forbidden_origin', async () => {
    // Prepare
    const deps = actionMode({ allowedOrigins: ['https://app.example.com'] });

    // Act
    await handleConnect(connectEvent({ headers: { Origin: 'https://evil.example.com' } }), deps);

    // Assess
    expect(counts(deps.metrics)).toEqual({ HandshakesRefused: 1 });
    expect(storedMetrics(deps.metrics).dimensions).toEqual({ service: 'ws-notify', stage: 'test', reason: 'forbidden_origin' });
  });

  it('counts a handshake over the connection limit as too_many_connections', async () => {
    // Prepare
    const deps: ConnectDependencies = { ...authorizerMode({ maxConnectionsPerUser: 1 }), gateway: gatewayClient() };
    dynamo.on(QueryCommand).resolves({ Items: [indexItem('c1', '1234', Math.floor(NOW / 1000) + 600, Math.floor(NOW / 1000) + 8000)] });
    management.on(GetConnectionCommand).resolves({});

    // Act
    await expect(handleConnect(authorizedConnectEvent(), deps)).resolves.toEqual({ statusCode: 429 });

    // Assess
    expect(counts(deps.metrics)).toEqual({ HandshakesRefused: 1 });
    expect(storedMetrics(deps.metrics).dimensions.reason).toBe('too_many_connections');
  });

  it('counts a failed handshake (500) as error, and no connection opened', async () => {
    // Prepare
    const deps = authorizerMode();
    dynamo.on(PutItemCommand).rejects(new Error('down'));

    // Act
    await expect(handleConnect(authorizedConnectEvent(), deps)).resolves.toEqual({ statusCode: 500 });

    // Assess
    expect(counts(deps.metrics)).toEqual({ HandshakesRefused: 1 });
    expect(storedMetrics(deps.metrics).dimensions.reason).toBe('error');
  });
});

describe('Function: isOriginRefused', () => {
  it('accepts everything when no origins are configured', () => {
    expect(isOriginRefused('https://any.example.com', [])).toBe(false);
  });

  it('compares whole origins exactly', () => {
    expect(isOriginRefused('https://app.example.com', ['https://app.example.com'])).toBe(false);
    expect(isOriginRefused('https://app.example.com.evil.com', ['https://app.example.com'])).toBe(true);
    expect(isOriginRefused('http://app.example.com', ['https://app.example.com'])).toBe(true);
    expect(isOriginRefused(undefined, ['https://app.example.com'])).toBe(false);
  });
});
