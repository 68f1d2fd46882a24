/**
 * How the queue pollers reach an embedded queue: ReceiveMessage and DeleteMessageBatch as calls
 * into local-aws-sqs's queue, without HTTP.
 *
 * The pollers stand for AWS's event source mapping service, not for application code, and they
 * run in the same process as the embedded SQS. Going through an SDK client and HTTP cost the main
 * thread, which also runs the gateway and the embedded services, about 0.5 ms of CPU per request
 * (signing, serializing, parsing on both sides, MD5 checks): ~0.15 ms per delivery of a fan-out
 * (docs/performance.md). The queue's own semantics are untouched (visibility timeout, receive
 * counts, redrive to the DLQ after maxReceiveCount receives, DelaySeconds): these are the same
 * queue methods the HTTP actions call. Each call is still reported to the service's request
 * observer as an AWS request with caller `event-source-mapping` (what the bill counts), and, as
 * before, injected faults never touch the pollers.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { ServiceRequestListener } from './request-observer';

/** The part of a local-aws-sqs queue this module uses. */
export interface LocalQueue {
  receive(options: { MaxNumberOfMessages: number; WaitTimeSeconds: number }): Promise<unknown[]>;
  delete(receiptHandle: string): boolean;
  setRecord(input: { MessageBody: unknown; MessageAttributes: unknown; DelaySeconds: number }, messageId: string): unknown;
}

/** A message the queue did not delete, and why (as DeleteMessageBatch reports it). */
export interface DeleteFailure {
  /** Index into the receipt handles given. */
  readonly index: number;
  readonly code: string;
}

/** What an event source mapping does with its queue. */
export interface EventSourceQueue {
  /**
   * ReceiveMessage with every attribute and message attribute, in the SDK's shape. An aborted
   * receive rejects with an AbortError at once; messages it takes afterwards are put back, visible.
   */
  receive(request: { readonly maxMessages: number; readonly waitTimeSeconds: number; readonly signal?: AbortSignal }): Promise<Message[]>;
  /** DeleteMessageBatch: the failures, none when every message was deleted. */
  deleteBatch(receiptHandles: readonly string[]): Promise<DeleteFailure[]>;
}

/** A stored message of local-aws-sqs (its `record`), as receive returns it. */
interface LocalRecord {
  readonly MessageId?: string;
  readonly ReceiptHandle?: string;
  readonly MessageBody?: string;
  readonly MD5OfMessageBody?: string;
  readonly MD5OfMessageAttributes?: string;
  readonly attributes?: Record<string, string>;
  readonly MessageAttributes?: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string | Uint8Array }>;
}

export const EVENT_SOURCE_MAPPING_CALLER = 'event-source-mapping';

function abortError(): Error {
  const error = new Error('the receive was aborted');
  error.name = 'AbortError';
  return error;
}

function toMessageAttributes(attributes: LocalRecord['MessageAttributes']): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    // The JSON protocol stores binary values as base64 text; the SDK hands them out as bytes.
    const binary = typeof value.BinaryValue === 'string' ? Buffer.from(value.BinaryValue, 'base64') : value.BinaryValue;
    result[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(binary !== undefined ? { BinaryValue: binary } : {}),
    };
  }
  return result;
}

/** A received record in the shape of the SDK's ReceiveMessage output (AttributeNames and MessageAttributeNames `All`). */
export function toMessage(record: LocalRecord): Message {
  const messageAttributes = toMessageAttributes(record.MessageAttributes);
  return {
    MessageId: record.MessageId,
    ReceiptHandle: record.ReceiptHandle,
    MD5OfBody: record.MD5OfMessageBody,
    Body: record.MessageBody,
    ...(record.attributes !== undefined ? { Attributes: { ...record.attributes } } : {}),
    ...(messageAttributes !== undefined && Object.keys(messageAttributes).length > 0
      ? { MessageAttributes: messageAttributes, MD5OfMessageAttributes: record.MD5OfMessageAttributes }
      : {}),
  };
}

/**
 * Puts received messages back, visible at once, with the same message ids, as if the receive never
 * happened (a receive nobody is waiting for any more).
 */
export function returnToQueue(queue: LocalQueue, messages: readonly { readonly MessageId?: string; readonly ReceiptHandle?: string; readonly Body?: string; readonly MessageAttributes?: unknown }[]): void {
  for (const message of messages) {
    if (message.ReceiptHandle === undefined || message.MessageId === undefined) continue;
    try {
      queue.delete(message.ReceiptHandle);
    } catch {
      // A receipt handle the queue refuses: nothing of ours to put back.
      continue;
    }
    queue.setRecord({ MessageBody: message.Body, MessageAttributes: message.MessageAttributes, DelaySeconds: 0 }, message.MessageId);
  }
}

export function createEventSourceQueue(queue: LocalQueue, observer: () => ServiceRequestListener | undefined): EventSourceQueue {
  const observe = (operation: string, started: number): void =>
    observer()?.({ service: 'sqs', operation, status: 200, durationMs: performance.now() - started, caller: EVENT_SOURCE_MAPPING_CALLER });

  return {
    receive({ maxMessages, waitTimeSeconds, signal }) {
      if (signal?.aborted === true) return Promise.reject(abortError());
      const started = performance.now();
      const pending = queue.receive({ MaxNumberOfMessages: maxMessages, WaitTimeSeconds: waitTimeSeconds }) as Promise<LocalRecord[]>;
      if (signal === undefined) {
        return pending.then((records) => {
          observe('ReceiveMessage', started);
          return records.map(toMessage);
        });
      }
      return new Promise<Message[]>((resolve, reject) => {
        const onAbort = (): void => {
          reject(abortError());
          // The queue's receive runs on: whatever it takes goes back.
          void pending.then((records) => returnToQueue(queue, records.map((record) => ({ MessageId: record.MessageId, ReceiptHandle: record.ReceiptHandle, Body: record.MessageBody, MessageAttributes: record.MessageAttributes }))), () => undefined);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        pending.then(
          (records) => {
            if (signal.aborted) return;
            signal.removeEventListener('abort', onAbort);
            observe('ReceiveMessage', started);
            resolve(records.map(toMessage));
          },
          (error: unknown) => {
            if (signal.aborted) return;
            signal.removeEventListener('abort', onAbort);
            observe('ReceiveMessage', started);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
    },

    deleteBatch(receiptHandles) {
      const started = performance.now();
      const failures: DeleteFailure[] = [];
      receiptHandles.forEach((receiptHandle, index) => {
        try {
          if (!queue.delete(receiptHandle)) failures.push({ index, code: 'ReceiptHandleIsInvalid' });
        } catch (error) {
          const code = (error as { Code?: unknown }).Code;
          failures.push({ index, code: typeof code === 'string' ? code : 'ReceiptHandleIsInvalid' });
        }
      });
      observe('DeleteMessageBatch', started);
      return Promise.resolve(failures);
    },
  };
}
