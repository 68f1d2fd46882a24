import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ConnectionStore, recordFromItem, recordToItem } from '../../../../src/commons/clients/connection-store';
import { ConnectionChangedError, ConnectionStoreError, InvalidRecordError } from '../../../../src/commons/errors';
import { authorizedRecord, indexItem, item, pendingRecord } from '../../helpers/records';

const dynamo = mockClient(DynamoDBClient);
const TABLE = 'ws-notify-test-Connections';
const now = Date.UTC(2025, 11, 13, 10, 30);
const nowSeconds = Math.floor(now / 1000);

const conditionalCheckFailed = (): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function store(): ConnectionStore {
  return new ConnectionStore({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: TABLE });
}

describe('Class: ConnectionStore', () => {
  afterEach(() => {
    dynamo.reset();
  });

  describe('Method: put', () => {
    it('writes a pending record without userId, so it stays out of the user index', async () => {
      // Prepare
      dynamo.on(PutItemCommand).resolves({});
      const record = pendingRecord('c1', now);

      // Act
      await store().put(record);

      // Assess
      const [call] = dynamo.commandCalls(PutItemCommand);
      expect(call?.args[0].input).toEqual({
        TableName: TABLE,
        Item: {
          connectionId: { S: 'c1' },
          state: { S: 'pending' },
          authMode: { S: 'action' },
          connectedAt: { N: String(now) },
          failedAttempts: { N: '0' },
          ttl: { N: String(nowSeconds + 8100) },
        },
      });
    });

    it('writes an authorized record with userId, expiresAt and authorizedAt', async () => {
      dynamo.on(PutItemCommand).resolves({});

      await store().put(authorizedRecord('c1', { userId: 'u1', expiresAt: nowSeconds + 60, connectedAt: now }));

      const input = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
      expect(input?.Item).toEqual(
        expect.objectContaining({ userId: { S: 'u1' }, expiresAt: { N: String(nowSeconds + 60) }, authorizedAt: { N: String(now) } }),
      );
    });

    it('wraps a DynamoDB failure in ConnectionStoreError with the cause', async () => {
      const failure = new InternalServerError({ message: 'boom', $metadata: {} });
      dynamo.on(PutItemCommand).rejects(failure);

      const error = await store()
        .put(pendingRecord('c1', now))
        .catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(ConnectionStoreError);
      expect((error as ConnectionStoreError).cause).toBe(failure);
      expect((error as ConnectionStoreError).message).toBe('DynamoDB PutItem failed (InternalServerError: boom)');
    });
  });

  describe('Method: get', () => {
    it('reads strongly consistently and returns the record', async () => {
      const record = authorizedRecord('c1', { connectedAt: now });
      dynamo.on(GetItemCommand).resolves({ Item: item(record) });

      await expect(store().get('c1', now)).resolves.toEqual(record);
      expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { connectionId: { S: 'c1' } },
        ConsistentRead: true,
      });
    });

    it('returns undefined for an absent record', async () => {
      dynamo.on(GetItemCommand).resolves({});

      await expect(store().get('c1', now)).resolves.toBeUndefined();
    });

    it('treats a record whose ttl has passed as absent (DynamoDB deletes late)', async () => {
      const record = pendingRecord('c1', now);
      dynamo.on(GetItemCommand).resolves({ Item: item(record) });

      await expect(store().get('c1', record.ttl * 1000 - 1)).resolves.toEqual(record);
      await expect(store().get('c1', record.ttl * 1000)).resolves.toBeUndefined();
    });

    it('throws InvalidRecordError for an item that is not a connection record', async () => {
      dynamo.on(GetItemCommand).resolves({ Item: { connectionId: { S: 'c1' }, state: { S: 'weird' } } });

      await expect(store().get('c1', now)).rejects.toBeInstanceOf(InvalidRecordError);
    });

    it('wraps a DynamoDB failure in ConnectionStoreError', async () => {
      dynamo.on(GetItemCommand).rejects(new Error('socket hang up'));

      await expect(store().get('c1', now)).rejects.toBeInstanceOf(ConnectionStoreError);
    });
  });

  describe('Method: getMany', () => {
    it('reads the records with BatchGetItem, strongly consistently, 100 keys per request, duplicates once', async () => {
      // Prepare
      const ids = Array.from({ length: 150 }, (_, i) => `c${i}`);
      dynamo.on(BatchGetItemCommand).callsFake((input: { RequestItems: Record<string, { Keys: { connectionId: { S: string } }[] }> }) => ({
        Responses: { [TABLE]: (input.RequestItems[TABLE]?.Keys ?? []).filter((_, i) => i % 2 === 0).map((key) => item(authorizedRecord(key.connectionId.S, { connectedAt: now }))) },
      }));

      // Act
      const records = await store().getMany([...ids, 'c0'], now);

      // Assess
      const calls = dynamo.commandCalls(BatchGetItemCommand).map((call) => call.args[0].input.RequestItems?.[TABLE]);
      expect(calls.map((request) => request?.Keys?.length)).toEqual([100, 50]);
      expect(calls.every((request) => request?.ConsistentRead === true)).toBe(true);
      expect(records.size).toBe(150);
      expect(records.get('c0')).toEqual(authorizedRecord('c0', { connectedAt: now }));
      expect(records.has('c1')).toBe(true);
      expect(records.get('c1')).toBeUndefined();
    });

    it('asks again for unprocessed keys, and leaves out those still unprocessed, records past their ttl read as absent', async () => {
      // Prepare
      const expired = pendingRecord('old', now - 3 * 3600 * 1000);
      dynamo
        .on(BatchGetItemCommand)
        .resolvesOnce({ Responses: { [TABLE]: [item(expired)] }, UnprocessedKeys: { [TABLE]: { Keys: [{ connectionId: { S: 'c1' } }, { connectionId: { S: 'c2' } }] } } })
        .resolvesOnce({ Responses: { [TABLE]: [item(authorizedRecord('c1', { connectedAt: now }))] }, UnprocessedKeys: { [TABLE]: { Keys: [{ connectionId: { S: 'c2' } }] } } })
        .resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [{ connectionId: { S: 'c2' } }] } } });

      // Act: the store waits 25 ms, then 50 ms, before asking again (fake time)
      jest.useFakeTimers();
      let records;
      try {
        const reading = store().getMany(['old', 'c1', 'c2'], now);
        await jest.runAllTimersAsync();
        records = await reading;
      } finally {
        jest.useRealTimers();
      }

      // Assess
      expect(dynamo.commandCalls(BatchGetItemCommand)).toHaveLength(3);
      expect([...records.keys()].sort()).toEqual(['c1', 'old']);
      expect(records.get('old')).toBeUndefined();
      expect(records.get('c1')?.state).toBe('authorized');
    });

    it('leaves out an item that is not a connection record, and wraps a failed request in ConnectionStoreError', async () => {
      dynamo.on(BatchGetItemCommand).resolvesOnce({ Responses: { [TABLE]: [{ connectionId: { S: 'c1' }, state: { S: 'weird' } }] } }).rejects(new Error('socket hang up'));

      await expect(store().getMany(['c1'], now)).resolves.toEqual(new Map());
      await expect(store().getMany(['c1'], now)).rejects.toBeInstanceOf(ConnectionStoreError);
    });
  });

  describe('Method: authorize', () => {
    it('updates only an existing, unexpired record that is pending or owned by the same user', async () => {
      // Prepare
      const updated = authorizedRecord('c1', { userId: 'u1', expiresAt: nowSeconds + 600, connectedAt: now });
      dynamo.on(UpdateItemCommand).resolves({ Attributes: item(updated) });

      // Act
      const result = await store().authorize({ connectionId: 'c1', userId: 'u1', expiresAt: nowSeconds + 600, authorizedAt: now });

      // Assess
      expect(result).toEqual(updated);
      const input = dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input;
      expect(input?.ConditionExpression).toBe(
        'attribute_exists(#connectionId) AND #ttl > :now AND (attribute_not_exists(#userId) OR #userId = :userId)',
      );
      expect(input?.UpdateExpression).toContain('#failedAttempts = :zero');
      expect(input?.ExpressionAttributeValues).toEqual(
        expect.objectContaining({
          ':userId': { S: 'u1' },
          ':expiresAt': { N: String(nowSeconds + 600) },
          ':now': { N: String(nowSeconds) },
          ':zero': { N: '0' },
        }),
      );
      expect(input?.ReturnValues).toBe('ALL_NEW');
    });

    it('turns a failed condition (record deleted meanwhile) into ConnectionChangedError', async () => {
      dynamo.on(UpdateItemCommand).rejects(conditionalCheckFailed());

      const error = await store()
        .authorize({ connectionId: 'c1', userId: 'u1', expiresAt: nowSeconds + 600, authorizedAt: now })
        .catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(ConnectionChangedError);
      expect((error as ConnectionChangedError).connectionId).toBe('c1');
    });

    it('wraps other failures in ConnectionStoreError', async () => {
      dynamo.on(UpdateItemCommand).rejects(new Error('throttled'));

      await expect(
        store().authorize({ connectionId: 'c1', userId: 'u1', expiresAt: nowSeconds + 600, authorizedAt: now }),
      ).rejects.toBeInstanceOf(ConnectionStoreError);
    });

    it('throws InvalidRecordError when DynamoDB returns no or a non-authorized record', async () => {
      dynamo.on(UpdateItemCommand).resolvesOnce({}).resolvesOnce({ Attributes: item(pendingRecord('c1', now)) });

      await expect(store().authorize({ connectionId: 'c1', userId: 'u1', expiresAt: 1, authorizedAt: now })).rejects.toBeInstanceOf(
        InvalidRecordError,
      );
      await expect(store().authorize({ connectionId: 'c1', userId: 'u1', expiresAt: 1, authorizedAt: now })).rejects.toBeInstanceOf(
        InvalidRecordError,
      );
    });
  });

  describe('Method: recordFailedAttempt', () => {
    it('adds one with a condition that never re-creates a deleted record, and returns the new count', async () => {
      dynamo.on(UpdateItemCommand).resolves({ Attributes: { failedAttempts: { N: '2' } } });

      await expect(store().recordFailedAttempt('c1')).resolves.toBe(2);
      expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { connectionId: { S: 'c1' } },
        UpdateExpression: 'ADD #failedAttempts :one',
        ConditionExpression: 'attribute_exists(#connectionId)',
        ExpressionAttributeNames: { '#failedAttempts': 'failedAttempts', '#connectionId': 'connectionId' },
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'UPDATED_NEW',
      });
    });

    it('returns undefined when the record no longer exists', async () => {
      dynamo.on(UpdateItemCommand).rejects(conditionalCheckFailed());

      await expect(store().recordFailedAttempt('c1')).resolves.toBeUndefined();
    });

    it('throws InvalidRecordError when no count comes back, ConnectionStoreError on failure', async () => {
      dynamo.on(UpdateItemCommand).resolvesOnce({}).rejectsOnce(new Error('down'));

      await expect(store().recordFailedAttempt('c1')).rejects.toBeInstanceOf(InvalidRecordError);
      await expect(store().recordFailedAttempt('c1')).rejects.toBeInstanceOf(ConnectionStoreError);
    });
  });

  describe('Method: delete', () => {
    it('deletes by key', async () => {
      dynamo.on(DeleteItemCommand).resolves({});

      await store().delete('c1');

      expect(dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input).toEqual({ TableName: TABLE, Key: { connectionId: { S: 'c1' } } });
    });

    it('wraps a failure', async () => {
      dynamo.on(DeleteItemCommand).rejects(new Error('down'));

      await expect(store().delete('c1')).rejects.toBeInstanceOf(ConnectionStoreError);
    });
  });

  describe('Method: deletePending', () => {
    it('deletes the record only while it is pending, and says so', async () => {
      // Prepare
      dynamo.on(DeleteItemCommand).resolves({});

      // Act
      const deleted = await store().deletePending('c1');

      // Assess
      expect(deleted).toBe(true);
      expect(dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { connectionId: { S: 'c1' } },
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': { S: 'pending' } },
      });
    });

    it('answers false when the record was authorized or deleted meanwhile (failed condition)', async () => {
      dynamo.on(DeleteItemCommand).rejects(conditionalCheckFailed());

      await expect(store().deletePending('c1')).resolves.toBe(false);
    });

    it('wraps any other failure', async () => {
      dynamo.on(DeleteItemCommand).rejects(new InternalServerError({ message: 'down', $metadata: {} }));

      await expect(store().deletePending('c1')).rejects.toBeInstanceOf(ConnectionStoreError);
    });
  });

  describe('Method: queryByUser', () => {
    it('pages through the user index and drops expired tokens and records past their ttl', async () => {
      // Prepare
      const live = nowSeconds + 600;
      dynamo
        .on(QueryCommand)
        .resolvesOnce({
          Items: [indexItem('c1', 'u1', live, nowSeconds + 8000), indexItem('c2', 'u1', nowSeconds - 1, nowSeconds + 8000)],
          LastEvaluatedKey: { connectionId: { S: 'c2' }, userId: { S: 'u1' } },
        })
        .resolvesOnce({
          Items: [indexItem('c3', 'u1', live, nowSeconds), indexItem('c4', 'u1', live, nowSeconds + 1), { userId: { S: 'u1' } }],
        });

      // Act
      const pages = [];
      for await (const page of store().queryByUser('u1', now)) pages.push(page);

      // Assess
      expect(pages).toEqual([
        [{ connectionId: 'c1', userId: 'u1', expiresAt: live }],
        [{ connectionId: 'c4', userId: 'u1', expiresAt: live }],
      ]);
      const calls = dynamo.commandCalls(QueryCommand);
      expect(calls).toHaveLength(2);
      expect(calls[0]?.args[0].input).toEqual(
        expect.objectContaining({ TableName: TABLE, IndexName: 'byUser', KeyConditionExpression: '#userId = :userId' }),
      );
      expect(calls[1]?.args[0].input.ExclusiveStartKey).toEqual({ connectionId: { S: 'c2' }, userId: { S: 'u1' } });
    });

    it('uses the configured index name and wraps failures', async () => {
      dynamo.on(QueryCommand).rejects(new Error('down'));
      const custom = new ConnectionStore({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: TABLE, userIndexName: 'other' });

      await expect(custom.queryByUser('u1', now).next()).rejects.toBeInstanceOf(ConnectionStoreError);
      expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.IndexName).toBe('other');
    });
  });
});

