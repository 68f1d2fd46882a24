/**
 * What the console reads and sends through the unmodified AWS SDK clients, against the local
 * stack's embedded DynamoDB and SQS: the whole connections table (a Scan: fine for a local
 * console, never for the service itself), the depth of every queue and DLQ
 * (GetQueueAttributes), and a NotifyUser message (SendMessage through the project's QueueClient).
 */
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDepth } from '../../console/console-api';
import { QueueClient } from '../../commons/clients/queue-client';
import { recordFromItem } from '../../commons/clients/connection-store';
import type { ConnectionRecord } from '../../commons/connection-record';
import type { EmbeddedQueue } from '../services/embedded-sqs';
import type { LocalClientConfig } from '../services/aws-client-config';

interface QueueRef {
  readonly name: string;
  readonly url: string;
  readonly deadLetterOf?: string;
}

/** The stack's queues, each queue followed by its DLQ (a DLQ names the queue that redrives to it). */
export function queueRefs(queues: readonly EmbeddedQueue[]): QueueRef[] {
  const deadLetterIds = new Set(queues.map((queue) => queue.deadLetterQueueId));
  const byLogicalId = new Map(queues.map((queue) => [queue.logicalId, queue]));
  return queues.flatMap((queue): QueueRef[] => {
    if (deadLetterIds.has(queue.logicalId)) return [];
    const dlq = queue.deadLetterQueueId === undefined ? undefined : byLogicalId.get(queue.deadLetterQueueId);
    return [{ name: queue.name, url: queue.url }, ...(dlq === undefined ? [] : [{ name: dlq.name, url: dlq.url, deadLetterOf: queue.name }])];
  });
}

interface SdkConsoleBackendOptions {
  readonly dynamodb: LocalClientConfig;
  readonly sqs: LocalClientConfig;
  readonly tableName: string;
  readonly queues: readonly QueueRef[];
}

const DEPTH_ATTRIBUTES = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;

export class SdkConsoleBackend {
  readonly #dynamodb: DynamoDBClient;
  readonly #sqs: SQSClient;
  readonly #notifyUser: QueueClient | undefined;

  constructor(private readonly options: SdkConsoleBackendOptions) {
    this.#dynamodb = new DynamoDBClient({ ...options.dynamodb, maxAttempts: 2 });
    this.#sqs = new SQSClient({ ...options.sqs, maxAttempts: 2 });
    const notifyUser = options.queues.find((queue) => queue.name === 'NotifyUser');
    this.#notifyUser = notifyUser === undefined ? undefined : new QueueClient({ client: this.#sqs, queueUrl: notifyUser.url });
  }

  /** Every valid connection record (items that are not connection records are skipped). */
  async scanConnections(): Promise<ConnectionRecord[]> {
    const records: ConnectionRecord[] = [];
    for await (const page of paginateScan({ client: this.#dynamodb }, { TableName: this.options.tableName, ConsistentRead: true })) {
      for (const item of page.Items ?? []) {
        try {
          records.push(recordFromItem(item));
        } catch {
          // Not a connection record (written by hand?): the table view skips it.
        }
      }
    }
    return records;
  }

  async queueDepths(): Promise<QueueDepth[]> {
    return Promise.all(
      this.options.queues.map(async (queue) => {
        const { Attributes = {} } = await this.#sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: [...DEPTH_ATTRIBUTES] }));
        return {
          name: queue.name,
          ...(queue.deadLetterOf === undefined ? {} : { deadLetterOf: queue.deadLetterOf }),
          visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
        };
      }),
    );
  }

  /** Sends `{"userId","data"}` to NotifyUser; resolves with the queue message id. */
  async notifyUser(userId: string, data: unknown): Promise<string> {
    if (this.#notifyUser === undefined) throw new Error('the stack has no NotifyUser queue');
    return this.#notifyUser.send(JSON.stringify({ userId, data }));
  }

  destroy(): void {
    this.#dynamodb.destroy();
    this.#sqs.destroy();
  }
}
