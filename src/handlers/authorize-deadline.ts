/**
 * Consumer of the authorize-deadline queue (mode `action`): `{"connectionId"}` arrives
 * AUTHORIZE_DEADLINE_SECONDS after `$connect`. A connection still pending gets an
 * `authorization_timeout` frame and is closed; a connection already gone has its record deleted;
 * an authorized or absent connection needs nothing.
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

export function createAuthorizeDeadlineHandler(deps: AuthorizeDeadlineDependencies): QueueConsumer {
  const { connections, gateway, deadLetterQueue, logger, clock = systemClock } = deps;

  const handle = async ({ connectionId }: AuthorizeDeadlineBody, _record: SQSRecord): Promise<void> => {
    const record = await connections.get(connectionId, clock());
    if (record === undefined || record.state !== 'pending') {
      logger.debug('Authorize deadline: nothing to do', { connectionId, state: record?.state ?? 'absent' });
      return;
    }
    try {
      await gateway.post(connectionId, errorFrame('authorization_timeout'));
      await gateway.delete(connectionId);
      logger.info('Authorize deadline passed: connection closed', { connectionId });
    } catch (error) {
      if (!(error instanceof ConnectionGoneError)) throw error;
      await connections.delete(connectionId);
      logger.info('Authorize deadline: connection already gone, record deleted', { connectionId });
    }
  };

  return createQueueConsumer({ name: 'AuthorizeDeadline', codec: AuthorizeDeadlineBody, deadLetterQueue, logger, handle });
}