describe('Functions: recordToItem / recordFromItem', () => {
  it('round-trip both kinds of record', () => {
    const pending = pendingRecord('c1', now);
    const authorized = authorizedRecord('c2', { connectedAt: now, failedAttempts: 2 });

    expect(recordFromItem(recordToItem(pending))).toEqual(pending);
    expect(recordFromItem(recordToItem(authorized))).toEqual(authorized);
  });

  it('reads a missing failedAttempts as 0', () => {
    const { failedAttempts: _ignored, ...rest } = recordToItem(pendingRecord('c1', now));

    expect(recordFromItem(rest).failedAttempts).toBe(0);
  });

  it.each([
    ['no connectionId', 'connectionId'],
    ['no authMode', 'authMode'],
    ['no connectedAt', 'connectedAt'],
    ['no ttl', 'ttl'],
    ['no userId', 'userId'],
    ['no expiresAt', 'expiresAt'],
    ['no authorizedAt', 'authorizedAt'],
  ])('rejects an authorized item with %s', (_label, attribute) => {
    const complete = recordToItem(authorizedRecord('c1', { connectedAt: now }));
    const broken = Object.fromEntries(Object.entries(complete).filter(([name]) => name !== attribute));

    expect(() => recordFromItem(broken)).toThrow(InvalidRecordError);
  });

  it('rejects a number that is not a number', () => {
    const complete = recordToItem(pendingRecord('c1', now));

    expect(() => recordFromItem({ ...complete, ttl: { N: 'abc' } })).toThrow(InvalidRecordError);
    expect(() => recordFromItem({ ...complete, ttl: { S: '5' } })).toThrow(InvalidRecordError);
  });
});
