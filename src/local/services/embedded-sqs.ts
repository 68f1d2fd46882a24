import { createServer, type Server } from 'node:http';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient, type QueueAttributeName } from '@aws-sdk/client-sqs';
import type { QueueModel } from '../template/stack-model';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LOCAL_CREDENTIALS, LOCAL_HOST } from './aws-client-config';
import { EmbeddedHttpService, serviceRequestListener } from './embedded-http-service';
import type { FaultOptions } from './fault-injection';
import { listen, setUpOrClose } from './http-server';
import { EVENT_SOURCE_MAPPING_CALLER, InterceptorChain } from './request-interceptors';
import { EmbeddedServiceError } from './service-errors';
import { SqsDuplicates, validateSqsDuplicateOptions, type SqsDuplicateOptions } from './sqs-duplicates';
import { createSqsEngine, type EventSourceQueue, type SqsEngine } from './sqs-engine';

export type { EventSourceQueue } from './sqs-engine';

export interface EmbeddedSqsOptions {
  readonly queues: readonly QueueModel[];
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** A queue without a QueueName in the template is named `<namePrefix><name>` (its logical name, e.g. `NotifyUser`). */
  readonly namePrefix?: string;
  /** Every queue's visibility timeout instead of the template's: tests set 1 so retries and redrive take about a second. SQS checks its range (0–43200). */
  readonly visibilityTimeoutSeconds?: number;
  /** Inject throttling / 5xx errors into this fraction of requests (after the queues are created). */
  readonly faults?: FaultOptions;
  /** Deliver that fraction of the messages the event source mappings receive twice, as SQS may (sqs-duplicates.ts). */
  readonly duplicates?: SqsDuplicateOptions;
}

export interface EmbeddedQueue {
  readonly logicalId: string;
  /** The queue's logical name from the model (`NotifyUser`, …): the key of the endpoints file's `queues`. */
  readonly name: string;
  /** The SQS queue name. */
  readonly queueName: string;
  readonly url: string;
  readonly arn: string;
  /** The logical id of the queue it redrives to. */
  readonly deadLetterQueueId?: string;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Orders queues so that every dead-letter queue is created before the queues that redrive to it. */
export function creationOrder(queues: readonly QueueModel[]): QueueModel[] {
  const byId = new Map(queues.map((queue) => [queue.logicalId, queue]));
  const ordered = new Set<QueueModel>();
  /** `redrivenFrom`: the queues whose redrive led here. */
  const visit = (queue: QueueModel, redrivenFrom: readonly string[]): void => {
    if (ordered.has(queue)) return;
    if (redrivenFrom.includes(queue.logicalId)) throw new EmbeddedServiceError('setup_failed', `queue ${queue.logicalId}: redrive policies form a cycle`);
    const deadLetterQueueId = queue.redrive?.deadLetterQueueId;
    if (deadLetterQueueId !== undefined) {
      const target = byId.get(deadLetterQueueId);
      if (target === undefined) throw new EmbeddedServiceError('setup_failed', `queue ${queue.logicalId}: dead-letter queue ${deadLetterQueueId} is not in the stack`);
      visit(target, [...redrivenFrom, queue.logicalId]);
    }
    ordered.add(queue);
  };
  queues.forEach((queue) => visit(queue, []));
  return [...ordered];
}

/**
 * SQS (local-aws-sqs, JSON and query protocols) on 127.0.0.1, with the stack's queues created from
 * the template: dead-letter queues first, then the queues with their RedrivePolicy,
 * VisibilityTimeout, DelaySeconds and MessageRetentionPeriod.
 *
 * @example
 * const sqs = await EmbeddedSqs.start({ queues: Object.values(model.queues) });
 * sqs.queue('NotifyUserQueue').url;
 * await sqs.close();
 */
export class EmbeddedSqs extends EmbeddedHttpService {
  private readonly eventSourceQueues = new Map<string, EventSourceQueue>();
  /** Starts, changes or stops (`duplicates.set`) the duplicate deliveries to the mappings, and counts them across changes. */
  readonly duplicates = new SqsDuplicates();

  private constructor(
    server: Server,
    interceptors: InterceptorChain,
    private readonly engine: SqsEngine,
    port: number,
    readonly queues: Readonly<Record<string, EmbeddedQueue>>,
  ) {
    super(server, interceptors, port);
  }

