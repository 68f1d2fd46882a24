import { guardListener } from '../functions/guard-listener';
import type { EventSourceQueue } from '../services/embedded-sqs';
import type { EventSourceMappingModel } from '../template/stack-model';
import { DEFAULT_MAXIMUM_CONCURRENCY, DEFAULT_POLLERS, QueuePoller, type QueuePollerOptions, type QueuePollerStats } from './queue-poller';

/** The queues the mappings read (EmbeddedSqs fits). */
export interface PollerQueues {
  readonly region: string;
  /** URL and ARN of each queue by logical id. */
  readonly queues: Readonly<Record<string, { readonly url: string; readonly arn: string }>>;
  /** Receives and deletes on the queue of that logical id. */
  eventSourceQueue(logicalId: string): EventSourceQueue;
}

/** What every mapping's poller gets alike (QueuePollerOptions). */
export interface QueuePollersOptions extends Pick<QueuePollerOptions, 'invoker' | 'defaultMaximumConcurrency' | 'onLog' | 'onBatch' | 'yieldTo'> {
  readonly mappings: readonly EventSourceMappingModel[];
  readonly sqs: PollerQueues;
  /** Concurrent receive loops per mapping. Default 5, as Lambda starts. */
  readonly pollersPerMapping?: number;
}

export class UnknownQueueError extends Error {
  override readonly name = 'UnknownQueueError';
  readonly code = 'unknown_queue';
  constructor(
    readonly mappingId: string,
    readonly queueId: string,
  ) {
    super(`event source mapping ${mappingId} reads queue ${queueId}, which is not in the stack`);
  }
}

/**
 * Every SQS event source mapping of the stack, polling the embedded SQS directly (its
 * `eventSourceQueue`: no SDK client, no HTTP; the calls are still reported as the mapping's AWS
 * requests).
 *
 * @example
 * const pollers = QueuePollers.start({ mappings: model.eventSourceMappings, sqs, invoker: runner });
 * await pollers.close();
 */
export class QueuePollers {
  private closing: Promise<void> | undefined;

  private constructor(private readonly pollers: ReadonlyMap<string, QueuePoller>) {}

  /** Validates the mappings and starts polling. */
  static start(options: QueuePollersOptions): QueuePollers {
    const perMapping = options.pollersPerMapping ?? DEFAULT_POLLERS;
    if (!Number.isInteger(perMapping) || perMapping < 1) throw new TypeError(`pollersPerMapping must be a whole number of 1 or more, got ${perMapping}`);
    const concurrency = options.defaultMaximumConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY;
    const pollers = new Map<string, QueuePoller>();
    for (const mapping of options.mappings) {
      const queue = options.sqs.queues[mapping.queueId];
      if (queue === undefined) throw new UnknownQueueError(mapping.logicalId, mapping.queueId);
      pollers.set(
        mapping.logicalId,
        new QueuePoller({
          mapping,
          queue,
          source: options.sqs.eventSourceQueue(mapping.queueId),
          invoker: options.invoker,
          region: options.sqs.region,
          pollers: perMapping,
          defaultMaximumConcurrency: concurrency,
          onLog: guardListener(options.onLog, 'onLog'),
          onBatch: guardListener(options.onBatch, 'onBatch'),
          ...(options.yieldTo !== undefined ? { yieldTo: options.yieldTo } : {}),
        }),
      );
    }
    for (const poller of pollers.values()) poller.start();
    return new QueuePollers(pollers);
  }

  /** By mapping logical id. */
  stats(): Record<string, QueuePollerStats> {
    return Object.fromEntries([...this.pollers].map(([id, poller]) => [id, poller.stats()]));
  }

  /** Aborts every long poll and waits for the batches in flight. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.pollers.values()].map((poller) => poller.close())).then(() => undefined);
    return this.closing;
  }
}
