import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { attributeBytes, DeadLetterQueue, planBatches, QueueClient, runWithConcurrency } from '../../../../src/commons/clients/queue-client';
import { QueueSendError } from '../../../../src/commons/errors';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/ws-notify-test-NotifyConnection';

function queue(options: { maxBatchAttempts?: number; batchConcurrency?: number } = {}): QueueClient {
  return new QueueClient({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: QUEUE_URL, retryBaseDelayMs: 0, ...options });
}

describe('Class: QueueClient', () => {
  afterEach(() => {
    sqs.reset();
  });

  describe('Method: send', () => {
    it('sends one message with a delay and string attributes, and returns its id', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

      const id = await queue().send('{"connectionId":"c1"}', { delaySeconds: 30, attributes: { reason: 'x' } });

      expect(id).toBe('m-1');
      expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
        QueueUrl: QUEUE_URL,
        MessageBody: '{"connectionId":"c1"}',
        DelaySeconds: 30,
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'x' } },
      });
    });

    it('wraps a failure in a retryable QueueSendError', async () => {
      sqs.on(SendMessageCommand).rejects(new Error('down'));

      const error = await queue()
        .send('x')
        .catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(QueueSendError);
      expect((error as QueueSendError).retryable).toBe(true);
    });
  });

  describe('Method: sendBatch', () => {
    it('puts the given string attributes on every entry', async () => {
      sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

      await queue().sendBatch(['a', 'b'], { attributes: { wsNotifySentAt: '42' } });

      expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
        { Id: '0', MessageBody: 'a', MessageAttributes: { wsNotifySentAt: { DataType: 'String', StringValue: '42' } } },
        { Id: '1', MessageBody: 'b', MessageAttributes: { wsNotifySentAt: { DataType: 'String', StringValue: '42' } } },
      ]);
    });

    it('sends 25 bodies as batches of 10, 10 and 5', async () => {
      sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
      const bodies = Array.from({ length: 25 }, (_, index) => `body-${index}`);

      const result = await queue().sendBatch(bodies);

      expect(result).toEqual({ sent: 25, failed: [] });
      const entries = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);
      expect(entries.map((batch) => batch.length).sort()).toEqual([10, 10, 5]);
      expect(entries.flat().map((entry) => entry.MessageBody).sort()).toEqual([...bodies].sort());
    });

    it('retries only the entries SQS failed on its side', async () => {
      // Prepare: entries 1 and 3 fail once with a server fault, then succeed.
      sqs
        .on(SendMessageBatchCommand)
        .resolvesOnce({
          Successful: [],
          Failed: [
            { Id: '1', Code: 'InternalError', SenderFault: false },
            { Id: '3', Code: 'InternalError', SenderFault: false },
          ],
        })
        .resolves({ Successful: [], Failed: [] });

      // Act
      const result = await queue().sendBatch(['a', 'b', 'c', 'd']);

      // Assess
      expect(result).toEqual({ sent: 4, failed: [] });
      const calls = sqs.commandCalls(SendMessageBatchCommand);
      expect(calls).toHaveLength(2);
      expect(calls[1]?.args[0].input.Entries).toEqual([
        { Id: '1', MessageBody: 'b' },
        { Id: '3', MessageBody: 'd' },
      ]);
    });

    it('reports entries still failing after the last attempt', async () => {
      sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'ServiceUnavailable', SenderFault: false }] });

      const result = await queue({ maxBatchAttempts: 3 }).sendBatch(['a', 'b']);

      expect(result).toEqual({ sent: 1, failed: [{ index: 0, code: 'ServiceUnavailable', senderFault: false }] });
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
    });

    it('does not retry entries SQS blamed on the sender', async () => {
      sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '1', Code: 'InvalidMessageContents', SenderFault: true }] });

      const result = await queue().sendBatch(['a', 'b']);

      expect(result.failed).toEqual([{ index: 1, code: 'InvalidMessageContents', senderFault: true }]);
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    });

    it('reports every entry of a request that failed as a whole as retryable', async () => {
      sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('throttled'), { name: 'RequestThrottled' }));

      const result = await queue().sendBatch(['a', 'b', 'c']);

      expect(result).toEqual({
        sent: 0,
        failed: [0, 1, 2].map((index) => ({ index, code: 'RequestThrottled', senderFault: false })),
      });
    });

    it('keeps at most `batchConcurrency` requests in flight', async () => {
      let inFlight = 0;
      let peak = 0;
      sqs.on(SendMessageBatchCommand).callsFake(async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return { Successful: [], Failed: [] };
      });

      await queue({ batchConcurrency: 2 }).sendBatch(Array.from({ length: 100 }, (_, index) => String(index)));

      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(10);
      expect(peak).toBe(2);
    });
  });
});

describe('Function: planBatches', () => {
  it('starts a new batch at 10 entries or before 256 KiB would be exceeded', () => {
    const large = 'x'.repeat(100_000);

    expect(planBatches(Array.from({ length: 11 }, () => 'a'))).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10]]);
    expect(planBatches([large, large, large, 'a'])).toEqual([[0, 1], [2, 3]]);
    expect(planBatches([])).toEqual([]);
  });

  it('counts the bytes of each entry’s message attributes with its body', () => {
    // Prepare: two bodies that fit 256 KiB together, but not with their attributes.
    const half = 'x'.repeat(131_072 - 10);
    const attributes = { wsNotifySentAt: '1765621100000' };

    // Act & Assess
    expect(attributeBytes(attributes)).toBe('wsNotifySentAt'.length + 'String'.length + 13);
    expect(planBatches([half, half])).toEqual([[0, 1]]);
    expect(planBatches([half, half], attributeBytes(attributes))).toEqual([[0], [1]]);
  });
});

describe('Function: runWithConcurrency', () => {
  it('runs every task once and handles an empty list', async () => {
    const seen: number[] = [];

    await runWithConcurrency([1, 2, 3], 5, (item) => {
      seen.push(item);
      return Promise.resolve();
    });
    await runWithConcurrency([], 5, () => Promise.reject(new Error('never called')));

    expect(seen.sort()).toEqual([1, 2, 3]);
  });
});

describe('Class: DeadLetterQueue', () => {
  afterEach(() => {
    sqs.reset();
  });

  it('sends the original body with reason and source attributes', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    const dlq = new DeadLetterQueue(queue());

    const id = await dlq.send('not json', 'invalid_json', { messageId: 'm-1', eventSourceArn: 'arn:aws:sqs:us-east-1:1:q' });

    expect(id).toBe('dlq-1');
    expect(dlq.queueUrl).toBe(QUEUE_URL);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: 'not json',
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: 'invalid_json' },
        sourceMessageId: { DataType: 'String', StringValue: 'm-1' },
        sourceQueueArn: { DataType: 'String', StringValue: 'arn:aws:sqs:us-east-1:1:q' },
      },
    });
  });

  it('omits the source queue when unknown', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-2' });

    await new DeadLetterQueue(queue()).send('x', 'invalid_body', { messageId: 'm-2' });

    expect(Object.keys(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes ?? {})).toEqual(['reason', 'sourceMessageId']);
  });
});
