/**
 * The queue pollers honour an event source mapping's MaximumConcurrency as Lambda does: never more
 * batches of the mapping in flight at once, and the next batch as soon as one ends; one at a time
 * while the work it yields to (ReservedCapacity) is busy. Against the
 * real embedded SQS, with an invoker that holds each invocation until the test lets it go.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionInvoker, InvocationResult } from '../../../src/local/functions/invocation';
import type { PollerBatchEvent } from '../../../src/local/pollers/poller-events';
import { QueuePollers } from '../../../src/local/pollers/queue-pollers';
import { EmbeddedSqs } from '../../../src/local/services/embedded-sqs';
import type { EventSourceMappingModel } from '../../../src/local/template/stack-model';
import { waitFor } from './wait-for';

const MESSAGES = 12;

/** Holds every invocation until released; counts the invocations in flight. */
class HeldInvoker implements FunctionInvoker {
  inFlight = 0;
  mostInFlight = 0;
  #held: (() => void)[] = [];
  #holding = true;

  invoke(): Promise<InvocationResult> {
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    const result: InvocationResult = { status: 'ok', payload: { batchItemFailures: [] }, durationMs: 1, coldStart: false };
    return new Promise((resolve) => {
      const finish = () => {
        this.inFlight -= 1;
        resolve(result);
      };
      if (this.#holding) this.#held.push(finish);
      else setImmediate(finish);
    });
  }

  /** Lets every held invocation end, and every later one end at once. */
  releaseAll(): void {
    this.#holding = false;
    for (const finish of this.#held.splice(0)) finish();
  }
}

/** A `yieldTo` the test turns on and off, as ReservedCapacity does while handshakes are in flight. */
class Precedence {
  busy = true;
  readonly #listeners = new Set<() => void>();

  onIdle(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  end(): void {
    this.busy = false;
    for (const listener of [...this.#listeners]) listener();
  }
}

describe('Class: QueuePollers, MaximumConcurrency', () => {
  let sqs: EmbeddedSqs;
  let client: SQSClient;
  let pollers: QueuePollers | undefined;

  beforeAll(async () => {
    sqs = await EmbeddedSqs.start({ queues: ['Two', 'Five'].map((logicalId) => ({ logicalId, name: logicalId, visibilityTimeoutSeconds: 30, delaySeconds: 0 })) });
    client = new SQSClient(sqs.clientConfig);
  });

  afterEach(async () => {
    await pollers?.close();
    pollers = undefined;
  });

  afterAll(async () => {
    client.destroy();
    await sqs.close();
  });

  it.each([
    ['Two', 2],
    ['Five', 5],
  ] as const)('runs at most %s batches at once with more waiting, then works through the queue', async (queueId, maximumConcurrency) => {
    // Prepare: batches of one message, so that each message is a batch.
    const invoker = new HeldInvoker();
    const batches: PollerBatchEvent[] = [];
    const mapping: EventSourceMappingModel = {
      logicalId: `${queueId}Mapping`,
      functionId: 'Consumer',
      queueId,
      batchSize: 1,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      maximumConcurrency,
    };
    pollers = QueuePollers.start({ mappings: [mapping], sqs, invoker, defaultMaximumConcurrency: 10, onBatch: (event) => batches.push(event) });
    const stats = () => pollers!.stats()[mapping.logicalId]!;

    // Act: more messages than the mapping may run at once.
    for (let first = 0; first < MESSAGES; first += 6) {
      await client.send(
        new SendMessageBatchCommand({ QueueUrl: sqs.queue(queueId).url, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: String(i), MessageBody: `m${first + i}` })) }),
      );
    }

    // Assess: the mapping's maximum in flight while a batch is ready and waiting for a slot.
    await waitFor('the maximum in flight and a batch waiting', () => (invoker.inFlight === maximumConcurrency && stats().buffered >= 1 ? true : undefined));
    expect(stats()).toMatchObject({ batchesInFlight: maximumConcurrency, maximumConcurrency });
    expect(invoker.mostInFlight).toBe(maximumConcurrency);

    // Act: let them go; every message is then handled.
    invoker.releaseAll();
    await waitFor('every message handled', () => (batches.filter((batch) => batch.outcome === 'success').length === MESSAGES ? true : undefined));

    // Assess: never more than the maximum at once.
    expect(invoker.mostInFlight).toBe(maximumConcurrency);
    expect(batches.every((batch) => batch.messageIds.length === 1 && batch.deleteFailures === 0)).toBe(true);
  });

  it('runs one batch at a time while the work it yields to is busy, and its maximum again once that ends', async () => {
    // Prepare
    const invoker = new HeldInvoker();
    const precedence = new Precedence();
    const batches: PollerBatchEvent[] = [];
    const mapping: EventSourceMappingModel = {
      logicalId: 'YieldingMapping',
      functionId: 'Consumer',
      queueId: 'Five',
      batchSize: 1,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      maximumConcurrency: 5,
    };
    pollers = QueuePollers.start({ mappings: [mapping], sqs, invoker, yieldTo: precedence, onBatch: (event) => batches.push(event) });
    const stats = () => pollers!.stats()[mapping.logicalId]!;
    for (let first = 0; first < MESSAGES; first += 6) {
      await client.send(
        new SendMessageBatchCommand({ QueueUrl: sqs.queue('Five').url, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: String(i), MessageBody: `y${first + i}` })) }),
      );
    }

    // Assess: one batch in flight, the next ready and waiting
    await waitFor('one batch in flight and one waiting', () => (invoker.inFlight === 1 && stats().buffered >= 1 ? true : undefined));
    expect(invoker.mostInFlight).toBe(1);

    // Act: the work it yields to ends
    precedence.end();

    // Assess: the mapping's maximum at once, then every message handled
    await waitFor('the maximum in flight', () => (invoker.inFlight === 5 ? true : undefined));
    invoker.releaseAll();
    await waitFor('every message handled', () => (batches.filter((batch) => batch.outcome === 'success').length === MESSAGES ? true : undefined));
    expect(invoker.mostInFlight).toBe(5);
  });
});
