/**
 * The publisher's SQS calls: one SendMessage, and SendMessageBatch in groups of at most 10 entries
 * and 256 KiB with a bounded number of requests in flight, retrying (with backoff) only the entries
 * SQS failed on its side. Requests that fail as a whole were already retried by the SQS client's
 * retry strategy; they are reported, not retried again here.
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { planBatches, runWithConcurrency } from '../commons/clients/queue-client';

export interface BatchRetryPolicy {
  /** SendMessageBatch requests that may carry one entry: the first try and the retries. */
  readonly maxAttempts: number;
  /** The retry after attempt n waits a random time below min(retryMaxDelayMs, retryBaseDelayMs · 2^(n-1)) ("full jitter"). */
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** SendMessageBatch requests in flight at once. */
  readonly concurrency: number;
}

/** What became of one body given to sendBatch. */
export type BatchEntryOutcome =
  | { readonly sent: true; readonly messageId: string; readonly attempts: number }
  | {
      readonly sent: false;
      readonly code: string;
      readonly message: string;
      readonly senderFault: boolean;
      readonly attempts: number;
    };

type EntryFailure = Extract<BatchEntryOutcome, { sent: false }>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function retryDelayMs(policy: BatchRetryPolicy, attempt: number): number {
  return Math.floor(Math.random() * Math.min(policy.retryMaxDelayMs, policy.retryBaseDelayMs * 2 ** (attempt - 1)));
}

export class QueueSender {
  readonly #client: SQSClient;
  readonly #policy: BatchRetryPolicy;

  constructor(client: SQSClient, policy: BatchRetryPolicy) {
    this.#client = client;
    this.#policy = policy;
  }

  /** Sends one message and returns its SQS message id; rejects with the SDK's error. */
  async send(queueUrl: string, body: string): Promise<string> {
    const output = await this.#client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    if (output.MessageId === undefined) throw new Error('SQS answered SendMessage without a MessageId');
    return output.MessageId;
  }

  /** Sends the bodies; one outcome per body, in the same order. Never rejects for a failed entry or request. */
  async sendBatch(queueUrl: string, bodies: readonly string[]): Promise<BatchEntryOutcome[]> {
    const outcomes: (BatchEntryOutcome | undefined)[] = bodies.map(() => undefined);
    await runWithConcurrency(planBatches(bodies), this.#policy.concurrency, (group) => this.#sendGroup(queueUrl, group, bodies, outcomes));
    return outcomes.map(
      (outcome) => outcome ?? { sent: false, code: 'NotSent', message: 'the entry was in no request', senderFault: false, attempts: 0 },
    );
  }

  async #sendGroup(queueUrl: string, group: readonly number[], bodies: readonly string[], outcomes: (BatchEntryOutcome | undefined)[]): Promise<void> {
    let pending = group;
    for (let attempt = 1; ; attempt += 1) {
      let output;
      try {
        output = await this.#client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending.map((index) => ({ Id: String(index), MessageBody: bodies[index] })) }),
        );
      } catch (error) {
        const code = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        for (const index of pending) outcomes[index] = { sent: false, code, message, senderFault: false, attempts: attempt };
        return;
      }

      const inRequest = new Set(pending);
      const retryable = new Map<number, EntryFailure>();
      for (const entry of output.Successful ?? []) {
        const index = Number(entry.Id);
        if (entry.MessageId !== undefined && inRequest.delete(index)) outcomes[index] = { sent: true, messageId: entry.MessageId, attempts: attempt };
      }
      for (const entry of output.Failed ?? []) {
        const index = Number(entry.Id);
        if (!inRequest.delete(index)) continue;
        const failure: EntryFailure = {
          sent: false,
          code: entry.Code ?? 'Unknown',
          message: entry.Message ?? '',
          senderFault: entry.SenderFault === true,
          attempts: attempt,
        };
        if (failure.senderFault) outcomes[index] = failure;
        else retryable.set(index, failure);
      }
      // An entry the answer does not confirm (no result, or no message id) is sent again, with its id.
      for (const index of inRequest) {
        retryable.set(index, { sent: false, code: 'NoResult', message: 'SQS did not report the entry', senderFault: false, attempts: attempt });
      }

      if (retryable.size === 0) return;
      if (attempt >= this.#policy.maxAttempts) {
        for (const [index, failure] of retryable) outcomes[index] = failure;
        return;
      }
      await sleep(retryDelayMs(this.#policy, attempt));
      pending = [...retryable.keys()].sort((a, b) => a - b);
    }
  }
}
