/**
 * local-aws-sqs, the in-memory SQS of the local runtime. Every use of its internals is in this
 * module: its request handler, the port it writes into queue URLs, its queue objects and their
 * records. The rest of the runtime sees an HTTP handler and, for the queue pollers, queues with
 * SQS's ReceiveMessage and DeleteMessageBatch semantics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { createRequestHandler } from 'local-aws-sqs';
import type { RedeliveringQueue } from './sqs-duplicates';

/** A message the queue did not delete (its index among the receipt handles given), and why, as DeleteMessageBatch reports it. */
export interface DeleteFailure {
  readonly index: number;
  readonly code: string;
}

/**
 * A queue as AWS's event source mapping service uses it: calls into the engine's queue, without
 * HTTP (the same queue methods the HTTP actions call: visibility, receive counts, redrive and
 * delays behave the same).
 */
export interface EventSourceQueue {
  /**
   * ReceiveMessage with every attribute and message attribute, in the SDK's shape. An aborted receive
   * rejects with the signal's reason (an AbortError) at once; messages it takes afterwards are put back, visible.
   */
  receive(request: { readonly maxMessages: number; readonly waitTimeSeconds: number; readonly signal?: AbortSignal }): Promise<Message[]>;
  /** DeleteMessageBatch: the failures, none when every message was deleted. */
  deleteBatch(receiptHandles: readonly string[]): Promise<DeleteFailure[]>;
}

export interface SqsEngine {
  /** Answers an SQS API request (JSON or query protocol). */
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
  /** Tells the engine the port it is served on: queue URLs carry it. */
  setPort(port: number): void;
  eventSourceQueue(queueName: string): RedeliveringQueue | undefined;
  /** Drops every message of every queue. */
  clear(): void;
}

type EngineQueue = ReturnType<typeof createRequestHandler>['service']['Queues'][number];

/** A stored message of local-aws-sqs, as its receive returns it. */
interface EngineRecord {
  readonly MessageId?: string;
  readonly ReceiptHandle?: string;
  readonly MessageBody?: string;
  readonly MD5OfMessageBody?: string;
  readonly MD5OfMessageAttributes?: string;
  readonly attributes?: Record<string, string>;
  readonly MessageAttributes?: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string | Uint8Array }>;
}

export function createSqsEngine(options: { readonly hostname: string; readonly region: string; readonly accountId: string }): SqsEngine {
  const { service, requestHandler } = createRequestHandler({
    port: 0,
    hostname: options.hostname,
    region: options.region,
    accountId: options.accountId,
    validateDlqDestination: true,
    emulateQueueCreationLifecycle: false,
    emulateLazyQueues: false,
  });
  const queueNamed = (name: string | undefined): EngineQueue | undefined => service.Queues.find((candidate) => candidate.QueueName === name);
  return {
    handle: (request, response) => {
      void requestHandler(request, response);
      if (request.headers['x-amz-target'] === 'AmazonSQS.ReceiveMessage') returnOrphanedMessages(request, response, queueNamed);
    },
    setPort: (port) => {
      service.PORT = port;
    },
    eventSourceQueue: (queueName) => {
      const queue = queueNamed(queueName);
      return queue === undefined ? undefined : eventSourceQueue(queue);
    },
    clear: () => service.Queues.forEach((queue) => queue.clearRecords()),
  };
}

/**
 * Puts received messages back, visible at once, with the same message ids, as if the receive never
 * happened (a receive nobody is waiting for any more).
 */
function returnToQueue(queue: EngineQueue, records: readonly EngineRecord[]): void {
  for (const record of records) {
    if (record.ReceiptHandle === undefined || record.MessageId === undefined) continue;
    try {
      queue.delete(record.ReceiptHandle);
    } catch {
      // A receipt handle the queue refuses: nothing of ours to put back.
      continue;
    }
    queue.setRecord({ MessageBody: record.MessageBody, MessageAttributes: record.MessageAttributes, DelaySeconds: 0 }, record.MessageId);
  }
}

/**
 * A client that gives up on a long poll (a poller shutting down aborts its requests) leaves the
 * receive running inside local-aws-sqs: whatever it collects afterwards would be answered to a
 * closed socket and stay invisible for a whole visibility timeout, received by nobody. This puts
 * such messages back.
 */
function returnOrphanedMessages(request: IncomingMessage, response: ServerResponse, queueNamed: (name: string | undefined) => EngineQueue | undefined): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  let clientGone = false;
  response.once('close', () => {
    if (!response.writableFinished) clientGone = true;
  });
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  response.end = ((...args: unknown[]) => {
    const body = args[0];
    if (clientGone && (typeof body === 'string' || Buffer.isBuffer(body))) {
      try {
        const { Messages } = JSON.parse(body.toString()) as { Messages?: (EngineRecord & { Body?: string })[] };
        const { QueueUrl } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { QueueUrl?: string };
        const queue = queueNamed(QueueUrl?.split('/').pop());
        const records = (Messages ?? []).map((message) => ({ ...message, MessageBody: message.Body }));
        if (queue !== undefined) returnToQueue(queue, records);
      } catch {
        // Not a JSON answer with messages: nothing was taken.
      }
    }
    return end(...args);
  }) as ServerResponse['end'];
}

function toMessageAttributes(attributes: EngineRecord['MessageAttributes']): Record<string, MessageAttributeValue> | undefined {
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
function toMessage(record: EngineRecord): Message {
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

function eventSourceQueue(queue: EngineQueue): RedeliveringQueue {
  /** The engine's record behind each message handed out, for `redeliver`. */
  const recordOf = new WeakMap<Message, EngineRecord>();
  const toMessages = (records: readonly EngineRecord[]): Message[] =>
    records.map((record) => {
      const message = toMessage(record);
      recordOf.set(message, record);
      return message;
    });
  return {
    async receive({ maxMessages, waitTimeSeconds, signal }) {
      signal?.throwIfAborted();
      const pending = queue.receive({ MaxNumberOfMessages: maxMessages, WaitTimeSeconds: waitTimeSeconds }) as Promise<EngineRecord[]>;
      if (signal === undefined) return toMessages(await pending);
      return new Promise<Message[]>((resolve, reject) => {
        const onAbort = (): void => {
          reject(signal.reason as Error);
          // The queue's receive runs on: whatever it takes goes back.
          void pending.then((records) => returnToQueue(queue, records), () => undefined);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        void pending
          .then(toMessages)
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', onAbort));
      });
    },

    deleteBatch(receiptHandles) {
      const failures: DeleteFailure[] = [];
      receiptHandles.forEach((receiptHandle, index) => {
        try {
          if (!queue.delete(receiptHandle)) failures.push({ index, code: 'ReceiptHandleIsInvalid' });
        } catch (error) {
          const code = (error as { Code?: unknown }).Code;
          failures.push({ index, code: typeof code === 'string' ? code : 'ReceiptHandleIsInvalid' });
        }
      });
      return Promise.resolve(failures);
    },

    redeliver(message) {
      const record = recordOf.get(message);
      if (record?.MessageId === undefined) return;
      const sentTimestamp = record.attributes?.SentTimestamp;
      queue.setRecord(
        {
          MessageBody: record.MessageBody,
          MessageAttributes: record.MessageAttributes,
          // The copy keeps the message's sent time, as a redelivery does.
          ...(sentTimestamp !== undefined ? { MessageSystemAttributes: { SentTimestamp: { DataType: 'String', StringValue: sentTimestamp } } } : {}),
          DelaySeconds: 0,
        },
        record.MessageId,
      );
    },
  };
}
