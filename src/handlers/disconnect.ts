/** Route `$disconnect`: deletes the connection record, and counts the connection in ConnectionsClosed. */
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { Logger } from '../commons/logger';
import { METRIC_NAMES } from '../commons/metric-names';
import { addCount, type Metrics } from '../commons/metrics';
import type { RouteResult, WebSocketDisconnectEvent } from '../commons/websocket-events';

export interface DisconnectDependencies {
  readonly connections: ConnectionStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export async function handleDisconnect(event: WebSocketDisconnectEvent, deps: DisconnectDependencies): Promise<RouteResult> {
  const { connections, logger, metrics } = deps;
  const { connectionId, disconnectStatusCode, disconnectReason } = event.requestContext;
  // The connection is closed whatever becomes of its record.
  addCount(metrics, METRIC_NAMES.connectionsClosed);
  try {
    await connections.delete(connectionId);
    logger.info('Connection closed', { connectionId, disconnectStatusCode, disconnectReason });
    return { statusCode: 200 };
  } catch (error) {
    // The record expires by its ttl; a notification to it meanwhile meets a 410 and deletes it.
    logger.error('$disconnect could not delete the record', { connectionId, error });
    return { statusCode: 500 };
  }
}
