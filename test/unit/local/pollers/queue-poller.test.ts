import type { Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { FunctionInvoker, InvocationResult } from '../../../../src/local/functions/invocation';
import type { PollerBatchEvent, PollerLogEntry } from '../../../../src/local/pollers/poller-events';
import { QueuePoller } from '../../../../src/local/pollers/queue-poller';
import type { DeleteFailure, EventSourceQueue } from '../../../../src/local/services/sqs-engine';
import type { EventSourceMappingModel } from '../../../../src/local/template/stack-model';

const QUEUE = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/Work', arn: 'arn:aws:sqs:us-east-1:123456789012:Work' };

function messageFactory(id: string, body = `{"id":"${id}"}`): Message {
  return { MessageId: id, ReceiptHandle: `handle-${id}`, Body: body, MD5OfBody: 'md5', Attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'S', ApproximateFirstReceiveTimestamp: '2' } };
}

function mappingFactory(overrides: Partial<EventSourceMappingModel> = {}): EventSourceMappingModel {
  return { logicalId: 'WorkMapping', functionId: 'Worker', queueId: 'Work', batchSize: 3, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true, ...overrides };
}

// The poller's back-off pause (node:timers/promises, which jest's fake timers leave real) on the test's fake clock.
jest.mock('node:timers/promises', () => ({
  setTimeout: (ms: number, value: unknown, { signal }: { signal?: AbortSignal } = {}) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms, value);
      signal?.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))), { once: true });
    }),
}));

/** Resolves after `ms` of the test's fake time (jest fake timers in every test of this file). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Moves fake time on 2 ms at a time until `check` gives a value; fails after 1 s of fake time. */
async function eventually<T>(check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i += 1) {
    const value = check();
    if (value !== undefined) return value;
    await jest.advanceTimersByTimeAsync(2);
  }
  throw new Error('condition not met within 1 s');
}

/** Moves fake time on until the promise settles (a close that waits for a batch in flight). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const done = () => {
    settled = true;
  };
  promise.then(done, done);
  for (let i = 0; i < 500 && !settled; i += 1) await jest.advanceTimersByTimeAsync(2);
  return promise;
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

type ReceiveRequest = Parameters<EventSourceQueue['receive']>[0];

/** An event source queue in memory: receives are answered by `onReceive`, deletes are recorded. */
class FakeQueue implements EventSourceQueue {
  readonly receives: ReceiveRequest[] = [];
  readonly deleteCalls: string[][] = [];
  onReceive: (request: ReceiveRequest) => Promise<Message[]> = () => new Promise(() => undefined);

  /** Rejects at once when the poller aborts, as the embedded queue does. */
  receive(request: ReceiveRequest): Promise<Message[]> {
    this.receives.push(request);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new Error('aborted'));
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => request.signal?.removeEventListener('abort', onAbort);
      this.onReceive(request).then(
        (messages) => {
          settle();
          resolve(messages);
        },
        (error: unknown) => {
          settle();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  deleteBatch(receiptHandles: readonly string[]): Promise<DeleteFailure[]> {
    this.deleteCalls.push([...receiptHandles]);
    return Promise.resolve([]);
  }
}

const success = (): InvocationResult => ({ status: 'ok', payload: { batchItemFailures: [] }, durationMs: 1, coldStart: false });

describe('Class: QueuePoller', () => {
  let source: FakeQueue;
  let pending: Message[];
  let poller: QueuePoller | undefined;
  const batches: PollerBatchEvent[] = [];
  const logs: PollerLogEntry[] = [];

  /** ReceiveMessage over an in-memory list: at most maxMessages, an empty answer after 5 ms when there is nothing. */
  async function fromPending(request: ReceiveRequest): Promise<Message[]> {
    // This test's list: an aborted receive of an earlier test must not take the next test's messages.
    const list = pending;
    if (list.length === 0) await sleep(5);
    return list.splice(0, request.maxMessages);
  }

  function serveFromPending(): void {
    source.onReceive = fromPending;
  }

  function deletedHandles(): string[] {
    return source.deleteCalls.flat();
  }

  function start(invoker: FunctionInvoker, mapping = mappingFactory(), pollers = 1): QueuePoller {
    poller = new QueuePoller({ mapping, queue: QUEUE, source, invoker, region: 'us-east-1', pollers, onBatch: (event) => batches.push(event), onLog: (entry) => logs.push(entry) });
    poller.start();
    return poller;
  }

  beforeEach(() => {
    jest.useFakeTimers();
    source = new FakeQueue();
    pending = [];
    batches.length = 0;
    logs.length = 0;
  });

  afterEach(async () => {
    if (poller !== undefined) await settle(poller.close());
    poller = undefined;
    jest.useRealTimers();
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
      expect(source.deleteCalls).toHaveLength(0);
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
      let failed = false;
      source.onReceive = (request) => {
        if (failed) return fromPending(request);
        failed = true;
        return Promise.reject(new Error('connect ECONNREFUSED'));
      };
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
      await eventually(() => (source.receives.length >= 3 ? true : undefined));

      // Assess
      expect(source.receives[0]).toMatchObject({ maxMessages: 1, waitTimeSeconds: 20 });
      expect(source.receives[0]?.signal).toBeInstanceOf(AbortSignal);
      expect(new Set(source.receives.map((request) => request.maxMessages))).toEqual(new Set([1]));
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
      await settle(Promise.all([local.close(), local.close()]));
      const receivesAtClose = source.receives.length;
      await jest.advanceTimersByTimeAsync(30);

      // Assess
      expect(deletedHandles()).toEqual(['handle-m1']);
      expect(batches).toHaveLength(1);
      expect(source.receives).toHaveLength(receivesAtClose);
    });
  });

  describe('constructor', () => {
    it('refuses a batch size or window Lambda would refuse', () => {
      // Act & Assess
      expect(() => new QueuePoller({ mapping: mappingFactory({ batchSize: 0 }), queue: QUEUE, source: new FakeQueue(), invoker: new RecordingInvoker(success), region: 'us-east-1' })).toThrow(
        'event source mapping WorkMapping: BatchSize must be from 1 to 10000, got 0',
      );
      expect(() => new QueuePoller({ mapping: mappingFactory({ maximumBatchingWindowSeconds: 301 }), queue: QUEUE, source: new FakeQueue(), invoker: new RecordingInvoker(success), region: 'us-east-1' })).toThrow(
        /MaximumBatchingWindowInSeconds must be from 0 to 300/,
      );
    });
  });
});
