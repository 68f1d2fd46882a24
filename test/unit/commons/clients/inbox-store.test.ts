import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { InboxStore, notificationKey, type InboxStoreOptions } from '../../../../src/commons/clients/inbox-store';
import { InboxContentionError, InboxStoreError, InvalidInboxItemError } from '../../../../src/commons/errors';

const dynamo = mockClient(DynamoDBClient);
const TABLE = 'ws-notify-test-Inbox';
const USER = '1234';
const NOW = Date.UTC(2025, 11, 13, 10, 30);
const RETENTION = 3600;
const LAST_KEY = `n#${'9'.repeat(16)}`;

type Item = Record<string, AttributeValue>;

const conditionalCheckFailed = (): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function inbox(options: Partial<InboxStoreOptions> = {}): InboxStore {
  return new InboxStore({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: TABLE, retentionSeconds: RETENTION, ...options });
}

/** A notification item as the store writes it. */
function notificationItem(seq: number, options: { id?: string; data?: string; storedAt?: number; tombstone?: boolean } = {}): Item {
  const storedAt = options.storedAt ?? NOW - 1000;
  const base: Item = {
    userId: { S: USER },
    sk: { S: notificationKey(seq) },
    seq: { N: String(seq) },
    storedAt: { N: String(storedAt) },
    ttl: { N: String(Math.ceil(storedAt / 1000) + RETENTION) },
  };
  if (options.tombstone === true) return { ...base, tombstone: { BOOL: true } };
  return { ...base, id: { S: options.id ?? `n-${seq}` }, data: { S: options.data ?? `{"n":${seq}}` } };
}

/** An entry of the index by id (keys and storedAt). */
function indexEntry(seq: number, id: string, storedAt = NOW - 1000): Item {
  return { userId: { S: USER }, sk: { S: notificationKey(seq) }, id: { S: id }, storedAt: { N: String(storedAt) } };
}

const head = (latest: number): { Item: Item } => ({ Item: { userId: { S: USER }, sk: { S: 'h' }, latest: { N: String(latest) } } });
const isIdQuery = (input: QueryCommandInput): boolean => input.IndexName === 'byId';
const idQueries = () => dynamo.commandCalls(QueryCommand).filter((call) => isIdQuery(call.args[0].input));
const headUpdates = () => dynamo.commandCalls(UpdateItemCommand).filter((call) => call.args[0].input.Key?.sk?.S === 'h');
const tombstones = () => dynamo.commandCalls(UpdateItemCommand).filter((call) => call.args[0].input.Key?.sk?.S !== 'h');

/** The index by id answers each query with the next of `answers` (the last one repeats). */
function givenIdIndex(...answers: Item[][]): void {
  let index = 0;
  dynamo.on(QueryCommand, { IndexName: 'byId' }).callsFake(() => {
    const items = answers[Math.min(index, answers.length - 1)] ?? [];
    index += 1;
    return { Items: items };
  });
}

