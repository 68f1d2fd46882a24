import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import type { FunctionInvoker, InvocationResult } from '../functions/invocation';
import type { ReservedCapacity } from '../functions/reserved-capacity';
import type { EventSourceQueue } from '../services/embedded-sqs';
import type { EventSourceMappingModel } from '../template/stack-model';
import { interpretBatchResult, type BatchOutcome } from './batch-response';
import type { PollerBatchEvent, PollerLogEntry } from './poller-events';
import { MAX_RECEIVE_MESSAGES, nextReceiveSize, waitTimeFor } from './receive-sizing';
import { toSqsEvent } from './sqs-event';

/** Lambda starts an SQS event source mapping with five pollers. */
const DEFAULT_POLLERS = 5;
/** Concurrent batches of a mapping without ScalingConfig.MaximumConcurrency. */
const DEFAULT_MAXIMUM_CONCURRENCY = 5;
/** Lambda's synchronous invocation payload limit: a batch stops growing before it. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;

const MAX_BACKOFF_MS = 5_000;

export interface QueuePollerOptions {
  readonly mapping: EventSourceMappingModel;
  readonly queue: { readonly url: string; readonly arn: string };
  /** Receives and deletes on that queue. */
  readonly source: EventSourceQueue;
  readonly invoker: FunctionInvoker;
  readonly region: string;
  /** Concurrent receive loops. Default 5. */
  readonly pollers?: number;
  /** Concurrent batches when the mapping sets no MaximumConcurrency. Default 5. */
  readonly defaultMaximumConcurrency?: number;
  readonly onLog?: (entry: PollerLogEntry) => void;
  readonly onBatch?: (event: PollerBatchEvent) => void;
  /** Work that takes precedence: while it is busy, the mapping runs one batch at a time. */
  readonly yieldTo?: Pick<ReservedCapacity, 'busy' | 'onIdle'>;
}

interface Buffered {
  readonly message: Message;
  readonly receivedAt: number;
  readonly bytes: number;
}

