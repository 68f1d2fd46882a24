import { guardListener } from '../functions/guard-listener';
import type { EventSourceQueue } from '../services/embedded-sqs';
import type { EventSourceMappingModel } from '../template/stack-model';
import { QueuePoller, type QueuePollerOptions, type QueuePollerStats } from './queue-poller';

/** The queues the mappings read (EmbeddedSqs fits). */
export interface PollerQueues {
  readonly region: string;
  /** URL and ARN of each queue by logical id. */
  readonly queues: Readonly<Record<string, { readonly url: string; readonly arn: string }>>;
  /** Receives and deletes on the queue of that logical id. */
  eventSourceQueue(logicalId: string): EventSourceQueue;
}

/** What every mapping's poller gets alike (QueuePollerOptions). */
interface QueuePollersOptions extends Pick<QueuePollerOptions, 'invoker' | 'defaultMaximumConcurrency' | 'onLog' | 'onBatch' | 'yieldTo'> {
  readonly mappings: readonly EventSourceMappingModel[];
  readonly sqs: PollerQueues;
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

  /** Starts polling. */
  static start(options: QueuePollersOptions): QueuePollers {
    const onLog = guardListener(options.onLog, 'onLog');
    const onBatch = guardListener(options.onBatch, 'onBatch');
    const pollers = new Map<string, QueuePoller>();
    const { mappings, sqs, ...shared } = options;
    for (const mapping of mappings) {
      // The template reader lets a mapping read only a queue of the stack; eventSourceQueue throws for another.
      const source = sqs.eventSourceQueue(mapping.queueId);
      const queue = sqs.queues[mapping.queueId] ?? { url: '', arn: '' };
      pollers.set(mapping.logicalId, new QueuePoller({ ...shared, mapping, queue, source, region: sqs.region, onLog, onBatch }));
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