describe('Class: InboxStore', () => {
  afterEach(() => {
    dynamo.reset();
  });

  describe('Method: store', () => {
    const input = { userId: USER, id: 'report-42', dataJson: '{"download":"/reports/42"}', storedAt: NOW };

    beforeEach(() => {
      dynamo.on(PutItemCommand).resolves({});
      dynamo.on(UpdateItemCommand).resolves({});
    });

    it('puts a new notification at latest + 1 on condition the seq is free, then raises latest', async () => {
      // Prepare: latest is 7; the id is not in the inbox until our put.
      dynamo.on(GetItemCommand).resolves(head(7));
      givenIdIndex([], [indexEntry(8, 'report-42', NOW)]);

      // Act
      const result = await inbox().store(input);

      // Assess
      expect(result).toEqual({ seq: 8, duplicate: false });
      expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { userId: { S: USER }, sk: { S: 'h' } },
        ConsistentRead: true,
      });
      expect(idQueries().map((call) => call.args[0].input)).toEqual([
        expect.objectContaining({
          TableName: TABLE,
          IndexName: 'byId',
          KeyConditionExpression: '#userId = :userId AND #id = :id',
          ExpressionAttributeValues: { ':userId': { S: USER }, ':id': { S: 'report-42' } },
          ConsistentRead: true,
        }),
        expect.objectContaining({ IndexName: 'byId', ConsistentRead: true }),
      ]);
      expect(dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input)).toEqual([
        {
          TableName: TABLE,
          Item: {
            userId: { S: USER },
            sk: { S: 'n#0000000000000008' },
            seq: { N: '8' },
            id: { S: 'report-42' },
            data: { S: '{"download":"/reports/42"}' },
            storedAt: { N: String(NOW) },
            ttl: { N: String(NOW / 1000 + RETENTION) },
          },
          ConditionExpression: 'attribute_not_exists(#sk)',
          ExpressionAttributeNames: { '#sk': 'sk' },
        },
      ]);
      expect(headUpdates().map((call) => call.args[0].input)).toEqual([
        {
          TableName: TABLE,
          Key: { userId: { S: USER }, sk: { S: 'h' } },
          UpdateExpression: 'SET #latest = :seq',
          ConditionExpression: 'attribute_not_exists(#latest) OR #latest < :seq',
          ExpressionAttributeNames: { '#latest': 'latest' },
          ExpressionAttributeValues: { ':seq': { N: '8' } },
        },
      ]);
      expect(tombstones()).toHaveLength(0);
    });

    it('gives the first notification of a user seq 1', async () => {
      dynamo.on(GetItemCommand).resolves({});
      givenIdIndex([]);

      await expect(inbox().store(input)).resolves.toEqual({ seq: 1, duplicate: false });
      expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.sk).toEqual({ S: 'n#0000000000000001' });
    });

    it('keeps the first seq of an id already in the inbox: nothing is put, latest is raised to it', async () => {
      // Prepare: "report-42" was stored as seq 3.
      dynamo.on(GetItemCommand).resolves(head(9));
      givenIdIndex([indexEntry(3, 'report-42')]);

      // Act
      const result = await inbox().store(input);

      // Assess
      expect(result).toEqual({ seq: 3, duplicate: true });
      expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
      expect(headUpdates().map((call) => call.args[0].input.ExpressionAttributeValues)).toEqual([{ ':seq': { N: '3' } }]);
      expect(tombstones()).toHaveLength(0);
    });

    it('stores the id again once its earlier copy is past retention', async () => {
      dynamo.on(GetItemCommand).resolves(head(9));
      givenIdIndex([indexEntry(3, 'report-42', NOW - RETENTION * 1000)], [indexEntry(3, 'report-42', NOW - RETENTION * 1000), indexEntry(10, 'report-42', NOW)]);

      await expect(inbox().store(input)).resolves.toEqual({ seq: 10, duplicate: false });
      expect(tombstones()).toHaveLength(0);
    });

    it('turns its own copy into a tombstone and reports the lower seq when a concurrent store of the same id took one', async () => {
      // Prepare: both stores missed each other at first; the other one got seq 5, ours 8.
      dynamo.on(GetItemCommand).resolves(head(7));
      givenIdIndex([], [indexEntry(5, 'report-42'), indexEntry(8, 'report-42', NOW)]);

      // Act
      const result = await inbox().store(input);

      // Assess
      expect(result).toEqual({ seq: 5, duplicate: true });
      expect(tombstones().map((call) => call.args[0].input)).toEqual([
        {
          TableName: TABLE,
          Key: { userId: { S: USER }, sk: { S: 'n#0000000000000008' } },
          UpdateExpression: 'SET #tombstone = :true REMOVE #id, #data',
          ConditionExpression: 'attribute_exists(#sk)',
          ExpressionAttributeNames: { '#tombstone': 'tombstone', '#id': 'id', '#data': 'data', '#sk': 'sk' },
          ExpressionAttributeValues: { ':true': { BOOL: true } },
        },
      ]);
      expect(headUpdates().map((call) => call.args[0].input.ExpressionAttributeValues)).toEqual([{ ':seq': { N: '8' } }]);
    });

    it('turns the extra copies a failed store left into tombstones when the id comes again', async () => {
      dynamo.on(GetItemCommand).resolves(head(9));
      givenIdIndex([indexEntry(9, 'report-42'), indexEntry(3, 'report-42')]);

      await expect(inbox().store(input)).resolves.toEqual({ seq: 3, duplicate: true });
      expect(tombstones().map((call) => call.args[0].input.Key?.sk)).toEqual([{ S: 'n#0000000000000009' }]);
    });

    it('tries the seq after the highest stored one when its seq was taken', async () => {
      // Prepare: latest says 7, but 8 and 9 were stored meanwhile.
      dynamo.on(GetItemCommand).resolves(head(7));
      givenIdIndex([], [indexEntry(10, 'report-42', NOW)]);
      dynamo.on(PutItemCommand).rejectsOnce(conditionalCheckFailed()).resolves({});
      dynamo.on(QueryCommand, { ScanIndexForward: false }).resolves({ Items: [{ sk: { S: notificationKey(9) } }] });

      // Act
      const result = await inbox().store(input);

      // Assess
      expect(result).toEqual({ seq: 10, duplicate: false });
      expect(dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.seq)).toEqual([{ N: '8' }, { N: '10' }]);
      const highest = dynamo.commandCalls(QueryCommand).find((call) => call.args[0].input.ScanIndexForward === false);
      expect(highest?.args[0].input).toEqual({
        TableName: TABLE,
        KeyConditionExpression: '#userId = :userId AND #sk BETWEEN :first AND :last',
        ExpressionAttributeNames: { '#userId': 'userId', '#sk': 'sk' },
        ExpressionAttributeValues: { ':userId': { S: USER }, ':first': { S: 'n#0000000000000000' }, ':last': { S: LAST_KEY } },
        ProjectionExpression: '#sk',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      });
    });

    it('tries the next candidate at once, with no timer between attempts', async () => {
      // Prepare: fake timers that are never advanced: a back-off sleep would never end.
      jest.useFakeTimers();
      dynamo.on(GetItemCommand).resolves(head(7));
      givenIdIndex([], [indexEntry(12, 'report-42', NOW)]);
      dynamo.on(PutItemCommand).rejectsOnce(conditionalCheckFailed()).rejectsOnce(conditionalCheckFailed()).rejectsOnce(conditionalCheckFailed()).resolves({});
      dynamo
        .on(QueryCommand, { ScanIndexForward: false })
        .resolvesOnce({ Items: [{ sk: { S: notificationKey(8) } }] })
        .resolvesOnce({ Items: [{ sk: { S: notificationKey(10) } }] })
        .resolves({ Items: [{ sk: { S: notificationKey(11) } }] });

      try {
        // Act
        const result = await inbox().store(input);

        // Assess: 8 taken → highest 8 → 9 taken → highest 10 → 11 taken → highest 11 → 12.
        expect(result).toEqual({ seq: 12, duplicate: false });
        expect(dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.seq)).toEqual([{ N: '8' }, { N: '9' }, { N: '11' }, { N: '12' }]);
        expect(jest.getTimerCount()).toBe(0);
      } finally {
        jest.useRealTimers();
      }
    });

    it('keeps trying up to 100 candidates by default', async () => {
      dynamo.on(GetItemCommand).resolves(head(0));
      givenIdIndex([]);
      dynamo.on(PutItemCommand).rejects(conditionalCheckFailed());
      dynamo.on(QueryCommand, { ScanIndexForward: false }).resolves({ Items: [] });

      const error = await inbox()
        .store(input)
        .catch((reason: unknown) => reason);

      expect(error).toMatchObject({ name: 'InboxContentionError', attempts: 100 });
      expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(100);
    });

    it('gives up with InboxContentionError after maxStoreAttempts puts that all found their seq taken', async () => {
      dynamo.on(GetItemCommand).resolves(head(7));
      givenIdIndex([]);
      dynamo.on(PutItemCommand).rejects(conditionalCheckFailed());
      dynamo.on(QueryCommand, { ScanIndexForward: false }).resolves({ Items: [] });

      const error = await inbox({ maxStoreAttempts: 3 })
        .store(input)
        .catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(InboxContentionError);
      expect(error).toMatchObject({ name: 'InboxContentionError', code: 'inbox_contention', userId: USER, attempts: 3 });
      expect(dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.seq)).toEqual([{ N: '8' }, { N: '9' }, { N: '10' }]);
      expect(headUpdates()).toHaveLength(0);
    });

    it('treats a failed condition on latest (already higher) as done', async () => {
      dynamo.on(GetItemCommand).resolves(head(7));
      givenIdIndex([], [indexEntry(8, 'report-42', NOW)]);
      dynamo.on(UpdateItemCommand).rejects(conditionalCheckFailed());

      await expect(inbox().store(input)).resolves.toEqual({ seq: 8, duplicate: false });
    });

    it.each([
      ['PutItem', () => dynamo.on(PutItemCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }))],
      ['Query', () => dynamo.on(QueryCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }))],
      ['GetItem', () => dynamo.on(GetItemCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }))],
      ['UpdateItem', () => dynamo.on(UpdateItemCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }))],
    ])('wraps a %s failure in InboxStoreError with the cause', async (operation, fail) => {
      // Prepare
      dynamo.on(GetItemCommand).resolves(head(7));
      givenIdIndex([], [indexEntry(8, 'report-42', NOW)]);
      fail();

      // Act
      const error = await inbox()
        .store(input)
        .catch((reason: unknown) => reason);

      // Assess
      expect(error).toBeInstanceOf(InboxStoreError);
      expect(error).toMatchObject({ code: 'inbox_store_failure', message: `DynamoDB ${operation} on the inbox failed (InternalServerError: boom)` });
      expect((error as InboxStoreError).cause).toBeInstanceOf(InternalServerError);
    });

    it('runs the stores of one user one at a time, so they never compete for a seq', async () => {
      // Prepare: a table that keeps each user's latest and taken seqs.
      const latest = new Map<string, number>();
      const taken = new Set<string>();
      dynamo.on(GetItemCommand).callsFake((get: { Key: Item }) => {
        const value = latest.get(get.Key.userId?.S ?? '');
        return value === undefined ? {} : head(value);
      });
      dynamo.on(QueryCommand, { IndexName: 'byId' }).resolves({ Items: [] });
      dynamo.on(PutItemCommand).callsFake((put: { Item: Item }) => {
        const key = `${put.Item.userId?.S}/${put.Item.sk?.S}`;
        if (taken.has(key)) throw conditionalCheckFailed();
        taken.add(key);
        return {};
      });
      dynamo.on(UpdateItemCommand).callsFake((update: { Key: Item; ExpressionAttributeValues: Item }) => {
        const userId = update.Key.userId?.S ?? '';
        latest.set(userId, Math.max(latest.get(userId) ?? 0, Number(update.ExpressionAttributeValues[':seq']?.N)));
        return {};
      });
      const store = inbox();

      // Act: three stores for one user and one for another, all at once.
      const results = await Promise.all([
        store.store({ ...input, id: 'a' }),
        store.store({ ...input, id: 'b' }),
        store.store({ ...input, id: 'c' }),
        store.store({ ...input, userId: 'other', id: 'd' }),
      ]);

      // Assess: every put found its seq free.
      expect(results).toEqual([
        { seq: 1, duplicate: false },
        { seq: 2, duplicate: false },
        { seq: 3, duplicate: false },
        { seq: 1, duplicate: false },
      ]);
      expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(4);
    });

    it('still runs the next store of a user when the one before it failed', async () => {
      dynamo.on(GetItemCommand).resolves(head(7));
      givenIdIndex([]);
      dynamo.on(PutItemCommand).rejectsOnce(new InternalServerError({ message: 'boom', $metadata: {} })).resolves({});
      const store = inbox();

      const [first, second] = await Promise.allSettled([store.store({ ...input, id: 'a' }), store.store({ ...input, id: 'b' })]);

      expect(first).toMatchObject({ status: 'rejected', reason: expect.any(InboxStoreError) as unknown });
      expect(second).toEqual({ status: 'fulfilled', value: { seq: 8, duplicate: false } });
    });
  });

  describe('Method: readAfter', () => {
    const scanCalls = () => dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);

    it('reads the notifications after the cursor strongly consistently, one more than the limit, and returns them ascending', async () => {
      // Prepare
      dynamo.on(GetItemCommand).resolves(head(6));
      dynamo.on(QueryCommand).resolves({ Items: [notificationItem(5), notificationItem(6)] });

      // Act
      const replay = await inbox().readAfter(USER, 4, NOW);

      // Assess
      expect(scanCalls()).toEqual([
        {
          TableName: TABLE,
          KeyConditionExpression: '#userId = :userId AND #sk BETWEEN :from AND :last',
          ExpressionAttributeNames: { '#userId': 'userId', '#sk': 'sk' },
          ExpressionAttributeValues: { ':userId': { S: USER }, ':from': { S: 'n#0000000000000005' }, ':last': { S: LAST_KEY } },
          ConsistentRead: true,
          Limit: 101,
        },
      ]);
      expect(replay).toEqual({
        notifications: [
          { seq: 5, id: 'n-5', dataJson: '{"n":5}', storedAt: NOW - 1000 },
          { seq: 6, id: 'n-6', dataJson: '{"n":6}', storedAt: NOW - 1000 },
        ],
        latest: 6,
        more: false,
        truncated: false,
      });
    });

    it('reads latest before the notifications, so that every seq up to it is among what it reads', async () => {
      // Prepare: note when latest has been read, and when the notifications are asked for.
      const order: string[] = [];
      dynamo.on(GetItemCommand).callsFake(async () => {
        await Promise.resolve();
        order.push('latest');
        return head(6);
      });
      dynamo.on(QueryCommand).callsFake(() => {
        order.push('notifications');
        return { Items: [notificationItem(6)] };
      });

      // Act
      await inbox().readAfter(USER, 5, NOW);

      // Assess
      expect(order).toEqual(['latest', 'notifications']);
    });

    it('answers an empty inbox with nothing, latest 0, more false and truncated false', async () => {
      dynamo.on(GetItemCommand).resolves({});
      dynamo.on(QueryCommand).resolves({ Items: [] });

      await expect(inbox().readAfter(USER, 0, NOW)).resolves.toEqual({ notifications: [], latest: 0, more: false, truncated: false });
    });

    it('returns at most the limit and says more remain when one more live notification exists', async () => {
      dynamo.on(GetItemCommand).resolves(head(150));
      dynamo.on(QueryCommand).resolves({ Items: Array.from({ length: 101 }, (_, index) => notificationItem(index + 1)) });

      const replay = await inbox().readAfter(USER, 0, NOW);

      expect(replay.notifications.map((notification) => notification.seq)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
      expect(replay).toMatchObject({ latest: 150, more: true, truncated: false });
    });

    it('says no more remain when exactly the limit is left', async () => {
      dynamo.on(GetItemCommand).resolves(head(3));
      dynamo.on(QueryCommand).resolves({ Items: [notificationItem(1), notificationItem(2), notificationItem(3)] });

      const replay = await inbox().readAfter(USER, 0, NOW, 3);

      expect(replay).toMatchObject({ latest: 3, more: false, truncated: false });
      expect(replay.notifications).toHaveLength(3);
    });

    it('never returns a tombstone or a notification past its retention, even before DynamoDB deletes it', async () => {
      // Prepare: 3 is past retention by 1 ms, 4 at exactly its end, 5 a tombstone, 6 still retained.
      dynamo.on(GetItemCommand).resolves(head(6));
      dynamo.on(QueryCommand).resolves({
        Items: [
          notificationItem(3, { storedAt: NOW - RETENTION * 1000 - 1 }),
          notificationItem(4, { storedAt: NOW - RETENTION * 1000 }),
          notificationItem(5, { tombstone: true }),
          notificationItem(6, { storedAt: NOW - RETENTION * 1000 + 1 }),
        ],
      });

      // Act
      const replay = await inbox().readAfter(USER, 2, NOW);

      // Assess: the oldest retained after 2 is the tombstone 5, above 3: truncated.
      expect(replay.notifications.map((notification) => notification.seq)).toEqual([6]);
      expect(replay).toMatchObject({ latest: 6, more: false, truncated: true });
    });

    it('counts a retained tombstone right after the cursor as showing that nothing was lost', async () => {
      dynamo.on(GetItemCommand).resolves(head(6));
      dynamo.on(QueryCommand).resolves({ Items: [notificationItem(5, { tombstone: true }), notificationItem(6)] });

      await expect(inbox().readAfter(USER, 4, NOW)).resolves.toMatchObject({ truncated: false, more: false, latest: 6 });
    });

    it('is truncated when it retains nothing after the cursor while latest is above it', async () => {
      dynamo.on(GetItemCommand).resolves(head(9));
      dynamo.on(QueryCommand).resolves({ Items: [] });

      await expect(inbox().readAfter(USER, 4, NOW)).resolves.toEqual({ notifications: [], latest: 9, more: false, truncated: true });
    });

    it('is not truncated for a cursor at or above latest', async () => {
      dynamo.on(GetItemCommand).resolves(head(9));
      dynamo.on(QueryCommand).resolves({ Items: [] });

      await expect(inbox().readAfter(USER, 9, NOW)).resolves.toEqual({ notifications: [], latest: 9, more: false, truncated: false });
      await expect(inbox().readAfter(USER, 50, NOW)).resolves.toEqual({ notifications: [], latest: 9, more: false, truncated: false });
    });

    it('reports latest as the highest seq read when the head is behind', async () => {
      dynamo.on(GetItemCommand).resolves(head(5));
      dynamo.on(QueryCommand).resolves({ Items: [notificationItem(6), notificationItem(7, { tombstone: true })] });

      await expect(inbox().readAfter(USER, 5, NOW)).resolves.toMatchObject({ latest: 7, truncated: false });
    });

    it('follows the pages, asking each time only for what is still missing', async () => {
      // Prepare: the first page ends after two live notifications and a tombstone.
      dynamo.on(GetItemCommand).resolves(head(5));
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: [notificationItem(1), notificationItem(2, { tombstone: true }), notificationItem(3)], LastEvaluatedKey: { userId: { S: USER }, sk: { S: notificationKey(3) } } })
        .resolvesOnce({ Items: [notificationItem(4), notificationItem(5)] });

      // Act
      const replay = await inbox().readAfter(USER, 0, NOW, 3);

      // Assess
      expect(scanCalls().map((input) => [input.Limit, input.ExclusiveStartKey])).toEqual([
        [4, undefined],
        [2, { userId: { S: USER }, sk: { S: notificationKey(3) } }],
      ]);
      expect(replay.notifications.map((notification) => notification.seq)).toEqual([1, 3, 4]);
      expect(replay).toMatchObject({ more: true, latest: 5 });
    });

    it.each([
      ['a sort key that is not a notification', { ...notificationItem(1), sk: { S: 'n#12' } }],
      ['no storedAt', { ...notificationItem(1), storedAt: { S: 'yesterday' } }],
      ['no data', (({ data: _omitted, ...rest }) => rest)(notificationItem(1))],
    ])('throws InvalidInboxItemError for an item with %s', async (_label, item) => {
      dynamo.on(GetItemCommand).resolves(head(1));
      dynamo.on(QueryCommand).resolves({ Items: [item] });

      await expect(inbox().readAfter(USER, 0, NOW)).rejects.toThrow(InvalidInboxItemError);
    });

    it('wraps a failed Query in InboxStoreError', async () => {
      dynamo.on(GetItemCommand).resolves(head(1));
      dynamo.on(QueryCommand).rejects(new Error('down'));

      await expect(inbox().readAfter(USER, 0, NOW)).rejects.toThrow(InboxStoreError);
    });
  });

  describe('Method: latest', () => {
    it('reads the head strongly consistently: 0 when absent, else its latest', async () => {
      dynamo.on(GetItemCommand).resolvesOnce({}).resolvesOnce(head(42));

      await expect(inbox().latest(USER)).resolves.toBe(0);
      await expect(inbox().latest(USER)).resolves.toBe(42);
      expect(dynamo.commandCalls(GetItemCommand).every((call) => call.args[0].input.ConsistentRead === true)).toBe(true);
    });

    it('throws InvalidInboxItemError for a head without a valid latest', async () => {
      dynamo.on(GetItemCommand).resolves({ Item: { userId: { S: USER }, sk: { S: 'h' }, latest: { N: '-1' } } });

      await expect(inbox().latest(USER)).rejects.toThrow(InvalidInboxItemError);
    });
  });

  describe('Method: putRecentConnection', () => {
    it('writes the pointer in the user partition with its expiry as ttl', async () => {
      dynamo.on(PutItemCommand).resolves({});

      await inbox().putRecentConnection({ userId: USER, connectionId: 'c1=', expiresAt: 1765621900 });

      expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Item: {
          userId: { S: USER },
          sk: { S: 'c#c1=' },
          connectionId: { S: 'c1=' },
          expiresAt: { N: '1765621900' },
          ttl: { N: '1765621900' },
        },
      });
    });

    it('wraps a failure in InboxStoreError', async () => {
      dynamo.on(PutItemCommand).rejects(new Error('down'));

      await expect(inbox().putRecentConnection({ userId: USER, connectionId: 'c1=', expiresAt: 1 })).rejects.toThrow(InboxStoreError);
    });
  });

  describe('Method: recentConnections', () => {
    const pointer = (connectionId: string, expiresAt: number): Item => ({
      userId: { S: USER },
      sk: { S: `c#${connectionId}` },
      connectionId: { S: connectionId },
      expiresAt: { N: String(expiresAt) },
      ttl: { N: String(expiresAt) },
    });

    it('reads the pointers strongly consistently, page by page, and keeps the unexpired ones', async () => {
      // Prepare
      const nowSeconds = NOW / 1000;
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: [pointer('a', nowSeconds + 60), pointer('expired', nowSeconds)], LastEvaluatedKey: { userId: { S: USER }, sk: { S: 'c#expired' } } })
        .resolvesOnce({ Items: [pointer('b', nowSeconds + 1)] });

      // Act
      const pointers = await inbox().recentConnections(USER, NOW);

      // Assess
      expect(pointers).toEqual([
        { userId: USER, connectionId: 'a', expiresAt: nowSeconds + 60 },
        { userId: USER, connectionId: 'b', expiresAt: nowSeconds + 1 },
      ]);
      const inputs = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
      expect(inputs[0]).toEqual({
        TableName: TABLE,
        KeyConditionExpression: '#userId = :userId AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#userId': 'userId', '#sk': 'sk' },
        ExpressionAttributeValues: { ':userId': { S: USER }, ':prefix': { S: 'c#' } },
        ConsistentRead: true,
      });
      expect(inputs[1]?.ExclusiveStartKey).toEqual({ userId: { S: USER }, sk: { S: 'c#expired' } });
    });

    it('wraps a failure in InboxStoreError', async () => {
      dynamo.on(QueryCommand).rejects(new Error('down'));

      await expect(inbox().recentConnections(USER, NOW)).rejects.toThrow(InboxStoreError);
    });
  });
});
