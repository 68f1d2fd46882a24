/**
 * SQS queues over the SDK client: single sends (with an optional delay, for the authorize
 * deadline), batched sends in groups of at most 10 entries and 256 KiB that retry only the
 * entries SQS failed, and the dead-letter copy of a message that can never succeed.
 */
import { SendMessageBatchCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES } from '../constants';
import { QueueSendError, type PoisonReason } from '../errors';

export interface QueueClientOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Attempts per batch entry that SQS failed on its side (SenderFault false). Default 3. */
  readonly maxBatchAttempts?: number;
  /** Base delay between those attempts, doubled each time. Default 50 ms. */
  readonly retryBaseDelayMs?: number;
  /**
   * SendMessageBatch requests in flight at once. Default 10: a fan-out to 1,000 connections is 100
   * requests, so the time to send them is about 10 round trips (~20 ms on AWS), while 10 concurrent
   * requests per invocation stay far below SQS's quotas.
   */
  readonly batchConcurrency?: number;
}

export interface SendOptions {
  /** SQS DelaySeconds (0–900). */
  readonly delaySeconds?: number;
  /** String message attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** An entry that could not be sent: `index` into the bodies given to sendBatch. */
export interface FailedBatchEntry {
  readonly index: number;
  readonly code: string;
  /** SQS blamed the sender (bad content, too large): retrying cannot help. */
  readonly senderFault: boolean;
}

export interface BatchSendResult {
  readonly sent: number;
  readonly failed: readonly FailedBatchEntry[];
}

function stringAttributes(attributes: Readonly<Record<string, string>> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) result[name] = { DataType: 'String', StringValue: value };
  return result;
}

/**
 * Bytes SQS counts for string message attributes towards a message's size: each attribute's name,
 * data type and value.
 */
export function attributeBytes(attributes: Readonly<Record<string, string>> | undefined): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(attributes ?? {})) bytes += Buffer.byteLength(name, 'utf8') + 'String'.length + Buffer.byteLength(value, 'utf8');
  return bytes;
}

/**
 * Splits bodies (by index) into groups of at most 10 entries and 256 KiB, counting
 * `extraBytesPerEntry` (the entries' message attributes) with each body.
 */
export function planBatches(bodies: readonly string[], extraBytesPerEntry = 0): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  bodies.forEach((body, index) => {
    const size = Buffer.byteLength(body, 'utf8') + extraBytesPerEntry;
    if (current.length > 0 && (current.length === SQS_MAX_BATCH_ENTRIES || bytes + size > SQS_MAX_BATCH_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the tasks with at most `limit` in flight. */
export async function runWithConcurrency<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker()));
}

export class QueueClient {
  readonly #client: SQSClient;
  readonly queueUrl: string;
  readonly #maxBatchAttempts: number;
  readonly #retryBaseDelayMs: number;
  readonly #batchConcurrency: number;

  constructor(options: QueueClientOptions) {
    this.#client = options.client;
    this.queueUrl = options.queueUrl;
    this.#maxBatchAttempts = options.maxBatchAttempts ?? 3;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? 50;
    this.#batchConcurrency = options.batchConcurrency ?? 10;
  }

  /** Sends one message; returns its SQS message id. */
  async send(body: string, options: SendOptions = {}): Promise<string> {
    try {
      const output = await this.#client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: body,
          DelaySeconds: options.delaySeconds,
          MessageAttributes: stringAttributes(options.attributes),
        }),
      );
      return output.MessageId ?? '';
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new QueueSendError(`SendMessage to ${this.queueUrl} failed (${detail})`, true, { cause: error });
    }
  }

  /**
   * Sends the bodies with SendMessageBatch, each with the same `attributes` (string message
   * attributes) when given. Entries SQS failed on its side are retried (only those); the result
   * lists what still failed. Never rejects for a failed entry or request.
   */
  async sendBatch(bodies: readonly string[], options: Pick<SendOptions, 'attributes'> = {}): Promise<BatchSendResult> {
    const failed: FailedBatchEntry[] = [];
    const attributes = stringAttributes(options.attributes);
    await runWithConcurrency(planBatches(bodies, attributeBytes(options.attributes)), this.#batchConcurrency, async (group) => {
      failed.push(...(await this.#sendGroup(group, bodies, attributes)));
    });
    failed.sort((a, b) => a.index - b.index);
    return { sent: bodies.length - failed.length, failed };
  }

  async #sendGroup(group: readonly number[], bodies: readonly string[], attributes: Record<string, MessageAttributeValue> | undefined): Promise<FailedBatchEntry[]> {
    let pending = [...group];
    let lastFailures: FailedBatchEntry[] = [];
    for (let attempt = 1; pending.length > 0 && attempt <= this.#maxBatchAttempts; attempt += 1) {
      if (attempt > 1) await sleep(this.#retryBaseDelayMs * 2 ** (attempt - 2));
      let output;
      try {
        output = await this.#client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: pending.map((index) => ({ Id: String(index), MessageBody: bodies[index], MessageAttributes: attributes })),
          }),
        );
      } catch (error) {
        // The SDK has already retried the request itself; report the whole group as retryable.
        const code = error instanceof Error ? error.name : 'Error';
        return pending.map((index) => ({ index, code, senderFault: false }));
      }
      const permanent: FailedBatchEntry[] = [];
      const retry: FailedBatchEntry[] = [];
      for (const entry of output.Failed ?? []) {
        const failure = { index: Number(entry.Id), code: entry.Code ?? 'Unknown', senderFault: entry.SenderFault === true };
        (failure.senderFault ? permanent : retry).push(failure);
      }
      if (permanent.length > 0) return [...permanent, ...retry];
      lastFailures = retry;
      pending = retry.map((failure) => failure.index);
    }
    return pending.length > 0 ? lastFailures : [];
  }
}

/** Where a message that can never succeed goes, with the reason as a message attribute. */
export interface DeadLetterSource {
  /** SQS message id of the original message. */
  readonly messageId: string;
  /** ARN of the queue it came from. */
  readonly eventSourceArn?: string;
}

export class DeadLetterQueue {
  readonly #queue: QueueClient;

  constructor(queue: QueueClient) {
    this.#queue = queue;
  }

  get queueUrl(): string {
    return this.#queue.queueUrl;
  }

  /** Sends the original body unchanged, with `reason`, `sourceMessageId` and `sourceQueueArn` attributes. */
  async send(body: string, reason: PoisonReason, source: DeadLetterSource): Promise<string> {
    return this.#queue.send(body, {
      attributes: {
        reason,
        sourceMessageId: source.messageId,
        ...(source.eventSourceArn === undefined || source.eventSourceArn === '' ? {} : { sourceQueueArn: source.eventSourceArn }),
      },
    });
  }
}
