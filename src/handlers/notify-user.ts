/**
 * Consumer of the NotifyUser queue: `{"userId","data","id"?}` fans out to every authorized,
 * unexpired connection of the user through the NotifyConnection queue (SendMessageBatch, groups
 * of 10, bounded concurrency), page by page of the user index. Every copy carries the same
 * notification id — the given `id`, else this message's SQS message id — so clients can drop the
 * duplicates a retry may cause. A user without connections is success.
 */
import type { SQSRecord } from 'aws-lambda';
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { DeadLetterQueue, QueueClient } from '../commons/clients/queue-client';
import { NotifyUserBody } from '../commons/codecs';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../commons/constants';
import { PoisonMessageError, QueueSendError } from '../commons/errors';
import { frameByteLength, notificationFrame } from '../commons/frames';
import type { Logger } from '../commons/logger';
import { createQueueConsumer, type QueueConsumer } from './queue-consumer';

export interface NotifyUserDependencies {
  readonly connections: ConnectionStore;
  readonly notifyConnectionQueue: QueueClient;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly logger: Logger;
  readonly clock?: Clock;
}

/** The NotifyConnection body for one connection, with `data` serialized once for the whole fan-out. */
function notifyConnectionBody(connectionId: string, dataJson: string, id: string): string {
  return `{"connectionId":${JSON.stringify(connectionId)},"data":${dataJson},"id":${JSON.stringify(id)}}`;
}

export function createNotifyUserHandler(deps: NotifyUserDependencies): QueueConsumer {
  const { connections, notifyConnectionQueue, deadLetterQueue, logger, clock = systemClock } = deps;

  const handle = async (body: NotifyUserBody, record: SQSRecord): Promise<void> => {
    const id = body.id ?? record.messageId;
    const frameBytes = frameByteLength(notificationFrame(id, body.data));
    if (frameBytes > MAX_WEBSOCKET_MESSAGE_BYTES) {
      throw new PoisonMessageError(
        'payload_too_large',
        `the notification frame would be ${frameBytes} bytes, over the ${MAX_WEBSOCKET_MESSAGE_BYTES}-byte WebSocket limit`,
      );
    }
    const dataJson = JSON.stringify(body.data);
    let fannedOut = 0;
    for await (const page of connections.queryByUser(body.userId, clock())) {
      if (page.length === 0) continue;
      const result = await notifyConnectionQueue.sendBatch(
        page.map((connection) => notifyConnectionBody(connection.connectionId, dataJson, id)),
      );
      if (result.failed.some((failure) => failure.senderFault)) {
        throw new PoisonMessageError('rejected_by_queue', `NotifyConnection refused ${result.failed.length} of ${page.length} messages`);
      }
      if (result.failed.length > 0) {
        const codes = [...new Set(result.failed.map((failure) => failure.code))].join(', ');
        throw new QueueSendError(`${result.failed.length} of ${page.length} NotifyConnection messages could not be sent (${codes})`, true);
      }
      fannedOut += page.length;
    }
    logger.info('Notification fanned out', { messageId: record.messageId, notificationId: id, userId: body.userId, connections: fannedOut });
  };

  return createQueueConsumer({ name: 'NotifyUser', codec: NotifyUserBody, deadLetterQueue, logger, handle });
}
