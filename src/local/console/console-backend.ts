/**
 * What the console reads and sends through the unmodified AWS SDK clients: the whole connections
 * table (a Scan: fine for a local console, never for the service), queue depths, a NotifyUser message.
 */
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDepth } from '../../console/console-api';
import { QueueClient } from '../../commons/clients/queue-client';
import { recordFromItem } from '../../commons/clients/connection-store';
import type { ConnectionRecord } from '../../commons/connection-record';
import type { LocalStack } from '../runtime';
import type { EmbeddedQueue } from '../services/embedded-sqs';

type QueueRef = Pick<EmbeddedQueue, 'name' | 'url'> & Pick<QueueDepth, 'deadLetterOf'>;

/** The stack's queues, each queue followed by its DLQ (a DLQ names the queue that redrives to it). */
function queueRefs(queues: readonly EmbeddedQueue[]): QueueRef[] {
  return queues.flatMap((queue): QueueRef[] => {
    if (queues.some((other) => other.deadLetterQueueId === queue.logicalId)) return [];
    const dlq = queues.find((other) => other.logicalId === queue.deadLetterQueueId);
    return [queue, ...(dlq === undefined ? [] : [{ name: dlq.name, url: dlq.url, deadLetterOf: queue.name }])];
  });
}

export class SdkConsoleBackend {
  readonly #dynamodb: DynamoDBClient;
  readonly #sqs: SQSClient;
  readonly #tableName: string;
  readonly #queues: readonly QueueRef[];

  constructor(stack: Pick<LocalStack, 'dynamodb' | 'sqs' | 'endpoints'>) {
    this.#dynamodb = new DynamoDBClient({ ...stack.dynamodb.clientConfig, maxAttempts: 2 });
    this.#sqs = new SQSClient({ ...stack.sqs.clientConfig, maxAttempts: 2 });
    this.#tableName = stack.endpoints.tableName;
    this.#queues = queueRefs(Object.values(stack.sqs.queues));
  }

  /** Every valid connection record (items that are not connection records are skipped). */
  async scanConnections(): Promise<ConnectionRecord[]> {
    const records: ConnectionRecord[] = [];
    for await (const page of paginateScan({ client: this.#dynamodb }, { TableName: this.#tableName, ConsistentRead: true })) {
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
      this.#queues.map(async ({ name, deadLetterOf, url }) => {
        const { Attributes = {} } = await this.#sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
        return {
          name,
          deadLetterOf,
          visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
        };
      }),
    );
  }

  /** Sends `{"userId","data"}` to NotifyUser; resolves with the queue message id. */
  async notifyUser(userId: string, data: unknown): Promise<string> {
    const queue = this.#queues.find(({ name }) => name === 'NotifyUser');
    if (queue === undefined) throw new Error('the stack has no NotifyUser queue');
    return new QueueClient({ client: this.#sqs, queueUrl: queue.url }).send(JSON.stringify({ userId, data }));
  }

  destroy(): void {
    this.#dynamodb.destroy();
    this.#sqs.destroy();
  }
}
