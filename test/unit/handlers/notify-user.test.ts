import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createNotifyUserHandler } from '../../../src/handlers/notify-user';
import { connectionStore, deadLetterQueue, dynamo, NOTIFY_CONNECTION_QUEUE_URL, queueClient, resetMocks, sqs } from '../helpers/aws';
import { sqsEvent, sqsRecord } from '../helpers/events';
import { captureLogs, silentLogger } from '../helpers/logs';
import { indexItem } from '../helpers/records';

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const NOW_S = Math.floor(NOW / 1000);
const LIVE = NOW_S + 600;
const TTL = NOW_S + 8000;

function consumer(logger = silentLogger()) {
  return createNotifyUserHandler({
    connections: connectionStore(),
    notifyConnectionQueue: queueClient(NOTIFY_CONNECTION_QUEUE_URL),
    deadLetterQueue: deadLetterQueue(),
    logger,
    clock: () => NOW,
  });
}

const items = (count: number, prefix = 'c', expiresAt = LIVE) =>
  Array.from({ length: count }, (_, index) => indexItem(`${prefix}${index}`, '1234', expiresAt, TTL));

/** Every NotifyConnection body sent, parsed. */
function fannedOut(): Record<string, unknown>[] {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.MessageBody ?? '') as Record<string, unknown>);
}

describe('Function: createNotifyUserHandler', () => {
  beforeEach(() => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message' });
  });

  afterEach(() => {
    resetMocks();
  });

  it('fans out to every authorized, unexpired connection in batches of 10, with one notification id', async () => {
    // Prepare: 25 live connections and 2 whose token has expired.
    dynamo.on(QueryCommand).resolves({ Items: [...items(25), ...items(2, 'expired', NOW_S - 1)] });
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
    expect(bodies[0]).toEqual({ connectionId: expect.any(String) as unknown, data: { download: '/reports/42' }, id: record.messageId });
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.ExpressionAttributeValues).toEqual({ ':userId': { S: '1234' } });
  });

  it('carries the given id to every connection', async () => {
    dynamo.on(QueryCommand).resolves({ Items: items(3) });

    await consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 'hi', id: 'report-42' }))]));

    expect(fannedOut().map((body) => body.id)).toEqual(['report-42', 'report-42', 'report-42']);
  });

  it('follows the pages of the user index', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: items(3, 'a'), LastEvaluatedKey: { userId: { S: '1234' }, connectionId: { S: 'a2' } } })
      .resolvesOnce({ Items: items(2, 'b') });

    await consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 1 }))]));

    expect(fannedOut().map((body) => body.connectionId)).toEqual(['a0', 'a1', 'a2', 'b0', 'b1']);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(2);
  });

  it('treats a user without connections as success and sends nothing', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const logs = captureLogs();
    try {
      const response = await consumer(logs.logger)(sqsEvent([sqsRecord(JSON.stringify({ userId: 'nobody', data: 1 }))]));

      expect(response).toEqual({ batchItemFailures: [] });
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
      expect(logs.entries()).toEqual([expect.objectContaining({ message: 'Notification fanned out', userId: 'nobody', connections: 0 })]);
    } finally {
      logs.restore();
    }
  });

  it('retries the NotifyUser message when NotifyConnection entries keep failing on the SQS side', async () => {
    dynamo.on(QueryCommand).resolves({ Items: items(3) });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });
    const record = sqsRecord(JSON.stringify({ userId: '1234', data: 1 }));

    await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('sends the NotifyUser message to the DLQ when SQS rejects the fan-out as the sender’s fault', async () => {
    dynamo.on(QueryCommand).resolves({ Items: items(2) });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] });

    await expect(consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: '\uffff' }))]))).resolves.toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe('rejected_by_queue');
  });

  it('retries when the user index cannot be read', async () => {
    dynamo.on(QueryCommand).rejects(new Error('down'));
    const record = sqsRecord(JSON.stringify({ userId: '1234', data: 1 }));

    await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it.each([
    ['not JSON', 'hello', 'invalid_json'],
    ['without userId', '{"data":1}', 'invalid_body'],
    ['with a 129-character userId', JSON.stringify({ userId: 'u'.repeat(129), data: 1 }), 'invalid_body'],
    ['with an empty id', JSON.stringify({ userId: '1234', data: 1, id: '' }), 'invalid_body'],
  ])('sends a body %s to the DLQ without querying', async (_label, text, reason) => {
    const response = await consumer()(sqsEvent([sqsRecord(text)]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe(reason);
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('sends a notification too large for one WebSocket message to the DLQ without fanning out', async () => {
    const response = await consumer()(sqsEvent([sqsRecord(JSON.stringify({ userId: '1234', data: 'x'.repeat(131_072) }))]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe('payload_too_large');
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
