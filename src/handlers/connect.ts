/**
 * Route `$connect`. Refuses a handshake from an origin not in ALLOWED_ORIGINS (403, nothing
 * written). Mode `authorizer`: refuses a user who already holds the stage's maximum of connections
 * (429, nothing written; connection-limit.ts), else writes the record as authorized with the user
 * and expiry the authorizer put in `requestContext.authorizer`, then the recent-connection pointer
 * in the user's inbox, so that a notification stored from now on reaches the connection even while
 * the user index does not show it yet. When the pointer cannot be written, the record is deleted
 * again and the handshake fails: the client reconnects, rather than holding a connection the
 * fan-out may miss. Mode `action`: schedules the authorize deadline (a delayed queue message) and
 * then writes the record as pending, so a pending record never exists without its deadline. Any
 * failure → 500 (the handshake fails) with the error logged. An accepted handshake counts in
 * ConnectionsOpened, a refused one in HandshakesRefused under its reason.
 */
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { GatewayClient } from '../commons/clients/gateway-client';
import type { InboxStore } from '../commons/clients/inbox-store';
import type { QueueClient } from '../commons/clients/queue-client';
import { AuthorizerContext, decode } from '../commons/codecs';
import { newAuthorizedConnection, newPendingConnection, type AuthMode } from '../commons/connection-record';
import { recentConnection } from '../commons/inbox';
import type { Logger } from '../commons/logger';
import { addCount, addHandshakeRefused, type Metrics } from '../commons/metrics';
import { METRIC_NAMES, type HandshakeRefusalReason } from '../commons/metric-names';
import { getHeader, type RouteResult, type WebSocketConnectEvent } from '../commons/websocket-events';
import { checkConnectionLimit } from './connection-limit';

export interface ConnectConfig {
  readonly authMode: AuthMode;
  /** Empty: every origin is accepted. */
  readonly allowedOrigins: readonly string[];
  /** Mode `action`: SQS DelaySeconds of the deadline message. */
  readonly authorizeDeadlineSeconds?: number;
  /** Mode `authorizer`: the most connections one user may hold; absent: no limit. */
  readonly maxConnectionsPerUser?: number;
}

export interface ConnectDependencies {
  readonly connections: ConnectionStore;
  /** Mode `authorizer`: the inbox, for the recent-connection pointer. */
  readonly inbox?: InboxStore;
  /** Mode `action`: the authorize-deadline queue. */
  readonly deadlineQueue?: QueueClient;
  /** Mode `authorizer` with a connection limit: the Management API, to tell stale records from open connections. */
  readonly gateway?: GatewayClient;
  readonly config: ConnectConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
}

/** True when the handshake's Origin header is present and not allowed. */
export function isOriginRefused(origin: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.length === 0 || origin === undefined) return false;
  return !allowedOrigins.includes(origin.trim());
}

export async function handleConnect(event: WebSocketConnectEvent, deps: ConnectDependencies): Promise<RouteResult> {
  const { metrics } = deps;
  const result = await connect(event, deps);
  if (result.statusCode === 200) addCount(metrics, METRIC_NAMES.connectionsOpened);
  else addHandshakeRefused(metrics, refusalReason(result.statusCode));
  return result;
}

/** What a refused handshake is counted under, by the status `$connect` answered. */
function refusalReason(statusCode: number): HandshakeRefusalReason {
  if (statusCode === 403) return 'forbidden_origin';
  if (statusCode === 429) return 'too_many_connections';
  return 'error';
}

async function connect(event: WebSocketConnectEvent, deps: ConnectDependencies): Promise<RouteResult> {
  const { connections, inbox, deadlineQueue, gateway, config, logger, clock = systemClock } = deps;
  const { connectionId } = event.requestContext;
  const origin = getHeader(event.headers, 'origin');
  if (isOriginRefused(origin, config.allowedOrigins)) {
    logger.info('Connection refused: origin not allowed', { connectionId, origin });
    return { statusCode: 403 };
  }
  try {
    const now = clock();
    const connectedAt = event.requestContext.connectedAt ?? now;
    if (config.authMode === 'authorizer') {
      if (inbox === undefined) throw new TypeError('mode authorizer needs the inbox (INBOX_TABLE_NAME)');
      const context = decode(AuthorizerContext, event.requestContext.authorizer ?? {});
      if (!context.ok) {
        logger.error('Connection refused: the authorizer context is missing or invalid', { connectionId, detail: context.message });
        return { statusCode: 500 };
      }
      const max = config.maxConnectionsPerUser;
      if (max !== undefined) {
        if (gateway === undefined) throw new TypeError('a connection limit needs the Management API (CALLBACK_URL)');
        const limit = await checkConnectionLimit(context.value.userId, max, { connections, gateway, logger }, now);
        if (!limit.allowed) {
          logger.info('Connection refused: the user holds the most connections allowed', { connectionId, userId: context.value.userId, open: limit.open, max });
          return { statusCode: 429 };
        }
      }
      const record = newAuthorizedConnection({
        connectionId,
        connectedAt,
        authorizedAt: now,
        userId: context.value.userId,
        expiresAt: context.value.expiresAt,
        authMode: 'authorizer',
      });
      await connections.put(record);
      try {
        await inbox.putRecentConnection(recentConnection(record, now));
      } catch (error) {
        logger.error('Connection refused: the recent-connection pointer could not be written', { connectionId, userId: record.userId, error });
        await deleteRecord(connections, connectionId, logger);
        return { statusCode: 500 };
      }
      logger.info('Connection authorized', { connectionId, userId: record.userId, expiresAt: record.expiresAt });
      return { statusCode: 200 };
    }

    if (deadlineQueue === undefined || config.authorizeDeadlineSeconds === undefined) {
      throw new TypeError('mode action needs the authorize-deadline queue and AUTHORIZE_DEADLINE_SECONDS');
    }
    await deadlineQueue.send(JSON.stringify({ connectionId }), { delaySeconds: config.authorizeDeadlineSeconds });
    await connections.put(newPendingConnection({ connectionId, connectedAt }));
    logger.info('Connection pending authorization', { connectionId, deadlineSeconds: config.authorizeDeadlineSeconds });
    return { statusCode: 200 };
  } catch (error) {
    logger.error('$connect failed', { connectionId, error });
    return { statusCode: 500 };
  }
}

/** Deletes the record of a handshake that fails; if that fails too, the record expires with its ttl. */
async function deleteRecord(connections: ConnectionStore, connectionId: string, logger: Logger): Promise<void> {
  try {
    await connections.delete(connectionId);
  } catch (error) {
    logger.error('The record of the refused connection could not be deleted: it expires with its ttl', { connectionId, error });
  }
}