  static async start(options: EmbeddedSqsOptions): Promise<EmbeddedSqs> {
    const ordered = creationOrder(options.queues);
    if (options.duplicates !== undefined) validateSqsDuplicateOptions(options.duplicates);
    const engine = createSqsEngine({ hostname: LOCAL_HOST, region: DEFAULT_REGION, accountId: DEFAULT_ACCOUNT_ID });
    const interceptors = new InterceptorChain();
    const server = createServer(serviceRequestListener('sqs', interceptors, engine.handle));
    // Long polls last up to 20 s; keep-alive connections must not be cut by the server first.
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 0;
    const port = await listen(server, LOCAL_HOST, options.port ?? 0, 'SQS');
    engine.setPort(port);
    const queues = await setUpOrClose(server, 'SQS: could not create the queues', () => createQueues(`http://${LOCAL_HOST}:${port}`, ordered, options));
    const sqs = new EmbeddedSqs(server, interceptors, engine, port, queues);
    sqs.faults.set(options.faults);
    sqs.duplicates.set(options.duplicates);
    return sqs;
  }

  /** The queue of that logical id. */
  queue(logicalId: string): EmbeddedQueue {
    const queue = this.queues[logicalId];
    if (queue === undefined) throw new EmbeddedServiceError('unknown_resource', `no queue with logical id "${logicalId}"`);
    return queue;
  }

  /**
   * The queue as the pollers (AWS's event source mapping service) use it: receives and deletes without
   * HTTP, through the interceptors as calls of caller `event-source-mapping`, with the duplicates asked for.
   */
  eventSourceQueue(logicalId: string): EventSourceQueue {
    const known = this.eventSourceQueues.get(logicalId);
    if (known !== undefined) return known;
    const { queueName } = this.queue(logicalId);
    const redelivering = this.engine.eventSourceQueue(queueName);
    if (redelivering === undefined) throw new EmbeddedServiceError('unknown_resource', `queue ${logicalId} (${queueName}) is not in the embedded SQS`);
    const engineQueue = this.duplicates.wrap(redelivering);
    const intercepted = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
      const call = this.interceptors.begin({ service: 'sqs', operation, caller: EVENT_SOURCE_MAPPING_CALLER });
      try {
        const result = await run();
        call.end(200);
        return result;
      } catch (error) {
        if ((error as Error).name !== 'AbortError') call.end(500);
        throw error;
      }
    };
    const created: EventSourceQueue = {
      receive: (request) => intercepted('ReceiveMessage', () => engineQueue.receive(request)),
      deleteBatch: (receiptHandles) => intercepted('DeleteMessageBatch', () => engineQueue.deleteBatch(receiptHandles)),
    };
    this.eventSourceQueues.set(logicalId, created);
    return created;
  }

  /** Stops the server (dropping open long polls), then drops every message. Safe to call twice. */
  override async close(): Promise<void> {
    await super.close();
    this.engine.clear();
  }
}

async function createQueues(endpoint: string, ordered: readonly QueueModel[], options: EmbeddedSqsOptions): Promise<Record<string, EmbeddedQueue>> {
  const client = new SQSClient({ endpoint, region: DEFAULT_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const queues: Record<string, EmbeddedQueue> = {};
    const taken = new Map<string, string>();
    for (const model of ordered) {
      const queueName = model.queueName ?? `${options.namePrefix ?? ''}${model.name}`;
      if (!QUEUE_NAME.test(queueName)) {
        throw new EmbeddedServiceError('setup_failed', `queue ${model.logicalId}: "${queueName}" is not a valid queue name (1-80 letters, digits, - and _)`);
      }
      const other = taken.get(queueName);
      if (other !== undefined) throw new EmbeddedServiceError('setup_failed', `queues ${other} and ${model.logicalId} would both be named "${queueName}"`);
      taken.set(queueName, model.logicalId);
      // creationOrder made every dead-letter queue first.
      const deadLetterQueue = model.redrive === undefined ? undefined : queues[model.redrive.deadLetterQueueId];
      const attributes: Partial<Record<QueueAttributeName, string>> = {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? model.visibilityTimeoutSeconds),
        DelaySeconds: String(model.delaySeconds),
        ...(model.messageRetentionSeconds !== undefined ? { MessageRetentionPeriod: String(model.messageRetentionSeconds) } : {}),
        ...(model.redrive !== undefined && deadLetterQueue !== undefined
          ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: model.redrive.maxReceiveCount }) }
          : {}),
      };
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
      if (QueueUrl === undefined) throw new EmbeddedServiceError('setup_failed', `queue ${model.logicalId}: CreateQueue returned no URL`);
      const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      const arn = Attributes?.QueueArn;
      if (arn === undefined) throw new EmbeddedServiceError('setup_failed', `queue ${model.logicalId}: no QueueArn`);
      const { logicalId, name } = model;
      queues[logicalId] = { logicalId, name, queueName, url: QueueUrl, arn, deadLetterQueueId: deadLetterQueue?.logicalId };
    }
    return queues;
  } finally {
    client.destroy();
  }
}
