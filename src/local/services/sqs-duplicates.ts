/**
 * `--sqs-duplicates RATE` (docs/local.md): SQS standard queues deliver at least once. That fraction
 * of the messages the event source mappings receive gets, at its first receive, one copy with the
 * same message id, body, attributes and sent time, put back `concurrent` (visible at once, while the
 * first copy's batch runs) or `later` (once the first copy is deleted). The copy is an ordinary
 * message from then on; the application's own SQS calls see no copies.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { DeleteFailure, EventSourceQueue } from './sqs-engine';

export type DuplicateTiming = 'concurrent' | 'later';

export interface SqsDuplicateOptions {
  /** Fraction of messages delivered twice, from 0 to 1. */
  readonly rate: number;
  /** When the copy comes; default `both` (each copy picks one, half and half). */
  readonly timing?: DuplicateTiming | 'both';
  /** Random source in [0, 1); tests pass a deterministic one. */
  readonly random?: () => number;
}

/** What the duplication has done since the service started. */
export interface SqsDuplicateCounts {
  /** Messages received for the first time while duplication was on (each was drawn once). */
  readonly drawn: number;
  /** Copies put back visible at once. */
  readonly concurrent: number;
  /** Copies put back after the first copy was deleted. */
  readonly later: number;
}

/** A queue that can put back a copy of a message it handed out. */
export interface RedeliveringQueue extends EventSourceQueue {
  /** Puts a copy of the received message back, visible at once, with its message id, body, attributes and sent time. */
  redeliver(message: Message): void;
}

/** Validates duplicate options; throws a TypeError naming the bad field. */
export function validateSqsDuplicateOptions(options: SqsDuplicateOptions): void {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new TypeError(`sqsDuplicates.rate must be a number from 0 to 1, got ${options.rate}`);
  const timing: unknown = options.timing;
  if (timing !== undefined && timing !== 'concurrent' && timing !== 'later' && timing !== 'both') {
    throw new TypeError(`sqsDuplicates.timing must be concurrent, later or both, got ${JSON.stringify(timing)}`);
  }
}

/**
 * The duplication of one embedded SQS: its options (changeable while it runs) and counts, shared by
 * every queue it wraps.
 */
export class SqsDuplicates {
  #options: SqsDuplicateOptions | undefined;
  #drawn = 0;
  #concurrent = 0;
  #later = 0;

  /** Starts, changes (`options`) or stops (`undefined`) duplication. TypeError for invalid options. */
  set(options: SqsDuplicateOptions | undefined): void {
    if (options !== undefined) validateSqsDuplicateOptions(options);
    this.#options = options;
  }

  counts(): SqsDuplicateCounts {
    return { drawn: this.#drawn, concurrent: this.#concurrent, later: this.#later };
  }

  /** The queue as the event source mapping sees it: some messages come twice. */
  wrap(queue: RedeliveringQueue): EventSourceQueue {
    /** Copies put back and not yet received: their first receive is not drawn again. */
    const copies = new Set<string>();
    /** Messages whose copy comes once they are deleted, by receipt handle. */
    const afterDelete = new Map<string, Message>();
    return {
      receive: async (request) => {
        const messages = await queue.receive(request);
        for (const message of messages) this.#draw(queue, message, copies, afterDelete);
        return messages;
      },
      deleteBatch: async (receiptHandles): Promise<DeleteFailure[]> => {
        const failures = await queue.deleteBatch(receiptHandles);
        const failed = new Set(failures.map((failure) => failure.index));
        receiptHandles.forEach((receiptHandle, index) => {
          const message = afterDelete.get(receiptHandle);
          if (message === undefined) return;
          afterDelete.delete(receiptHandle);
          if (failed.has(index)) return;
          this.#later += 1;
          copies.add(message.MessageId ?? '');
          queue.redeliver(message);
        });
        return failures;
      },
    };
  }

  #draw(queue: RedeliveringQueue, message: Message, copies: Set<string>, afterDelete: Map<string, Message>): void {
    const messageId = message.MessageId ?? '';
    if (message.Attributes?.ApproximateReceiveCount !== '1') {
      // A redelivery (its first receive failed or outlived its visibility timeout): no copy comes after its first delete.
      for (const [receiptHandle, pending] of afterDelete) if (pending.MessageId === messageId) afterDelete.delete(receiptHandle);
      return;
    }
    // The first receive of a copy: copies are not drawn again.
    if (copies.delete(messageId)) return;
    const options = this.#options;
    if (options === undefined) return;
    this.#drawn += 1;
    const random = options.random ?? Math.random;
    if (options.rate === 0 || random() >= options.rate) return;
    const timing = options.timing ?? 'both';
    const when: DuplicateTiming = timing === 'both' ? (random() < 0.5 ? 'concurrent' : 'later') : timing;
    if (when === 'later') {
      afterDelete.set(message.ReceiptHandle ?? '', message);
      return;
    }
    this.#concurrent += 1;
    copies.add(messageId);
    queue.redeliver(message);
  }
}
