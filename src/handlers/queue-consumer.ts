/**
 * The shape every SQS consumer of ws-notify shares (Powertools BatchProcessor +
 * processPartialResponse): each record is parsed and validated; a body that can never succeed
 * (not JSON, fails validation, or the handler throws PoisonMessageError) is copied to the
 * consumer's DLQ with a `reason` attribute and reported as processed, so it neither blocks the
 * batch nor waits for five receives; any other error reports only that record in
 * `batchItemFailures`, so SQS retries it (and moves it to the DLQ after `maxReceiveCount`).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as t from 'io-ts';
import type { DeadLetterQueue } from '../commons/clients/queue-client';
import { decode, parseJson } from '../commons/codecs';
import { PoisonMessageError, type PoisonReason } from '../commons/errors';
import type { Logger } from '../commons/logger';

export interface QueueConsumerOptions<A, P = undefined> {
  /** Consumer name for the logs. */
  readonly name: string;
  readonly codec: t.Type<A, unknown, unknown>;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly logger: Logger;
  /**
   * Called once per batch, before any record is handled, with every valid body (one read for the
   * whole batch instead of one per record). What it returns is given to `handle`; when it fails, the
   * failure is logged and `handle` gets undefined (each record then does its own work).
   */
  readonly prepare?: (bodies: readonly A[]) => Promise<P>;
  /** Handles one valid body. Throw PoisonMessageError for a message that can never succeed. */
  readonly handle: (body: A, record: SQSRecord, prepared: P | undefined) => Promise<void>;
}

export type QueueConsumer = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

export function createQueueConsumer<A, P = undefined>(options: QueueConsumerOptions<A, P>): QueueConsumer {
  const { name, codec, deadLetterQueue, logger, prepare, handle } = options;

  const toDeadLetterQueue = async (record: SQSRecord, reason: PoisonReason, detail: string): Promise<void> => {
    const deadLetterMessageId = await deadLetterQueue.send(record.body, reason, {
      messageId: record.messageId,
      eventSourceArn: record.eventSourceARN,
    });
    logger.warn(`${name}: message can never succeed, moved to the dead-letter queue`, {
      messageId: record.messageId,
      reason,
      detail,
      deadLetterMessageId,
    });
  };

  const handleRecord = async (record: SQSRecord, prepared: P | undefined): Promise<void> => {
    const parsed = parseJson(record.body);
    if (!parsed.ok) return toDeadLetterQueue(record, 'invalid_json', 'the body is not JSON');
    const body = decode(codec, parsed.value);
    if (!body.ok) return toDeadLetterQueue(record, 'invalid_body', body.message);
    try {
      await handle(body.value, record, prepared);
    } catch (error) {
      if (error instanceof PoisonMessageError) return toDeadLetterQueue(record, error.reason, error.message);
      logger.warn(`${name}: message failed, it will be retried`, {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error,
      });
      throw error;
    }
  };

  const prepareBatch = async (records: readonly SQSRecord[]): Promise<P | undefined> => {
    if (prepare === undefined) return undefined;
    const bodies: A[] = [];
    for (const record of records) {
      const parsed = parseJson(record.body);
      const body = parsed.ok ? decode(codec, parsed.value) : undefined;
      if (body?.ok === true) bodies.push(body.value);
    }
    if (bodies.length === 0) return undefined;
    try {
      return await prepare(bodies);
    } catch (error) {
      logger.warn(`${name}: preparing the batch failed; each record does its own work`, { records: records.length, error });
      return undefined;
    }
  };

  return async (event, context) => {
    const prepared = await prepareBatch(event.Records);
    // One processor per invocation: a shared one would mix up concurrent invocations.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, (record: SQSRecord) => handleRecord(record, prepared), processor, {
      ...(context === undefined ? {} : { context }),
      throwOnFullBatchFailure: false,
    });
  };
}
