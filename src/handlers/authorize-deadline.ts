/**
 * Consumer of the authorize-deadline queue (mode `action`): `{"connectionId"}` arrives
 * AUTHORIZE_DEADLINE_SECONDS after `$connect`. An authorized or absent connection needs nothing.
 * A connection still pending loses its record first, in a DeleteItem conditional on the record
 * still being pending, and only then gets an `authorization_timeout` frame and is closed: a client
 * that authorizes at the same moment either wins (the delete finds it authorized, and nothing else
 * happens) or loses (its `authorize` finds no record and is answered `unauthorized`), so an
 * authorized connection is never closed here.
 *
 * When the frame or the close fails after the record is gone, the message is retried; the
 * redelivery finds no record and closes the connection then (a connection without a record can
 * never authorize, so closing it is always right). A first delivery that finds no record has
 * nothing to do: the connection disconnected before its deadline.
 */
import type { SQSRecord } from 'aws-lambda';
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { GatewayClient } from '../commons/clients/gateway-client';
import type { DeadLetterQueue } from '../commons/clients/queue-client';
import { AuthorizeDeadlineBody } from '../commons/codecs';
import { ConnectionGoneError } from '../commons/errors';
import { errorFrame } from '../commons/frames';
import type { Logger } from '../commons/logger';
import { createQueueConsumer, type QueueConsumer } from './queue-consumer';

export interface AuthorizeDeadlineDependencies {
  readonly connections: ConnectionStore;
  readonly gateway: GatewayClient;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly logger: Logger;
  readonly clock?: Clock;
}

/** True when SQS has delivered the message before (ApproximateReceiveCount above 1). */
function isRedelivery(record: SQSRecord): boolean {
  return Number(record.attributes?.ApproximateReceiveCount ?? '1') > 1;
}

export function createAuthorizeDeadlineHandler(deps: AuthorizeDeadlineDependencies): QueueConsumer {
  const { connections, gateway, deadLetterQueue, logger, clock = systemClock } = deps;

  /** Sends `authorization_timeout` and closes the connection; a connection already gone needs neither. */
  const closeTimedOut = async (connectionId: string): Promise<void> => {
    try {
      await gateway.post(connectionId, errorFrame('authorization_timeout'));
      await gateway.delete(connectionId);
      logger.info('Authorize deadline passed: connection closed', { connectionId });
    } catch (error) {
      if (!(error instanceof ConnectionGoneError)) throw error;
      logger.info('Authorize deadline: connection already gone', { connectionId });
    }
  };

  const handle = async ({ connectionId }: AuthorizeDeadlineBody, record: SQSRecord): Promise<void> => {
    const stored = await connections.get(connectionId, clock());
    if (stored === undefined) {
      if (isRedelivery(record)) {
        // An earlier delivery may have deleted the record and then failed to close the connection.
        await closeTimedOut(connectionId);
        return;
      }
      logger.debug('Authorize deadline: nothing to do', { connectionId, state: 'absent' });
      return;
    }
    if (stored.state !== 'pending') {
      logger.debug('Authorize deadline: nothing to do', { connectionId, state: stored.state });
      return;
    }
    if (!(await connections.deletePending(connectionId))) {
      logger.info('Authorize deadline: the connection authorized or disconnected meanwhile, left alone', { connectionId });
      return;
    }
    await closeTimedOut(connectionId);
  };

  return createQueueConsumer({ name: 'AuthorizeDeadline', codec: AuthorizeDeadlineBody, deadLetterQueue, logger, handle });
}
