import { GoneException, LimitExceededException, PayloadTooLargeException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchGetItemCommand, DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createNotifyConnectionHandler } from '../../../src/handlers/notify-connection';
import {
  connectionStore,
  DEAD_LETTER_QUEUE_URL,
  deadLetterQueue,
  dynamo,
  gatewayClient,
  management,
  postedFrames,
  resetMocks,
  sqs,
  TABLE_NAME,
} from '../helpers/aws';
import { capturedSqsEvent, sqsEvent, sqsRecord } from '../helpers/events';
import { captureLogs, silentLogger, type CapturedLogs } from '../helpers/logs';
import { dataText } from '../helpers/data';
import { like } from '../helpers/matchers';
import { counts, storedMetrics, testMetrics } from '../helpers/metrics';
import { authorizedRecord, item, pendingRecord } from '../helpers/records';

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const LIVE = Math.floor(NOW / 1000) + 600;

function consumer(logger = silentLogger(), metrics = testMetrics()) {
  return createNotifyConnectionHandler({
    connections: connectionStore(),
    gateway: gatewayClient(),
    deadLetterQueue: deadLetterQueue(),
    logger,
    metrics,
    clock: () => NOW,
  });
}

type BatchGetInput = { RequestItems: Record<string, { Keys: { connectionId: { S: string } }[] }> };

/** Every connection in `records` exists, for GetItem and BatchGetItem; others are absent. */
function givenConnections(records: ReturnType<typeof authorizedRecord>[]): void {
  const find = (connectionId: string) => records.find((candidate) => candidate.connectionId === connectionId);
  dynamo.on(GetItemCommand).callsFake((input: { Key: { connectionId: { S: string } } }) => {
    const record = find(input.Key.connectionId.S);
    return record === undefined ? {} : { Item: item(record) };
  });
  dynamo.on(BatchGetItemCommand).callsFake((input: BatchGetInput) => {
    const keys = input.RequestItems[TABLE_NAME]?.Keys ?? [];
    const found = keys.map((key) => find(key.connectionId.S)).filter((record) => record !== undefined);
    return { Responses: { [TABLE_NAME]: found.map((record) => item(record)) }, UnprocessedKeys: {} };
  });
}

const body = (connectionId: string, data: unknown = { download: '/reports/42' }, id?: string): string =>
  JSON.stringify({ connectionId, data, ...(id === undefined ? {} : { id }) });

function deadLetters(): { body: string | undefined; reason: string | undefined; sourceMessageId: string | undefined }[] {
  return sqs.commandCalls(SendMessageCommand).map((call) => ({
    body: call.args[0].input.MessageBody,
    reason: call.args[0].input.MessageAttributes?.reason?.StringValue,
    sourceMessageId: call.args[0].input.MessageAttributes?.sourceMessageId?.StringValue,
  }));
}

