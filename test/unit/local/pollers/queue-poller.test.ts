import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message, type ReceiveMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { FunctionInvoker, InvocationResult } from '../../../../src/local/functions/invocation';
import type { PollerBatchEvent, PollerLogEntry } from '../../../../src/local/pollers/poller-events';
import { QueuePoller } from '../../../../src/local/pollers/queue-poller';
import type { EventSourceMappingModel } from '../../../../src/local/template/stack-model';

const QUEUE = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/Work', arn: 'arn:aws:sqs:us-east-1:123456789012:Work' };

function messageFactory(id: string, body = `{"id":"${id}"}`): Message {
  return { MessageId: id, ReceiptHandle: `handle-${id}`, Body: body, MD5OfBody: 'md5', Attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'S', ApproximateFirstReceiveTimestamp: '2' } };
}

function mappingFactory(overrides: Partial<EventSourceMappingModel> = {}): EventSourceMappingModel {
  return { logicalId: 'WorkMapping', functionId: 'Worker', queueId: 'Work', batchSize: 3, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true, ...overrides };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i += 1) {
    const value = check();
    if (value !== undefined) return value;
    await sleep(2);
  }
  throw new Error('condition not met within 1 s');
}

/** A recording invoker: answers each batch with `answer(records)`, after `delayMs`. */
class RecordingInvoker implements FunctionInvoker {
  readonly batches: string[][] = [];
  running = 0;
  maxRunning = 0;

  constructor(
    private readonly answer: (messageIds: string[]) => InvocationResult,
    private readonly delayMs = 0,
  ) {}

  async invoke(_functionId: string, event: unknown): Promise<InvocationResult> {
    const ids = (event as SQSEvent).Records.map((record) => record.messageId);
    this.batches.push(ids);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await sleep(this.delayMs);
    this.running -= 1;
    return this.answer(ids);
  }
}

const success = (): InvocationResult => ({ status: 'ok', payload: { batchItemFailures: [] }, durationMs: 1, coldStart: false });

