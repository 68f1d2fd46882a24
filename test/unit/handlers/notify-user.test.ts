import { ConditionalCheckFailedException, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createNotifyUserHandler } from '../../../src/handlers/notify-user';
import { connectionStore, deadLetterQueue, dynamo, NOTIFY_CONNECTION_QUEUE_URL, queueClient, resetMocks, sqs, TABLE_NAME } from '../helpers/aws';
import { sqsEvent, sqsRecord } from '../helpers/events';
import { givenInbox, inboxPuts, inboxStore, INBOX_TABLE_NAME, type InboxContents } from '../helpers/inbox';
import { captureLogs, silentLogger } from '../helpers/logs';
import { counts, testMetrics } from '../helpers/metrics';
import { indexItem } from '../helpers/records';

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const NOW_S = Math.floor(NOW / 1000);
const LIVE = NOW_S + 600;
const TTL = NOW_S + 8000;

function consumer(logger = silentLogger(), metrics = testMetrics()) {
  return createNotifyUserHandler({
    connections: connectionStore(),
    inbox: inboxStore(),
    notifyConnectionQueue: queueClient(NOTIFY_CONNECTION_QUEUE_URL),
    deadLetterQueue: deadLetterQueue(),
    logger,
    metrics,
    clock: () => NOW,
  });
}

const items = (count: number, prefix = 'c', expiresAt = LIVE) =>
  Array.from({ length: count }, (_, index) => indexItem(`${prefix}${index}`, '1234', expiresAt, TTL));

/** The user index answers with these entries (one page). */
const givenUserIndex = (entries: ReturnType<typeof indexItem>[]) => dynamo.on(QueryCommand, { TableName: TABLE_NAME }).resolves({ Items: entries });

/** Every NotifyConnection body sent, parsed. */
function fannedOut(): Record<string, unknown>[] {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.MessageBody ?? '') as Record<string, unknown>);
}

/** The frame of a replayed notification, with the largest seq: the largest this notification can become. */
const largestFrameOverhead = (id: string): number =>
  Buffer.byteLength(JSON.stringify({ type: 'notification', id, seq: Number.MAX_SAFE_INTEGER, data: '', replayed: true }));