describe('Function: createNotifyConnectionHandler', () => {
  beforeEach(() => {
    management.on(PostToConnectionCommand).resolves({});
    dynamo.on(DeleteItemCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message' });
  });

  afterEach(() => {
    resetMocks();
  });

  it('delivers the captured SQS event as a notification frame whose id is the SQS message id', async () => {
    // Prepare
    const event = capturedSqsEvent();
    givenConnections([authorizedRecord('XfGLwdrQtjMCJvw=', { expiresAt: LIVE })]);

    // Act
    const response = await consumer()(event);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(postedFrames()).toEqual([
      {
        connectionId: 'XfGLwdrQtjMCJvw=',
        frame: { type: 'notification', id: '059f36b4-87a3-44ab-83d2-661975830a7d', data: { download: '/reports/42' } },
      },
    ]);
  });

  describe('reading the batch', () => {
    it('reads every connection of the batch with one BatchGetItem, strongly consistent, and no GetItem', async () => {
      // Prepare
      givenConnections([authorizedRecord('c1', { expiresAt: LIVE }), authorizedRecord('c2', { expiresAt: LIVE })]);

      // Act
      const response = await consumer()(sqsEvent([sqsRecord(body('c1')), sqsRecord(body('c2')), sqsRecord(body('c1'))]));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(dynamo.commandCalls(BatchGetItemCommand).map((call) => call.args[0].input)).toEqual([
        { RequestItems: { [TABLE_NAME]: { Keys: [{ connectionId: { S: 'c1' } }, { connectionId: { S: 'c2' } }], ConsistentRead: true } } },
      ]);
      expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(0);
      expect(postedFrames().map((posted) => posted.connectionId).sort()).toEqual(['c1', 'c1', 'c2']);
    });

    it('reads a connection on its own when BatchGetItem left it unprocessed, and every one when BatchGetItem fails', async () => {
      // Prepare
      givenConnections([authorizedRecord('c1', { expiresAt: LIVE }), authorizedRecord('c2', { expiresAt: LIVE })]);
      dynamo.on(BatchGetItemCommand).resolves({
        Responses: { [TABLE_NAME]: [item(authorizedRecord('c1', { expiresAt: LIVE }))] },
        UnprocessedKeys: { [TABLE_NAME]: { Keys: [{ connectionId: { S: 'c2' } }] } },
      });

      // Act: the store waits 25 ms, then 50 ms, before asking BatchGetItem again (fake time)
      jest.useFakeTimers();
      let partial;
      try {
        const consuming = consumer()(sqsEvent([sqsRecord(body('c1')), sqsRecord(body('c2'))]));
        await jest.runAllTimersAsync();
        partial = await consuming;
      } finally {
        jest.useRealTimers();
      }
      const readAlone = dynamo.commandCalls(GetItemCommand).map((call) => call.args[0].input.Key?.connectionId?.S);
      dynamo.on(BatchGetItemCommand).rejects(new Error('down'));
      const failed = await consumer()(sqsEvent([sqsRecord(body('c1')), sqsRecord(body('c2'))]));

      // Assess
      expect(partial).toEqual({ batchItemFailures: [] });
      expect(readAlone).toEqual(['c2']);
      expect(failed).toEqual({ batchItemFailures: [] });
      expect(dynamo.commandCalls(GetItemCommand).map((call) => call.args[0].input.Key?.connectionId?.S).sort()).toEqual(['c1', 'c2', 'c2']);
      expect(postedFrames()).toHaveLength(4);
    });
  });

  it('uses the given id', async () => {
    givenConnections([authorizedRecord('c1', { expiresAt: LIVE })]);

    await consumer()(sqsEvent([sqsRecord(body('c1', 'hello', 'report-42'))]));

    expect(postedFrames()).toEqual([{ connectionId: 'c1', frame: { type: 'notification', id: 'report-42', data: 'hello' } }]);
  });

  describe('refusals (logged, success, nothing sent)', () => {
    let logs: CapturedLogs;

    beforeEach(() => {
      logs = captureLogs();
    });

    afterEach(() => {
      logs.restore();
    });

    it.each([
      ['absent', [], 'absent'],
      ['pending', [pendingRecord('c1', NOW)], 'unauthorized'],
      ['expired', [authorizedRecord('c1', { expiresAt: Math.floor(NOW / 1000) })], 'token_expired'],
    ])('refuses a connection that is %s', async (_label, records, reason) => {
      givenConnections(records);
      const record = sqsRecord(body('c1'));

      const response = await consumer(logs.logger)(sqsEvent([record]));

      expect(response).toEqual({ batchItemFailures: [] });
      expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(0);
      expect(deadLetters()).toEqual([]);
      expect(logs.entries()).toEqual([
        expect.objectContaining({ message: 'Notification refused', connectionId: 'c1', reason, messageId: record.messageId }),
      ]);
    });
  });

  it('delivers a body of the NotifyUser fan-out with its seq', async () => {
    givenConnections([authorizedRecord('c1', { expiresAt: LIVE })]);

    await consumer()(sqsEvent([sqsRecord(JSON.stringify({ connectionId: 'c1', data: { n: 1 }, id: 'report-42', seq: 17 }))]));

    const posted = management.commandCalls(PostToConnectionCommand).map((call) => dataText(call.args[0].input.Data));
    expect(posted).toEqual(['{"type":"notification","id":"report-42","seq":17,"data":{"n":1}}']);
  });

  it('sends a body with an invalid seq to the DLQ', async () => {
    const text = JSON.stringify({ connectionId: 'c1', data: 1, seq: 0 });

    await expect(consumer()(sqsEvent([sqsRecord(text)]))).resolves.toEqual({ batchItemFailures: [] });
    expect(deadLetters()).toEqual([like({ reason: 'invalid_body' })]);
  });

  describe('a connection that is gone (410)', () => {
    const gone = () => management.on(PostToConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));

    it('has its record deleted once it is 60 s old or more, and reports success', async () => {
      // Prepare: connected exactly the handshake window ago.
      givenConnections([authorizedRecord('stale', { expiresAt: LIVE, connectedAt: NOW - 60_000 })]);
      gone();

      // Act
      const response = await consumer()(sqsEvent([sqsRecord(body('stale'))]));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(dynamo.commandCalls(DeleteItemCommand).map((call) => call.args[0].input.Key)).toEqual([{ connectionId: { S: 'stale' } }]);
    });

    it('keeps the record of a connection younger than 60 s (it may still be completing its handshake), logs it and reports success', async () => {
      // Prepare: connected 1 ms less than the handshake window ago.
      givenConnections([authorizedRecord('young', { expiresAt: LIVE, connectedAt: NOW - 59_999 })]);
      gone();
      const logs = captureLogs();
      const record = sqsRecord(body('young', 1, 'report-42'));

      try {
        // Act
        const response = await consumer(logs.logger)(sqsEvent([record]));

        // Assess
        expect(response).toEqual({ batchItemFailures: [] });
        expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(0);
        expect(deadLetters()).toEqual([]);
        expect(logs.entries()).toEqual([
          like({
            message: 'Notification target answered 410 within its handshake window: record kept',
            connectionId: 'young',
            notificationId: 'report-42',
            messageId: record.messageId,
          }),
        ]);
      } finally {
        logs.restore();
      }
    });
  });

  it('reports a transient Management API failure for retry', async () => {
    givenConnections([authorizedRecord('c1', { expiresAt: LIVE })]);
    management.on(PostToConnectionCommand).rejects(new LimitExceededException({ message: 'slow down', $metadata: {} }));
    const record = sqsRecord(body('c1'));

    await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it('reports a DynamoDB failure for retry', async () => {
    dynamo.on(GetItemCommand).rejects(new Error('down'));
    const record = sqsRecord(body('c1'));

    await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  describe('bodies that can never succeed go to the DLQ', () => {
    it.each([
      ['not JSON', '{"connectionId":', 'invalid_json'],
      ['without connectionId', '{"data":1}', 'invalid_body'],
      ['without data', '{"connectionId":"c1"}', 'invalid_body'],
      ['a JSON array', '[]', 'invalid_body'],
    ])('sends a body that is %s to the DLQ with its reason, as success', async (_label, text, reason) => {
      const record = sqsRecord(text);

      const response = await consumer()(sqsEvent([record]));

      expect(response).toEqual({ batchItemFailures: [] });
      expect(deadLetters()).toEqual([{ body: text, reason, sourceMessageId: record.messageId }]);
      expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.QueueUrl).toBe(DEAD_LETTER_QUEUE_URL);
      expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(0);
    });

    it('sends a notification whose frame would exceed 131,072 bytes to the DLQ without reading the table', async () => {
      // Prepare: data sized so that the frame is exactly one byte over the limit.
      const overhead = Buffer.byteLength(JSON.stringify({ type: 'notification', id: 'n', data: '' }));
      const text = body('c1', 'x'.repeat(131_072 - overhead + 1), 'n');

      // Act
      const response = await consumer()(sqsEvent([sqsRecord(text)]));

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(deadLetters()).toEqual([like({ reason: 'payload_too_large' })]);
      expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(0);
    });

    it('delivers a frame of exactly 131,072 bytes', async () => {
      givenConnections([authorizedRecord('c1', { expiresAt: LIVE })]);
      const overhead = Buffer.byteLength(JSON.stringify({ type: 'notification', id: 'n', data: '' }));

      await consumer()(sqsEvent([sqsRecord(body('c1', 'x'.repeat(131_072 - overhead), 'n'))]));

      expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(1);
      expect(deadLetters()).toEqual([]);
    });

    it('sends a frame the Management API refuses as too large (413) to the DLQ', async () => {
      givenConnections([authorizedRecord('c1', { expiresAt: LIVE })]);
      management.on(PostToConnectionCommand).rejects(new PayloadTooLargeException({ message: 'too large', $metadata: {} }));

      await expect(consumer()(sqsEvent([sqsRecord(body('c1'))]))).resolves.toEqual({ batchItemFailures: [] });
      expect(deadLetters()).toEqual([like({ reason: 'payload_too_large' })]);
    });

    it('reports the message for retry when the DLQ itself cannot be reached', async () => {
      sqs.on(SendMessageCommand).rejects(new Error('dlq down'));
      const record = sqsRecord('not json');

      await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    });
  });

  it('handles a batch of 10 with one transient failure and one poison body: only the transient one is retried', async () => {
    // Prepare
    const connections = Array.from({ length: 9 }, (_, index) => authorizedRecord(`c${index}`, { expiresAt: LIVE }));
    givenConnections(connections);
    management.on(PostToConnectionCommand).callsFake((input: { ConnectionId: string }) => {
      if (input.ConnectionId === 'c4') throw new LimitExceededException({ message: 'slow down', $metadata: {} });
      return {};
    });
    const records = connections.map((connection) => sqsRecord(body(connection.connectionId, { n: connection.connectionId })));
    const poison = sqsRecord('{"connectionId": "c9", "data": ');
    records.splice(6, 0, poison);
    const transient = records.find((record) => record.body.includes('"c4"'));

    // Act
    const response = await consumer()(sqsEvent(records));

    // Assess
    expect(records).toHaveLength(10);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: transient?.messageId }] });
    expect(deadLetters()).toEqual([{ body: poison.body, reason: 'invalid_json', sourceMessageId: poison.messageId }]);
    const delivered = postedFrames()
      .filter((post) => post.connectionId !== 'c4')
      .map((post) => post.connectionId)
      .sort();
    expect(delivered).toEqual(['c0', 'c1', 'c2', 'c3', 'c5', 'c6', 'c7', 'c8']);
  });

  it('returns every record as failed, rather than throwing, when the whole batch fails', async () => {
    dynamo.on(GetItemCommand).rejects(new Error('down'));
    const records = [sqsRecord(body('a')), sqsRecord(body('b'))];

    await expect(consumer()(sqsEvent(records))).resolves.toEqual({
      batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
    });
  });

  describe('metrics', () => {
    it('counts each delivery with its latency from the application’s send: the NotifyUser time a fan-out copy carries, else the message’s own SentTimestamp', async () => {
      // Prepare: a fan-out copy sent to NotifyUser 4 s ago (re-sent to NotifyConnection 200 ms ago), and a notification sent to NotifyConnection 1.5 s ago.
      givenConnections([authorizedRecord('c1', { expiresAt: LIVE }), authorizedRecord('c2', { expiresAt: LIVE })]);
      const metrics = testMetrics();
      const fanOutCopy = sqsRecord(body('c1'), { sentTimestamp: NOW - 200, messageAttributes: { wsNotifySentAt: String(NOW - 4000) } });
      const direct = sqsRecord(body('c2'), { sentTimestamp: NOW - 1500 });

      // Act
      await consumer(silentLogger(), metrics)(sqsEvent([fanOutCopy, direct]));

      // Assess
      const stored = storedMetrics(metrics);
      expect(stored.values.NotificationsDelivered).toEqual([1, 1]);
      expect([...(stored.values.DeliveryLatency ?? [])].sort((a, b) => a - b)).toEqual([1500, 4000]);
      expect(stored.units).toEqual({ NotificationsDelivered: 'Count', DeliveryLatency: 'Milliseconds' });
      expect(stored.dimensions).toEqual({ service: 'ws-notify', stage: 'test' });
    });

    it('counts a 410 as gone (whether or not the record is deleted) and a connection that may not receive as refused, with no latency', async () => {
      // Prepare
      givenConnections([
        authorizedRecord('stale', { expiresAt: LIVE, connectedAt: NOW - 60_000 }),
        authorizedRecord('young', { expiresAt: LIVE, connectedAt: NOW - 1_000 }),
        pendingRecord('pending', NOW),
      ]);
      management.on(PostToConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));
      const metrics = testMetrics();

      // Act
      await consumer(silentLogger(), metrics)(sqsEvent([sqsRecord(body('stale')), sqsRecord(body('young')), sqsRecord(body('pending')), sqsRecord(body('absent'))]));

      // Assess
      expect(counts(metrics)).toEqual({ NotificationsGone: 2, NotificationsRefused: 2 });
      expect(storedMetrics(metrics).values.DeliveryLatency).toBeUndefined();
    });

    it('counts nothing for a record that is retried or sent to the DLQ', async () => {
      // Prepare
      givenConnections([authorizedRecord('c1', { expiresAt: LIVE })]);
      management.on(PostToConnectionCommand).rejects(new LimitExceededException({ message: 'slow down', $metadata: {} }));
      const metrics = testMetrics();

      // Act
      await consumer(silentLogger(), metrics)(sqsEvent([sqsRecord(body('c1')), sqsRecord('not json')]));

      // Assess
      expect(metrics.hasStoredMetrics()).toBe(false);
    });
  });
});
