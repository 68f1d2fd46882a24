import { DeleteConnectionCommand, GetConnectionCommand, GoneException, LimitExceededException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { KeyUnavailableError } from '../../../src/commons/errors';
import type { TokenVerifier } from '../../../src/commons/jwt-verifier';
import { handleAuthorize, type AuthorizeDependencies } from '../../../src/handlers/authorize';
import { connectionStore, dynamo, gatewayClient, management, postedFrames, replyOf, resetMocks, sideEffectCalls } from '../helpers/aws';
import { CONNECTION_ID, messageEvent } from '../helpers/events';
import { inboxPuts, inboxStore, INBOX_TABLE_NAME } from '../helpers/inbox';
import { captureLogs, silentLogger } from '../helpers/logs';
import { authorizedRecord, indexItem, item, pendingRecord } from '../helpers/records';
import { createTestKeys, nowSeconds, type TestKeys } from '../helpers/tokens';
import { anyString, like } from '../helpers/matchers';

const COUNTER = 'ADD #failedAttempts :one';
const counterCalls = () => dynamo.commandCalls(UpdateItemCommand).filter((call) => call.args[0].input.UpdateExpression === COUNTER);
const authorizeCalls = () => dynamo.commandCalls(UpdateItemCommand).filter((call) => call.args[0].input.UpdateExpression?.startsWith('SET'));

/** The table answers UpdateItem like DynamoDB would: the counter returns `count`, the authorize update the new record. */
function givenTable(options: { record: ReturnType<typeof pendingRecord> | undefined; count?: number }): void {
  dynamo.on(GetItemCommand).resolves(options.record === undefined ? {} : { Item: item(options.record) });
  dynamo.on(UpdateItemCommand).callsFake((input: { UpdateExpression?: string; ExpressionAttributeValues?: Record<string, { S?: string; N?: string }> }) => {
    if (input.UpdateExpression === COUNTER) return { Attributes: { failedAttempts: { N: String(options.count ?? 1) } } };
    const values = input.ExpressionAttributeValues ?? {};
    return {
      Attributes: item(
        authorizedRecord(CONNECTION_ID, { userId: values[':userId']?.S ?? '', expiresAt: Number(values[':expiresAt']?.N) }),
      ),
    };
  });
}

const NOW = Date.now();

describe('Function: handleAuthorize', () => {
  let keys: TestKeys;
  let deps: AuthorizeDependencies;

  beforeAll(async () => {
    keys = await createTestKeys();
  });

  beforeEach(() => {
    deps = { connections: connectionStore(), inbox: inboxStore(), gateway: gatewayClient(), verifier: keys.verifier, logger: silentLogger(), clock: () => NOW };
    dynamo.on(PutItemCommand, { TableName: INBOX_TABLE_NAME }).resolves({});
    management.on(PostToConnectionCommand).resolves({});
    management.on(DeleteConnectionCommand).resolves({});
  });

  afterEach(() => {
    resetMocks();
  });

  const authorize = (body: string) => handleAuthorize(messageEvent(body, { routeKey: 'authorize' }), deps);
  const authorizeWith = async (claims: Parameters<TestKeys['sign']>[0] = {}) =>
    authorize(JSON.stringify({ action: 'authorize', token: await keys.sign(claims) }));

  describe('success', () => {
    it('authorizes a pending connection and answers with user, expiry and connection id', async () => {
      // Prepare
      givenTable({ record: pendingRecord(CONNECTION_ID) });
      const exp = nowSeconds() + 900;

      // Act
      const result = await authorizeWith({ sub: '1234', exp });

      // Assess
      expect(result).toEqual({
        statusCode: 200,
        body: JSON.stringify({ type: 'authorized', userId: '1234', expiresAt: exp, connectionId: CONNECTION_ID }),
      });
      const [update] = authorizeCalls();
      expect(update?.args[0].input.ConditionExpression).toContain('attribute_exists(#connectionId)');
      expect(update?.args[0].input.UpdateExpression).toContain('#failedAttempts = :zero');
      expect(counterCalls()).toHaveLength(0);
    });

    it('renews an authorized connection with a token of the same user (resetting failedAttempts)', async () => {
      givenTable({ record: authorizedRecord(CONNECTION_ID, { userId: '1234', failedAttempts: 2 }) });
      const exp = nowSeconds() + 7200;

      expect(replyOf(await authorizeWith({ sub: '1234', exp }))).toEqual({ type: 'authorized', userId: '1234', expiresAt: exp, connectionId: CONNECTION_ID });
      expect(authorizeCalls()[0]?.args[0].input.ExpressionAttributeValues?.[':zero']).toEqual({ N: '0' });
    });

    it('renews a connection whose token has already expired', async () => {
      givenTable({ record: authorizedRecord(CONNECTION_ID, { userId: '1234', expiresAt: nowSeconds() - 60 }) });

      expect(replyOf(await authorizeWith({ sub: '1234' }))).toEqual(expect.objectContaining({ type: 'authorized', userId: '1234' }));
    });

    describe('the recent-connection pointer', () => {
      it('is written in the user’s inbox after the record, read for 300 s at most', async () => {
        // Prepare
        givenTable({ record: pendingRecord(CONNECTION_ID) });
        const order: string[] = [];
        dynamo.on(UpdateItemCommand).callsFake((input: { ExpressionAttributeValues: Record<string, { S?: string; N?: string }> }) => {
          order.push('record');
          const values = input.ExpressionAttributeValues;
          return { Attributes: item(authorizedRecord(CONNECTION_ID, { userId: values[':userId']?.S ?? '', expiresAt: Number(values[':expiresAt']?.N) })) };
        });
        dynamo.on(PutItemCommand, { TableName: INBOX_TABLE_NAME }).callsFake(() => {
          order.push('pointer');
          return {};
        });

        // Act
        const reply = replyOf(await authorizeWith({ sub: '1234', exp: nowSeconds() + 3600 }));

        // Assess
        expect(reply).toEqual(expect.objectContaining({ type: 'authorized' }));
        expect(order).toEqual(['record', 'pointer']);
        const expiresAt = Math.floor(NOW / 1000) + 300;
        expect(inboxPuts()).toEqual([
          { userId: { S: '1234' }, sk: { S: `c#${CONNECTION_ID}` }, connectionId: { S: CONNECTION_ID }, expiresAt: { N: String(expiresAt) }, ttl: { N: String(expiresAt) } },
        ]);
      });

      it('is written on a renewal too, never read past the new token’s expiry', async () => {
        // Prepare: the token had expired; the user index may still show the old expiry for a moment.
        givenTable({ record: authorizedRecord(CONNECTION_ID, { userId: '1234', expiresAt: nowSeconds() - 60 }) });
        const exp = Math.floor(NOW / 1000) + 120;

        // Act
        replyOf(await authorizeWith({ sub: '1234', exp }));

        // Assess
        expect(inboxPuts().map((pointer) => pointer.expiresAt)).toEqual([{ N: String(exp) }]);
      });

      it('answers internal_error when it cannot be written (the client authorizes again)', async () => {
        givenTable({ record: pendingRecord(CONNECTION_ID) });
        dynamo.on(PutItemCommand, { TableName: INBOX_TABLE_NAME }).rejects(new Error('inbox down'));

        expect(replyOf(await authorizeWith({ sub: '1234' }))).toEqual({ type: 'error', code: 'internal_error', message: 'Internal error: try again later.' });
        expect(authorizeCalls()).toHaveLength(1);
        expect(counterCalls()).toHaveLength(0);
      });

      it('is not written for a failed attempt', async () => {
        givenTable({ record: pendingRecord(CONNECTION_ID), count: 1 });

        await authorizeWith({ exp: nowSeconds() - 3600 });

        expect(inboxPuts()).toHaveLength(0);
      });
    });

    it('never logs the token', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID) });
      const token = await keys.sign();
      const logs = captureLogs();
      try {
        await handleAuthorize(messageEvent(JSON.stringify({ action: 'authorize', token }), { routeKey: 'authorize' }), { ...deps, logger: logs.logger });
        await handleAuthorize(messageEvent(JSON.stringify({ action: 'authorize', token: `${token}x` }), { routeKey: 'authorize' }), {
          ...deps,
          logger: logs.logger,
        });

        expect(logs.lines.length).toBeGreaterThanOrEqual(2);
        expect(logs.lines.join('\n')).not.toContain(token.slice(0, 40));
      } finally {
        logs.restore();
      }
    });
  });

  describe('the per-user connection limit', () => {
    const atTheLimit = () =>
      dynamo.on(QueryCommand).resolves({
        Items: ['c1', 'c2'].map((id) => indexItem(id, '1234', nowSeconds() + 600, nowSeconds() + 8000)),
      });

    beforeEach(() => {
      management.on(GetConnectionCommand).resolves({});
    });

    it('answers too_many_connections when the user holds the maximum: the connection stays pending, no attempt is counted', async () => {
      // Prepare
      givenTable({ record: pendingRecord(CONNECTION_ID) });
      atTheLimit();

      // Act
      const reply = replyOf(await handleAuthorize(messageEvent(JSON.stringify({ action: 'authorize', token: await keys.sign() }), { routeKey: 'authorize' }), { ...deps, maxConnectionsPerUser: 2 }));

      // Assess
      expect(reply).toEqual({ type: 'error', code: 'too_many_connections', message: anyString() });
      expect(authorizeCalls()).toHaveLength(0);
      expect(counterCalls()).toHaveLength(0);
    });

    it('authorizes under the maximum', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID) });
      dynamo.on(QueryCommand).resolves({ Items: [indexItem('c1', '1234', nowSeconds() + 600, nowSeconds() + 8000)] });

      const reply = replyOf(await handleAuthorize(messageEvent(JSON.stringify({ action: 'authorize', token: await keys.sign() }), { routeKey: 'authorize' }), { ...deps, maxConnectionsPerUser: 2 }));

      expect(reply).toEqual(expect.objectContaining({ type: 'authorized', userId: '1234' }));
    });

    it('renews an authorized connection at the maximum without counting (it is one of them)', async () => {
      givenTable({ record: authorizedRecord(CONNECTION_ID, { userId: '1234' }) });
      atTheLimit();

      const reply = replyOf(await handleAuthorize(messageEvent(JSON.stringify({ action: 'authorize', token: await keys.sign() }), { routeKey: 'authorize' }), { ...deps, maxConnectionsPerUser: 2 }));

      expect(reply).toEqual(expect.objectContaining({ type: 'authorized' }));
      expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
    });
  });

  describe('failed attempts', () => {
    it('never answers authorized with an expiresAt in the past: a token that expired 2 s ago is invalid_token', async () => {
      // Prepare
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 1 });

      // Act
      const reply = replyOf(await authorizeWith({ exp: nowSeconds() - 2 }));

      // Assess
      expect(reply).toEqual({ type: 'error', code: 'invalid_token', message: anyString() });
      expect(authorizeCalls()).toHaveLength(0);
    });

    it('answers invalid_token for a token that fails verification and counts the attempt', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 1 });

      expect(replyOf(await authorizeWith({ exp: nowSeconds() - 3600 }))).toEqual({ type: 'error', code: 'invalid_token', message: 'The token was rejected.' });
      expect(counterCalls()).toHaveLength(1);
      expect(authorizeCalls()).toHaveLength(0);
    });

    it.each([
      ['token is missing', '{"action":"authorize"}', 'token must be a string.'],
      ['token is a number', '{"action":"authorize","token":12345}', 'token must be a string.'],
      ['token is null', '{"action":"authorize","token":null}', 'token must be a string.'],
      ['the message is not JSON', '{"action":"authorize",', 'The message is not valid JSON.'],
    ])('answers bad_request when %s, and counts the attempt', async (_label, body, message) => {
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 1 });

      expect(replyOf(await authorize(body))).toEqual({ type: 'error', code: 'bad_request', message });
      expect(counterCalls()).toHaveLength(1);
      expect(authorizeCalls()).toHaveLength(0);
    });

    it('refuses a token of another user on an authorized connection: invalid_token, and the record keeps its owner', async () => {
      givenTable({ record: authorizedRecord(CONNECTION_ID, { userId: 'owner' }), count: 1 });

      const reply = replyOf(await authorizeWith({ sub: 'intruder' }));

      expect(reply).toEqual({ type: 'error', code: 'invalid_token', message: 'The token belongs to another user than this connection.' });
      expect(authorizeCalls()).toHaveLength(0);
      expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
      expect(counterCalls()).toHaveLength(1);
    });

    it('answers the second failure with the error and keeps the connection', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 2 });

      expect(replyOf(await authorize('{"action":"authorize","token":"nope"}'))).toEqual(expect.objectContaining({ code: 'invalid_token' }));
      expect(sideEffectCalls().gateway).toBe(0);
    });

    it('answers the third failure with too_many_attempts through the Management API, disconnects, and returns no body', async () => {
      // Prepare
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 3 });
      const order: string[] = [];
      management.on(PostToConnectionCommand).callsFake(() => {
        order.push('post');
        return {};
      });
      management.on(DeleteConnectionCommand).callsFake(() => {
        order.push('delete');
        return {};
      });

      // Act
      const result = await authorize('{"action":"authorize","token":"nope"}');

      // Assess
      expect(result).toEqual({ statusCode: 200 });
      expect(postedFrames()).toEqual([
        { connectionId: CONNECTION_ID, frame: { type: 'error', code: 'too_many_attempts', message: anyString() } },
      ]);
      expect(order).toEqual(['post', 'delete']);
      expect(management.commandCalls(DeleteConnectionCommand)[0]?.args[0].input).toEqual({ ConnectionId: CONNECTION_ID });
    });

    it('counts bad_request towards the limit too (third failure)', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 3 });

      expect(await authorize('{"action":"authorize"}')).toEqual({ statusCode: 200 });
      expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(1);
    });

    it('counts failed renewals of an authorized connection too', async () => {
      givenTable({ record: authorizedRecord(CONNECTION_ID, { userId: 'owner', failedAttempts: 2 }), count: 3 });

      expect(await authorizeWith({ sub: 'intruder' })).toEqual({ statusCode: 200 });
      expect(postedFrames()).toEqual([expect.objectContaining({ frame: like({ code: 'too_many_attempts' }) })]);
    });

    it('does not try to disconnect a connection that is already gone', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 3 });
      management.on(PostToConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: {} }));

      expect(await authorize('{"action":"authorize","token":"nope"}')).toEqual({ statusCode: 200 });
      expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(0);
    });

    it('still disconnects when the too_many_attempts frame could not be sent', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 3 });
      management.on(PostToConnectionCommand).rejects(new LimitExceededException({ message: 'slow down', $metadata: {} }));

      expect(await authorize('{"action":"authorize","token":"nope"}')).toEqual({ statusCode: 200 });
      expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(1);
    });

    it('treats a DeleteConnection that finds the connection gone as done', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 4 });
      management.on(DeleteConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: {} }));

      expect(await authorize('{"action":"authorize","token":"nope"}')).toEqual({ statusCode: 200 });
    });

    it('answers internal_error when the disconnect fails for another reason', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID), count: 3 });
      management.on(DeleteConnectionCommand).rejects(new LimitExceededException({ message: 'slow down', $metadata: {} }));

      expect(replyOf(await authorize('{"action":"authorize","token":"nope"}'))).toEqual(expect.objectContaining({ code: 'internal_error' }));
    });
  });

  describe('races and missing records', () => {
    it('answers unauthorized and writes nothing when the record does not exist', async () => {
      givenTable({ record: undefined });

      expect(replyOf(await authorizeWith())).toEqual({ type: 'error', code: 'unauthorized', message: 'This connection is not registered: reconnect.' });
      expect(sideEffectCalls()).toEqual({ table: 0, queue: 0, gateway: 0 });
    });

    it('never re-creates a record deleted between the read and the write (conditional update fails)', async () => {
      // Prepare: the read sees a pending record, the disconnect deletes it before the update.
      dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord(CONNECTION_ID)) });
      dynamo.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

      // Act
      const reply = replyOf(await authorizeWith());

      // Assess
      expect(reply).toEqual(expect.objectContaining({ code: 'unauthorized' }));
      expect(authorizeCalls()).toHaveLength(1);
      expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
    });

    it('answers unauthorized when the record disappears before a failed attempt is counted', async () => {
      dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord(CONNECTION_ID)) });
      dynamo.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

      expect(replyOf(await authorize('{"action":"authorize","token":"nope"}'))).toEqual(expect.objectContaining({ code: 'unauthorized' }));
      expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
    });
  });

  describe('infrastructure failures', () => {
    it('answers internal_error without counting an attempt when the keys are unavailable', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID) });
      const verifier: TokenVerifier = { verify: () => Promise.reject(new KeyUnavailableError('verification keys are unavailable')) };

      const reply = replyOf(await handleAuthorize(messageEvent('{"action":"authorize","token":"t"}'), { ...deps, verifier }));

      expect(reply).toEqual({ type: 'error', code: 'internal_error', message: 'Internal error: try again later.' });
      expect(counterCalls()).toHaveLength(0);
    });

    it('answers internal_error when the verifier fails unexpectedly', async () => {
      givenTable({ record: pendingRecord(CONNECTION_ID) });
      const verifier: TokenVerifier = { verify: () => Promise.reject(new RangeError('bug')) };

      expect(replyOf(await handleAuthorize(messageEvent('{"action":"authorize","token":"t"}'), { ...deps, verifier }))).toEqual(
        expect.objectContaining({ code: 'internal_error' }),
      );
    });

    it('answers internal_error when the table cannot be read', async () => {
      dynamo.on(GetItemCommand).rejects(new Error('down'));

      expect(replyOf(await authorizeWith())).toEqual(expect.objectContaining({ code: 'internal_error' }));
    });

    it('answers internal_error when the authorize update fails for another reason', async () => {
      dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord(CONNECTION_ID)) });
      dynamo.on(UpdateItemCommand).rejects(new Error('throttled'));

      expect(replyOf(await authorizeWith())).toEqual(expect.objectContaining({ code: 'internal_error' }));
    });
  });
});
