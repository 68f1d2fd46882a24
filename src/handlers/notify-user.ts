/**
 * Consumer of the NotifyUser queue: `{"userId","data","id"?}` is first stored in the user's inbox,
 * which gives it its `seq`, and then fanned out through the NotifyConnection queue
 * (SendMessageBatch, groups of 10, bounded concurrency) to every authorized, unexpired connection
 * of the user: those the user index lists, page by page, and those authorized in the last few
 * minutes, which the index may not show yet (the recent-connection pointers, read strongly
 * consistently). Every copy carries the same notification id — the given `id`, else this message's
 * SQS message id — and `seq`, so clients can drop the duplicates a retry may cause; a redelivered
 * message keeps its first `seq`. A user without connections is success: the notification waits in
 * the inbox for a `resume`. Each copy carries this message's `SentTimestamp` as an attribute, from
 * which NotifyConnection measures the delivery latency; a newly stored notification counts in
 * NotificationsStored.
 */
import type { SQSRecord } from 'aws-lambda';
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { InboxStore } from '../commons/clients/inbox-store';
import type { DeadLetterQueue, QueueClient } from '../commons/clients/queue-client';
import { NotifyUserBody } from '../commons/codecs';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../commons/constants';
import { PoisonMessageError, QueueSendError } from '../commons/errors';
import { serializeNotificationFrame } from '../commons/frames';
import type { Logger } from '../commons/logger';
import { METRIC_NAMES } from '../commons/metric-names';
import { addCount, type Metrics } from '../commons/metrics';
import { fanOutAttributes } from './delivery-latency';
import { createQueueConsumer, type QueueConsumer } from './queue-consumer';

export interface NotifyUserDependencies {
  readonly connections: ConnectionStore;
  readonly inbox: InboxStore;
  readonly notifyConnectionQueue: QueueClient;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
}

/** The NotifyConnection body for one connection, with `data` serialized once for the whole fan-out. */
function notifyConnectionBody(connectionId: string, dataJson: string, id: string, seq: number): string {
  return `{"connectionId":${JSON.stringify(connectionId)},"data":${dataJson},"id":${JSON.stringify(id)},"seq":${seq}}`;
}

/** Bytes of the largest frame this notification can become: replayed by `resume`, with the largest `seq`. */
function largestFrameBytes(id: string, dataJson: string): number {
  return Buffer.byteLength(serializeNotificationFrame(id, dataJson, { seq: Number.MAX_SAFE_INTEGER, replayed: true }), 'utf8');
}

export function createNotifyUserHandler(deps: NotifyUserDependencies): QueueConsumer {
  const { connections, inbox, notifyConnectionQueue, deadLetterQueue, logger, metrics, clock = systemClock } = deps;

  const handle = async (body: NotifyUserBody, record: SQSRecord): Promise<void> => {
    const id = body.id ?? record.messageId;
    const { userId } = body;
    const dataJson = JSON.stringify(body.data);
    const frameBytes = largestFrameBytes(id, dataJson);
    if (frameBytes > MAX_WEBSOCKET_MESSAGE_BYTES) {
      throw new PoisonMessageError(
        'payload_too_large',
        `the notification frame would be up to ${frameBytes} bytes, over the ${MAX_WEBSOCKET_MESSAGE_BYTES}-byte WebSocket limit`,
      );
    }

    const { seq, duplicate } = await inbox.store({ userId, id, dataJson, storedAt: clock() });
    if (!duplicate) addCount(metrics, METRIC_NAMES.notificationsStored);
    const attributes = fanOutAttributes(record);

    // Read only now that the notification is stored: a connection these reads miss was authorized
    // after it was stored, so the `resume` the client sends after authorizing replays it.
    const sent = new Set<string>();
    const fanOut = async (connectionIds: readonly string[]): Promise<void> => {
      const targets = connectionIds.filter((connectionId) => !sent.has(connectionId));
      for (const connectionId of targets) sent.add(connectionId);
      if (targets.length === 0) return;
      const bodies = targets.map((connectionId) => notifyConnectionBody(connectionId, dataJson, id, seq));
      const result = await notifyConnectionQueue.sendBatch(bodies, attributes === undefined ? {} : { attributes });
      if (result.failed.some((failure) => failure.senderFault)) {
        throw new PoisonMessageError('rejected_by_queue', `NotifyConnection refused ${result.failed.length} of ${targets.length} messages`);
      }
      if (result.failed.length > 0) {
        const codes = [...new Set(result.failed.map((failure) => failure.code))].join(', ');
        throw new QueueSendError(`${result.failed.length} of ${targets.length} NotifyConnection messages could not be sent (${codes})`, true);
      }
    };

    const now = clock();
    const recent = await inbox.recentConnections(userId, now);
    await fanOut(recent.map((pointer) => pointer.connectionId));
    for await (const page of connections.queryByUser(userId, now)) {
      await fanOut(page.map((connection) => connection.connectionId));
    }
    logger.info('Notification fanned out', {
      messageId: record.messageId,
      notificationId: id,
      userId,
      seq,
      duplicate,
      connections: sent.size,
    });
  };

  return createQueueConsumer({ name: 'NotifyUser', codec: NotifyUserBody, deadLetterQueue, logger, handle });
}