describe('Function: createNotifyUserHandler', () => {
  beforeEach(() => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message' });
  });

  const given = (index: ReturnType<typeof indexItem>[], inbox: InboxContents = { latest: 6 }) => {
    givenInbox(inbox);
    givenUserIndex(index);
  };

  afterEach(() => {
    resetMocks();
  });

  it('fans out to every authorized, unexpired connection in batches of 10, with one notification id and its seq', async () => {
    // Prepare: 25 live connections and 2 whose token has expired.
    given([...items(25), ...items(2, 'expired', NOW_S - 1)]);
    const record = sqsRecord(JSON.stringify({ userId: '1234', data: { download: '/reports/42' } }));

    // Act
    const response = await consumer()(sqsEvent([record]));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const batches = sqs.commandCalls(SendMessageBatchCommand);
    expect(batches.map((call) => call.args[0].input.Entries?.length).sort()).toEqual([10, 10, 5]);
    expect(batches.every((call) => call.args[0].input.QueueUrl === NOTIFY_CONNECTION_QUEUE_URL)).toBe(true);
    const bodies = fannedOut();
    expect(bodies).toHaveLength(25);
    expect(new Set(bodies.map((body) => body.connectionId))).toEqual(new Set(Array.from({ length: 25 }, (_, index) => `c${index}`)));
    expect(bodies.every((body) => body.id === record.messageId)).toBe(true);
    expect(bodies[0]).toEqual({ connectionId: expect.any(String) as unknown, data: { download: '/reports/42' }, id: record.messageId, seq: 7 });
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]?.MessageBody).toMatch(
      /^\{"connectionId":"c\d+","data":\{"download":"\/reports\/42"\},"id":"[^"]+","seq":7\}$/,
    );
    const indexQuery = dynamo.commandCalls(QueryCommand).find((call) => call.args[0].input.TableName === TABLE_NAME);
    expect(indexQuery?.args[0].input.ExpressionAttributeValues).toEqual({ ':userId': { S: '1234' } });
  });

  it('carries the given id to every connection', async () => {
    given(items(3));

    await consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 'hi', id: 'report-42' }))]));

    expect(fannedOut().map((body) => body.id)).toEqual(['report-42', 'report-42', 'report-42']);
  });

  it('follows the pages of the user index', async () => {
    givenInbox({ latest: 6 });
    dynamo
      .on(QueryCommand, { TableName: TABLE_NAME })
      .resolvesOnce({ Items: items(3, 'a'), LastEvaluatedKey: { userId: { S: '1234' }, connectionId: { S: 'a2' } } })
      .resolvesOnce({ Items: items(2, 'b') });

    await consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 1 }))]));

    expect(fannedOut().map((body) => body.connectionId)).toEqual(['a0', 'a1', 'a2', 'b0', 'b1']);
    expect(dynamo.commandCalls(QueryCommand).filter((call) => call.args[0].input.TableName === TABLE_NAME)).toHaveLength(2);
  });

  it('treats a user without connections as success: the notification is stored, nothing is sent', async () => {
    given([]);
    const logs = captureLogs();
    try {
      const response = await consumer(logs.logger)(sqsEvent([sqsRecord(JSON.stringify({ userId: 'nobody', data: 1 }))]));

      expect(response).toEqual({ batchItemFailures: [] });
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
      expect(logs.entries()).toEqual([expect.objectContaining({ message: 'Notification fanned out', userId: 'nobody', seq: 7, duplicate: false, connections: 0 })]);
      expect(inboxPuts()).toHaveLength(1);
    } finally {
      logs.restore();
    }
  });

  it('retries the NotifyUser message when NotifyConnection entries keep failing on the SQS side', async () => {
    given(items(3));
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });
    const record = sqsRecord(JSON.stringify({ userId: '1234', data: 1 }));

    await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('sends the NotifyUser message to the DLQ when SQS rejects the fan-out as the sender’s fault', async () => {
    given(items(2));
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] });

    await expect(consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: '\uffff' }))]))).resolves.toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe('rejected_by_queue');
  });

  it('retries when the user index cannot be read', async () => {
    givenInbox({ latest: 6 });
    dynamo.on(QueryCommand, { TableName: TABLE_NAME }).rejects(new Error('down'));
    const record = sqsRecord(JSON.stringify({ userId: '1234', data: 1 }));

    await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it.each([
    ['not JSON', 'hello', 'invalid_json'],
    ['without userId', '{"data":1}', 'invalid_body'],
    ['with a 129-character userId', JSON.stringify({ userId: 'u'.repeat(129), data: 1 }), 'invalid_body'],
    ['with an empty id', JSON.stringify({ userId: '1234', data: 1, id: '' }), 'invalid_body'],
  ])('sends a body %s to the DLQ without storing or querying', async (_label, text, reason) => {
    const response = await consumer()(sqsEvent([sqsRecord(text)]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe(reason);
    expect(dynamo.calls()).toHaveLength(0);
  });

  describe('the size of the largest frame (replayed, with the largest seq)', () => {
    it('sends a notification whose replayed frame would be one byte over 131,072 to the DLQ without storing it', async () => {
      // Prepare: the live frame would fit, the replayed one would not.
      given(items(1));
      const data = 'x'.repeat(131_072 - largestFrameOverhead('n') + 1);

      // Act
      const response = await consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data, id: 'n' }))]));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe('payload_too_large');
      expect(dynamo.calls()).toHaveLength(0);
    });

    it('stores and fans out a notification whose replayed frame is exactly 131,072 bytes', async () => {
      given(items(1));
      const data = 'x'.repeat(131_072 - largestFrameOverhead('n'));

      await expect(consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data, id: 'n' }))]))).resolves.toEqual({ batchItemFailures: [] });
      expect(inboxPuts()).toHaveLength(1);
      expect(fannedOut()).toHaveLength(1);
    });
  });

  describe('the inbox', () => {
    it('stores the notification, with its id and data as given, before it reads who to fan out to', async () => {
      // Prepare: record the order of the calls.
      given(items(1));
      const record = sqsRecord(JSON.stringify({ userId: '1234', data: { download: '/reports/42' }, id: 'report-42' }));

      // Act
      await consumer()(sqsEvent([record]));

      // Assess
      expect(inboxPuts()).toEqual([
        expect.objectContaining({
          userId: { S: '1234' },
          sk: { S: 'n#0000000000000007' },
          id: { S: 'report-42' },
          data: { S: '{"download":"/reports/42"}' },
          storedAt: { N: String(NOW) },
        }),
      ]);
      // …and only then reads the recent connections and the user index.
      const calls = dynamo.calls().map((call) => call.args[0]);
      const put = calls.findIndex((command) => command instanceof PutItemCommand);
      const fanOutReads = calls
        .map((command, index) => ({ command, index }))
        .filter(({ command }) => command instanceof QueryCommand && command.input.IndexName !== 'byId');
      expect(fanOutReads.map(({ command }) => (command as QueryCommand).input.TableName).sort()).toEqual([TABLE_NAME, INBOX_TABLE_NAME]);
      expect(put).toBeGreaterThanOrEqual(0);
      expect(fanOutReads.every(({ index }) => index > put)).toBe(true);
    });

    it('keeps the first seq of an id already in the inbox: nothing is stored again, and it is fanned out again with that seq', async () => {
      // Prepare: a redelivery of "report-42", stored as seq 3 the first time.
      given(items(2), { latest: 9, copies: [{ seq: 3, id: 'report-42', storedAt: NOW - 5000 }] });
      const logs = captureLogs();

      try {
        // Act
        const response = await consumer(logs.logger)(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 1, id: 'report-42' }))]));

        // Assess
        expect(response).toEqual({ batchItemFailures: [] });
        expect(inboxPuts()).toHaveLength(0);
        expect(fannedOut().map((body) => [body.connectionId, body.id, body.seq])).toEqual([
          ['c0', 'report-42', 3],
          ['c1', 'report-42', 3],
        ]);
        expect(logs.entries()).toEqual([expect.objectContaining({ message: 'Notification fanned out', seq: 3, duplicate: true, connections: 2 })]);
      } finally {
        logs.restore();
      }
    });

    it('retries the message, fanning out nothing, when the inbox cannot be written', async () => {
      given(items(2));
      dynamo.on(PutItemCommand, { TableName: INBOX_TABLE_NAME }).rejects(new Error('down'));
      const record = sqsRecord(JSON.stringify({ userId: '1234', data: 1 }));

      await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
      expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    });

    it('retries the message when concurrent stores took every seq it tried', async () => {
      given(items(2));
      dynamo
        .on(PutItemCommand, { TableName: INBOX_TABLE_NAME })
        .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
      dynamo.on(QueryCommand, { TableName: INBOX_TABLE_NAME, ScanIndexForward: false }).resolves({ Items: [] });
      const record = sqsRecord(JSON.stringify({ userId: '1234', data: 1 }));

      await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    });
  });

  describe('recent connections (authorized moments ago, maybe not in the user index yet)', () => {
    it('fans out to the union of the recent connections and the user index, each connection once', async () => {
      // Prepare: "new" is only a recent connection, "both" is in both, "c0" only in the index; "old" has expired.
      given([...items(1), indexItem('both', '1234', LIVE, TTL)], { latest: 6, recent: { new: NOW_S + 300, both: NOW_S + 300, old: NOW_S } });

      // Act
      const response = await consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 1, id: 'n' }))]));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(fannedOut().map((body) => body.connectionId).sort()).toEqual(['both', 'c0', 'new']);
      expect(fannedOut().every((body) => body.seq === 7 && body.id === 'n')).toBe(true);
      const pointerQuery = dynamo.commandCalls(QueryCommand).find((call) => call.args[0].input.KeyConditionExpression?.includes('begins_with') === true);
      expect(pointerQuery?.args[0].input).toEqual(expect.objectContaining({ TableName: INBOX_TABLE_NAME, ConsistentRead: true }));
    });

    it('retries the message when the recent connections cannot be read', async () => {
      given(items(1));
      dynamo.on(QueryCommand, { TableName: INBOX_TABLE_NAME, KeyConditionExpression: '#userId = :userId AND begins_with(#sk, :prefix)' }).rejects(new Error('down'));
      const record = sqsRecord(JSON.stringify({ userId: '1234', data: 1 }));

      await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    });
  });

  describe('metrics and the delivery latency attribute', () => {
    it('counts a newly stored notification, and gives every copy the NotifyUser message’s SentTimestamp', async () => {
      // Prepare
      given(items(12));
      const metrics = testMetrics();
      const sentAt = NOW - 250;

      // Act
      await consumer(silentLogger(), metrics)(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 1 }), { sentTimestamp: sentAt })]));

      // Assess
      expect(counts(metrics)).toEqual({ NotificationsStored: 1 });
      const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
      expect(entries).toHaveLength(12);
      expect(entries.map((entry) => entry.MessageAttributes)).toEqual(
        Array.from({ length: 12 }, () => ({ wsNotifySentAt: { DataType: 'String', StringValue: String(sentAt) } })),
      );
    });

    it('does not count a redelivered notification as stored again', async () => {
      // Prepare
      given(items(1), { latest: 9, copies: [{ seq: 3, id: 'report-42', storedAt: NOW - 5000 }] });
      const metrics = testMetrics();

      // Act
      await consumer(silentLogger(), metrics)(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 1, id: 'report-42' }))]));

      // Assess
      expect(fannedOut()).toHaveLength(1);
      expect(metrics.hasStoredMetrics()).toBe(false);
    });

    it('counts nothing for a message that goes to the DLQ', async () => {
      // Prepare
      const metrics = testMetrics();

      // Act
      await consumer(silentLogger(), metrics)(sqsEvent([sqsRecord('not json')]));

      // Assess
      expect(metrics.hasStoredMetrics()).toBe(false);
    });
  });
});