export interface QueuePollerStats {
  readonly buffered: number;
  readonly batchesInFlight: number;
  readonly maximumConcurrency: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The Lambda SQS event source mapping of one function and queue: receive loops feed a batcher that
 * invokes the function with up to BatchSize records, waiting up to MaximumBatchingWindowInSeconds
 * for a batch to fill (with a window of 0 it invokes with what has arrived); then it deletes what
 * succeeded and leaves the failures to reappear after the visibility timeout (the queue's redrive
 * policy then moves them to the DLQ after maxReceiveCount receives).
 */
export class QueuePoller {
  private readonly abort = new AbortController();
  private readonly buffer: Buffered[] = [];
  private bufferBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  /** The batches in flight. */
  private readonly batches = new Set<Promise<void>>();
  private readonly loops: Promise<void>[] = [];
  private capacityWaiters: (() => void)[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly maximumConcurrency: number;
  private readonly windowMs: number;
  private stopYielding: (() => void) | undefined;

  constructor(private readonly options: QueuePollerOptions) {
    const { mapping } = options;
    if (!Number.isInteger(mapping.batchSize) || mapping.batchSize < 1 || mapping.batchSize > 10_000) {
      throw new TypeError(`event source mapping ${mapping.logicalId}: BatchSize must be from 1 to 10000, got ${mapping.batchSize}`);
    }
    if (!(mapping.maximumBatchingWindowSeconds >= 0 && mapping.maximumBatchingWindowSeconds <= 300)) {
      throw new TypeError(`event source mapping ${mapping.logicalId}: MaximumBatchingWindowInSeconds must be from 0 to 300, got ${mapping.maximumBatchingWindowSeconds}`);
    }
    this.windowMs = mapping.maximumBatchingWindowSeconds * 1000;
    this.maximumConcurrency = mapping.maximumConcurrency ?? options.defaultMaximumConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY;
  }

  /** Starts the receive loops. */
  start(): void {
    if (this.loops.length > 0 || this.closed) return;
    const pollers = this.options.pollers ?? DEFAULT_POLLERS;
    for (let i = 0; i < pollers; i += 1) this.loops.push(this.receiveLoop());
    this.stopYielding = this.options.yieldTo?.onIdle(() => {
      this.schedule();
      this.wakeReceivers();
    });
  }

  stats(): QueuePollerStats {
    return { buffered: this.buffer.length, batchesInFlight: this.batches.size, maximumConcurrency: this.maximumConcurrency };
  }

  /**
   * Aborts the long polls at once and resolves when the batches in flight have finished (their
   * invocations and deletes). Messages received but not yet handed to the function are left to
   * reappear after their visibility timeout. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.stopYielding?.();
      this.abort.abort();
      clearTimeout(this.flushTimer);
      for (const wake of this.capacityWaiters.splice(0)) wake();
      await Promise.all(this.loops);
      await Promise.all([...this.batches]);
      this.buffer.length = 0;
      this.bufferBytes = 0;
    })();
    return this.closing;
  }

  private async receiveLoop(): Promise<void> {
    let size = 1;
    let failures = 0;
    while (!this.closed) {
      await this.waitForCapacity();
      if (this.closed) return;
      const started = performance.now();
      let messages: Message[];
      try {
        messages = await this.options.source.receive({ maxMessages: size, waitTimeSeconds: waitTimeFor(size), signal: this.abort.signal });
        failures = 0;
      } catch (error) {
        if (this.closed) return;
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** (failures - 1));
        this.log('warn', `ReceiveMessage failed (${describe(error)}); retrying in ${delay} ms`);
        size = 1;
        // Cut short by close(): the abort rejects the pause.
        await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
        continue;
      }
      const now = performance.now();
      size = nextReceiveSize(size, messages.length, now - started);
      if (messages.length > 0) this.accept(messages, now);
    }
  }

  private accept(messages: readonly Message[], receivedAt: number): void {
    for (const message of messages) {
      const bytes = Buffer.byteLength(message.Body ?? '');
      this.buffer.push({ message, receivedAt, bytes });
      this.bufferBytes += bytes;
    }
    this.schedule();
  }

  /** Hands out every batch that is due: full ones at once, partial ones when the window is over. */
  private schedule(): void {
    if (this.closed) return;
    while (this.batches.size < this.limit() && this.buffer.length > 0 && this.batchIsFull()) this.dispatch();
    if (this.buffer.length === 0 || this.batches.size >= this.limit() || this.flushTimer !== undefined) return;
    // Without a window, the timer still lets receives answered in the same turn of the event loop join the batch.
    const oldest = this.buffer[0]?.receivedAt ?? performance.now();
    const wait = Math.max(0, oldest + this.windowMs - performance.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (this.closed) return;
    const oldest = this.buffer[0]?.receivedAt;
    const due = oldest !== undefined && performance.now() >= oldest + this.windowMs - 1;
    if (due && this.batches.size < this.limit()) this.dispatch();
    this.schedule();
  }

  private batchIsFull(): boolean {
    return this.buffer.length >= this.options.mapping.batchSize || this.bufferBytes >= MAX_BATCH_BYTES;
  }

  private takeBatch(): Message[] {
    const batch: Message[] = [];
    let bytes = 0;
    while (batch.length < this.options.mapping.batchSize && this.buffer.length > 0) {
      const next = this.buffer[0];
      if (next === undefined || (batch.length > 0 && bytes + next.bytes > MAX_BATCH_BYTES)) break;
      this.buffer.shift();
      this.bufferBytes -= next.bytes;
      bytes += next.bytes;
      batch.push(next.message);
    }
    return batch;
  }

  private dispatch(): void {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    const run = this.runBatch(batch).finally(() => {
      this.batches.delete(run);
      this.schedule();
      this.wakeReceivers();
    });
    this.batches.add(run);
  }

  private async runBatch(batch: readonly Message[]): Promise<void> {
    const started = performance.now();
    const { mapping } = this.options;
    const messageIds = batch.map((message) => message.MessageId ?? '');
    let outcome: BatchOutcome;
    try {
      const event = toSqsEvent(batch, { queueArn: this.options.queue.arn, region: this.options.region });
      const result: InvocationResult = await this.options.invoker.invoke(mapping.functionId, event);
      outcome = interpretBatchResult(result, messageIds, mapping.reportBatchItemFailures);
    } catch (error) {
      outcome = { kind: 'failure', reason: describe(error) };
    }
    const toDelete = outcome.kind === 'success' ? batch : outcome.kind === 'partial' ? batch.filter((message) => !outcome.failed.has(message.MessageId ?? '')) : [];
    const deleteFailures = await this.deleteMessages(toDelete);
    const failedMessageIds = outcome.kind === 'failure' ? messageIds : outcome.kind === 'partial' ? [...outcome.failed] : [];
    if (outcome.kind === 'failure') {
      this.log('warn', `batch of ${batch.length} failed (${outcome.reason}); its messages will be received again after the visibility timeout`);
    } else if (outcome.kind === 'partial') {
      this.log('info', `${failedMessageIds.length} of ${batch.length} messages reported as failed; they will be received again after the visibility timeout`);
    }
    this.options.onBatch?.({
      mappingId: mapping.logicalId,
      functionId: mapping.functionId,
      queueId: mapping.queueId,
      messageIds,
      outcome: outcome.kind,
      failedMessageIds,
      ...(outcome.kind === 'failure' ? { reason: outcome.reason } : {}),
      deleteFailures,
      durationMs: performance.now() - started,
      timestamp: Date.now(),
    });
  }

  /** Deletes in batches of ten; returns how many could not be deleted. Never throws. */
  private async deleteMessages(messages: readonly Message[]): Promise<number> {
    const chunks: Message[][] = [];
    for (let i = 0; i < messages.length; i += MAX_RECEIVE_MESSAGES) chunks.push(messages.slice(i, i + MAX_RECEIVE_MESSAGES));
    const failed = await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const failures = await this.options.source.deleteBatch(chunk.map((message) => message.ReceiptHandle ?? ''));
          if (failures.length > 0) {
            this.log('warn', `could not delete ${failures.length} processed message(s) (${failures.map((failure) => failure.code).join(', ')}); they will be received again`);
          }
          return failures.length;
        } catch (error) {
          this.log('warn', `DeleteMessageBatch failed (${describe(error)}); ${chunk.length} processed message(s) will be received again`);
          return chunk.length;
        }
      }),
    );
    return failed.reduce((sum, count) => sum + count, 0);
  }

  private hasCapacity(): boolean {
    return !(this.batches.size >= this.limit() && this.buffer.length >= this.options.mapping.batchSize);
  }

  /** Batches that may run now: the mapping's maximum, or one while `yieldTo` is busy. */
  private limit(): number {
    return this.options.yieldTo?.busy === true ? 1 : this.maximumConcurrency;
  }

  private waitForCapacity(): Promise<void> {
    if (this.closed || this.hasCapacity()) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  private wakeReceivers(): void {
    if (!this.hasCapacity()) return;
    for (const wake of this.capacityWaiters.splice(0)) wake();
  }

  private log(level: PollerLogEntry['level'], message: string): void {
    this.options.onLog?.({ mappingId: this.options.mapping.logicalId, functionId: this.options.mapping.functionId, level, message });
  }
}
