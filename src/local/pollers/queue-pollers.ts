import { Agent } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { guardListener } from '../functions/guard-listener';
import type { FunctionInvoker } from '../functions/invocation';
import { EXEMPT_CALLER_HEADER } from '../services/fault-injection';
import type { EventSourceMappingModel } from '../template/stack-model';
import type { PollerBatchEvent, PollerLogEntry } from './poller-events';
import { DEFAULT_MAXIMUM_CONCURRENCY, DEFAULT_POLLERS, QueuePoller, type QueuePollerStats } from './queue-poller';

export interface QueuePollersOptions {
  readonly mappings: readonly EventSourceMappingModel[];
  /** URL and ARN of each queue by logical id (EmbeddedSqs's `queues` fits). */
  readonly queues: Readonly<Record<string, { readonly url: string; readonly arn: string }>>;
  readonly invoker: FunctionInvoker;
  /** How to reach SQS (EmbeddedSqs's `clientConfig` fits). */
  readonly sqs: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** Concurrent receive loops per mapping. Default 5, as Lambda starts. */
  readonly pollersPerMapping?: number;
  /** Concurrent batches of a mapping without MaximumConcurrency. Default 5. */
  readonly defaultMaximumConcurrency?: number;
  readonly onLog?: (entry: PollerLogEntry) => void;
  readonly onBatch?: (event: PollerBatchEvent) => void;
}

export class UnknownQueueError extends Error {
  override readonly name = 'UnknownQueueError';
  readonly code = 'UNKNOWN_QUEUE';
  constructor(
    readonly mappingId: string,
    readonly queueId: string,
  ) {
    super(`event source mapping ${mappingId} reads queue ${queueId}, which is not in the stack`);
  }
}

/**
 * Marks every request of the pollers' client as the event source mapping's: the pollers stand for
 * AWS's event source mapping service, not for the functions, so injected SQS faults (which stand for
 * what the application's own calls may meet) leave their receives and deletes alone.
 */
function markAsEventSourceMapping(client: SQSClient): void {
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers !== undefined) request.headers[EXEMPT_CALLER_HEADER] = 'event-source-mapping';
      return next(args);
    },
    { step: 'build', name: 'wsNotifyEventSourceMappingCaller' },
  );
}

/**
 * Every SQS event source mapping of the stack, polling the embedded SQS with one shared SDK client.
 *
 * @example
 * const pollers = QueuePollers.start({ mappings: model.eventSourceMappings, queues: sqs.queues, invoker: runner, sqs: sqs.clientConfig });
 * await pollers.close();
 */
export class QueuePollers {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly client: SQSClient,
    private readonly pollers: ReadonlyMap<string, QueuePoller>,
  ) {}

  /** Validates the mappings and starts polling. */
  static start(options: QueuePollersOptions): QueuePollers {
    const perMapping = options.pollersPerMapping ?? DEFAULT_POLLERS;
    if (!Number.isInteger(perMapping) || perMapping < 1) throw new TypeError(`pollersPerMapping must be a whole number of 1 or more, got ${perMapping}`);
    const concurrency = options.defaultMaximumConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY;
    // Long polls and deletes of every mapping at once, on kept-alive connections.
    const sockets = options.mappings.reduce((sum, mapping) => sum + perMapping + (mapping.maximumConcurrency ?? concurrency), 8);
    const client = new SQSClient({
      endpoint: options.sqs.endpoint,
      region: options.sqs.region,
      credentials: options.sqs.credentials,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: sockets }) },
      // Its middleware is set below, before any request: resolve the stack once per command class.
      cacheMiddleware: true,
    });
    markAsEventSourceMapping(client);
    const pollers = new Map<string, QueuePoller>();
    try {
      for (const mapping of options.mappings) {
        const queue = options.queues[mapping.queueId];
        if (queue === undefined) throw new UnknownQueueError(mapping.logicalId, mapping.queueId);
        pollers.set(
          mapping.logicalId,
          new QueuePoller({
            mapping,
            queue,
            invoker: options.invoker,
            client,
            region: options.sqs.region,
            pollers: perMapping,
            defaultMaximumConcurrency: concurrency,
            onLog: guardListener(options.onLog, 'onLog'),
            onBatch: guardListener(options.onBatch, 'onBatch'),
          }),
        );
      }
    } catch (error) {
      client.destroy();
      throw error;
    }
    for (const poller of pollers.values()) poller.start();
    return new QueuePollers(client, pollers);
  }

  /** By mapping logical id. */
  stats(): Record<string, QueuePollerStats> {
    return Object.fromEntries([...this.pollers].map(([id, poller]) => [id, poller.stats()]));
  }

  /** Aborts every long poll, waits for the batches in flight, and closes the SDK client's connections. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.pollers.values()].map((poller) => poller.close()));
      this.client.destroy();
    })();
    return this.closing;
  }
}