describe('Class: QueuePoller', () => {
  const client = new SQSClient({ region: 'us-east-1' });
  const sqs = mockClient(client);
  let pending: Message[];
  let poller: QueuePoller | undefined;
  const batches: PollerBatchEvent[] = [];
  const logs: PollerLogEntry[] = [];

  /** ReceiveMessage over an in-memory list: at most MaxNumberOfMessages, an empty answer after 5 ms when there is nothing. */
  function serveFromPending(): void {
    sqs.on(ReceiveMessageCommand).callsFake(async (input: ReceiveMessageCommandInput) => {
      if (pending.length === 0) await sleep(5);
      return { Messages: pending.splice(0, input.MaxNumberOfMessages ?? 1) };
    });
  }

  function deletedHandles(): string[] {
    return sqs.commandCalls(DeleteMessageBatchCommand).flatMap((call) => (call.args[0].input).Entries?.map((entry) => entry.ReceiptHandle ?? '') ?? []);
  }

  function start(invoker: FunctionInvoker, mapping = mappingFactory(), pollers = 1): QueuePoller {
    poller = new QueuePoller({ mapping, queue: QUEUE, invoker, client, region: 'us-east-1', pollers, onBatch: (event) => batches.push(event), onLog: (entry) => logs.push(entry) });
    poller.start();
    return poller;
  }

  beforeEach(() => {
    sqs.reset();
    pending = [];
    batches.length = 0;
    logs.length = 0;
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  afterEach(async () => {
    await poller?.close();
    poller = undefined;
  });

  afterAll(() => {
    sqs.restore();
    client.destroy();
  });

  describe('Method: start', () => {
    it('deletes only the messages a partial batch response does not name', async () => {
      // Prepare
      pending = [messageFactory('m1'), messageFactory('m2'), messageFactory('m3')];
      serveFromPending();
      const invoker = new RecordingInvoker(() => ({ status: 'ok', payload: { batchItemFailures: [{ itemIdentifier: 'm2' }] }, durationMs: 1, coldStart: false }));

      // Act
      start(invoker);
      const batch = await eventually(() => batches[0]);

      // Assess
      expect(invoker.batches).toEqual([['m1', 'm2', 'm3']]);
      expect(batch).toMatchObject({ outcome: 'partial', failedMessageIds: ['m2'], deleteFailures: 0 });
      expect(deletedHandles()).toEqual(['handle-m1', 'handle-m3']);
    });

    it('deletes nothing when the function fails', async () => {
      // Prepare
      pending = [messageFactory('m1'), messageFactory('m2'), messageFactory('m3')];
      serveFromPending();
      const invoker = new RecordingInvoker(() => ({ status: 'error', errorType: 'TypeError', errorMessage: 'x is undefined', durationMs: 1, coldStart: false }));

      // Act
      start(invoker);
      const batch = await eventually(() => batches[0]);

      // Assess
      expect(batch).toMatchObject({ outcome: 'failure', reason: 'TypeError: x is undefined', failedMessageIds: ['m1', 'm2', 'm3'] });
      expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
      expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('batch of 3 failed (TypeError: x is undefined)') as unknown }));
    });

    it('deletes the whole batch after a success when ReportBatchItemFailures is off, whatever the function returns', async () => {
      // Prepare
      pending = [messageFactory('m1'), messageFactory('m2'), messageFactory('m3')];
      serveFromPending();
      const invoker = new RecordingInvoker(() => ({ status: 'ok', payload: { batchItemFailures: [{ itemIdentifier: 'm2' }] }, durationMs: 1, coldStart: false }));

      // Act
      start(invoker, mappingFactory({ reportBatchItemFailures: false }));
      await eventually(() => batches[0]);

      // Assess
      expect(deletedHandles()).toEqual(['handle-m1', 'handle-m2', 'handle-m3']);
    });

    it('never runs more batches at once than MaximumConcurrency', async () => {
      // Prepare
      pending = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => messageFactory(id));
      serveFromPending();
      const invoker = new RecordingInvoker(success, 30);

      // Act
      start(invoker, mappingFactory({ batchSize: 1, maximumConcurrency: 2 }), 5);
      await eventually(() => (batches.length === 6 ? true : undefined));

      // Assess
      expect(invoker.maxRunning).toBe(2);
      expect(invoker.batches.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    });

    it('stops a batch before Lambda’s 6 MB payload limit', async () => {
      // Prepare: three 2.5 MB messages; batch size 10 with a window, so only the size limit closes the first batch.
      const big = 'x'.repeat(2.5 * 1024 * 1024);
      pending = [messageFactory('m1', big), messageFactory('m2', big), messageFactory('m3', big)];
      serveFromPending();
      const invoker = new RecordingInvoker(success);

      // Act
      start(invoker, mappingFactory({ batchSize: 10, maximumBatchingWindowSeconds: 1 }), 3);
      const first = await eventually(() => invoker.batches[0]);

      // Assess
      expect(first).toEqual(['m1', 'm2']);
    });

    it('logs a failed receive and polls again', async () => {
      // Prepare
      pending = [messageFactory('m1')];
      sqs.on(ReceiveMessageCommand).rejectsOnce(new Error('connect ECONNREFUSED')).callsFake(async (input: ReceiveMessageCommandInput) => {
        if (pending.length === 0) await sleep(5);
        return { Messages: pending.splice(0, input.MaxNumberOfMessages ?? 1) };
      });
      const invoker = new RecordingInvoker(success);

      // Act
      start(invoker, mappingFactory({ batchSize: 1 }));
      await eventually(() => batches[0]);

      // Assess
      expect(logs[0]).toEqual({ mappingId: 'WorkMapping', functionId: 'Worker', level: 'warn', message: 'ReceiveMessage failed (Error: connect ECONNREFUSED); retrying in 100 ms' });
      expect(invoker.batches).toEqual([['m1']]);
    });

    it('asks for one message at a time, long-polling, while the queue is idle', async () => {
      // Prepare
      serveFromPending();

      // Act
      start(new RecordingInvoker(success));
      await eventually(() => (sqs.commandCalls(ReceiveMessageCommand).length >= 3 ? true : undefined));

      // Assess
      const inputs = sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input);
      expect(inputs[0]).toEqual({ QueueUrl: QUEUE.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 20, AttributeNames: ['All'], MessageAttributeNames: ['All'] });
      expect(new Set(inputs.map((input) => input.MaxNumberOfMessages))).toEqual(new Set([1]));
    });
  });

  describe('Method: close', () => {
    it('waits for the batch in flight to finish and delete, then stops receiving', async () => {
      // Prepare
      pending = [messageFactory('m1')];
      serveFromPending();
      const invoker = new RecordingInvoker(success, 50);
      const local = start(invoker, mappingFactory({ batchSize: 1 }));
      await eventually(() => (invoker.running === 1 ? true : undefined));

      // Act
      await Promise.all([local.close(), local.close()]);
      const receivesAtClose = sqs.commandCalls(ReceiveMessageCommand).length;
      await sleep(30);

      // Assess
      expect(deletedHandles()).toEqual(['handle-m1']);
      expect(batches).toHaveLength(1);
      expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(receivesAtClose);
    });
  });

  describe('constructor', () => {
    it('refuses a batch size or window Lambda would refuse', () => {
      // Act & Assess
      expect(() => new QueuePoller({ mapping: mappingFactory({ batchSize: 0 }), queue: QUEUE, invoker: new RecordingInvoker(success), client, region: 'us-east-1' })).toThrow(
        'event source mapping WorkMapping: BatchSize must be from 1 to 10000, got 0',
      );
      expect(() => new QueuePoller({ mapping: mappingFactory({ maximumBatchingWindowSeconds: 301 }), queue: QUEUE, invoker: new RecordingInvoker(success), client, region: 'us-east-1' })).toThrow(
        /MaximumBatchingWindowInSeconds must be from 0 to 300/,
      );
    });
  });
});
