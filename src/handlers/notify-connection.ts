/**
 * Consumer of the NotifyConnection queue: `{"connectionId","data","id"?,"seq"?}` is delivered as
 * `{"type":"notification","id","seq"?,"data"}` to an authorized, unexpired connection, and refused
 * with a log line otherwise (`seq` comes with the bodies of the NotifyUser fan-out). A connection
 * that is gone (410) has its record deleted: success. A 410 for a connection still within its
 * handshake window (it may not have finished its handshake yet) never deletes its record: the
 * connection keeps working and gets the notification by `resume`. A frame over 128 KB goes to the
 * DLQ; transient failures are retried, this record only.
 *
 * The batch's connection records are read first with one BatchGetItem (a fan-out batch holds ten
 * connections: one request instead of ten); a record it could not read is read on its own.
 *
 * Metrics: NotificationsDelivered with the DeliveryLatency of each post (from the application's
 * send, delivery-latency.ts), NotificationsGone for a 410, NotificationsRefused for a connection
 * that may not receive it.
 */
import type { SQSRecord } from 'aws-lambda';
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { ConnectionRecord } from '../commons/connection-record';
import type { GatewayClient } from '../commons/clients/gateway-client';
import type { DeadLetterQueue } from '../commons/clients/queue-client';
import { NotifyConnectionBody } from '../commons/codecs';
import { connectionAccess } from '../commons/connection-record';
import { HANDSHAKE_WINDOW_SECONDS, MAX_WEBSOCKET_MESSAGE_BYTES } from '../commons/constants';
import { ConnectionGoneError, PayloadTooLargeError, PoisonMessageError } from '../commons/errors';
import { notificationFrame, serializeFrame } from '../commons/frames';
import type { Logger } from '../commons/logger';
import { METRIC_NAMES } from '../commons/metric-names';
import { addCount, addDeliveryLatency, type Metrics } from '../commons/metrics';
import { deliveryStartOf } from './delivery-latency';
import { createQueueConsumer, type QueueConsumer } from './queue-consumer';

export interface NotifyConnectionDependencies {
  readonly connections: ConnectionStore;
  readonly gateway: GatewayClient;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
}

/** True while a connection may still be completing its handshake (API Gateway answers 410 to posts until it has). */
export function isWithinHandshakeWindow(connectedAtMs: number, nowMs: number): boolean {
  return nowMs - connectedAtMs < HANDSHAKE_WINDOW_SECONDS * 1000;
}

export function createNotifyConnectionHandler(deps: NotifyConnectionDependencies): QueueConsumer {
  const { connections, gateway, deadLetterQueue, logger, metrics, clock = systemClock } = deps;

  /** The batch's records, read at once: connection id → record (undefined: absent or expired). */
  const prepare = (bodies: readonly NotifyConnectionBody[]): Promise<Map<string, ConnectionRecord | undefined>> =>
    connections.getMany(
      bodies.map((body) => body.connectionId),
      clock(),
    );

  const handle = async (body: NotifyConnectionBody, record: SQSRecord, prepared: Map<string, ConnectionRecord | undefined> | undefined): Promise<void> => {
    const { connectionId } = body;
    const id = body.id ?? record.messageId;
    const text = serializeFrame(notificationFrame(id, body.data, body.seq === undefined ? {} : { seq: body.seq }));
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_WEBSOCKET_MESSAGE_BYTES) {
      throw new PoisonMessageError(
        'payload_too_large',
        `the notification frame is ${bytes} bytes, over the ${MAX_WEBSOCKET_MESSAGE_BYTES}-byte WebSocket limit`,
      );
    }
    const now = clock();
    const stored = prepared?.has(connectionId) === true ? prepared.get(connectionId) : await connections.get(connectionId, now);
    const access = connectionAccess(stored, now);
    if (access.status !== 'authorized') {
      const reason = access.record === undefined ? 'absent' : access.status;
      logger.info('Notification refused', { messageId: record.messageId, notificationId: id, connectionId, reason });
      addCount(metrics, METRIC_NAMES.notificationsRefused);
      return;
    }
    try {
      await gateway.post(connectionId, text);
    } catch (error) {
      if (error instanceof ConnectionGoneError) {
        addCount(metrics, METRIC_NAMES.notificationsGone);
        if (isWithinHandshakeWindow(access.record.connectedAt, now)) {
          logger.info('Notification target answered 410 within its handshake window: record kept', {
            messageId: record.messageId,
            notificationId: id,
            connectionId,
          });
          return;
        }
        await connections.delete(connectionId);
        logger.info('Notification target is gone: record deleted', { messageId: record.messageId, notificationId: id, connectionId });
        return;
      }
      if (error instanceof PayloadTooLargeError) {
        throw new PoisonMessageError('payload_too_large', 'the Management API refused the frame as too large', { cause: error });
      }
      throw error;
    }
    addCount(metrics, METRIC_NAMES.notificationsDelivered);
    const sentAt = deliveryStartOf(record);
    if (sentAt !== undefined) addDeliveryLatency(metrics, clock() - sentAt);
    logger.debug('Notification delivered', { messageId: record.messageId, notificationId: id, connectionId });
  };

  return createQueueConsumer({ name: 'NotifyConnection', codec: NotifyConnectionBody, deadLetterQueue, logger, prepare, handle });
}
