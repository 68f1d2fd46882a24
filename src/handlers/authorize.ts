/**
 * Route `authorize` (route response), both modes: authorizes a pending connection, or renews an
 * authorized one with a token for the same user.
 *
 * Order: read the record; decode the body (`token` must be a string, else `bad_request`); verify
 * the token; refuse a token of another user (`invalid_token`, the record keeps its owner); refuse
 * a first authorize when the user already holds the stage's maximum of connections
 * (`too_many_connections`, not a failed attempt, the connection stays pending;
 * connection-limit.ts); write with a condition that never re-creates a deleted record; then write
 * the recent-connection pointer in the user's inbox, so that a notification stored from now on
 * reaches the connection even while the user index does not show it (or its renewed expiry) yet.
 * The pointer is written after the record, which never changes owner, so it always names the
 * record's user. When it cannot be written, the answer is `internal_error` (the client authorizes
 * again). Every failed attempt — `bad_request`
 * or `invalid_token` — adds one to `failedAttempts`; the third is answered with a
 * `too_many_attempts` frame through the Management API, the connection is then closed, and the
 * route returns no body.
 */
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { InboxStore } from '../commons/clients/inbox-store';
import { ConnectionGoneError, ConnectionChangedError, InvalidTokenError, KeyUnavailableError } from '../commons/errors';
import type { GatewayClient } from '../commons/clients/gateway-client';
import { AuthorizeMessage, decode } from '../commons/codecs';
import { MAX_FAILED_AUTHORIZE_ATTEMPTS } from '../commons/constants';
import { recentConnection } from '../commons/inbox';
import { authorizedFrame, errorFrame, type ErrorCode } from '../commons/frames';
import type { TokenVerifier } from '../commons/jwt-verifier';
import type { Logger } from '../commons/logger';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { checkConnectionLimit } from './connection-limit';
import { errorResult, frameResult, parseClientMessage, withErrorFrame } from './route-response';

export interface AuthorizeDependencies {
  readonly connections: ConnectionStore;
  readonly inbox: InboxStore;
  readonly gateway: GatewayClient;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** The most connections one user may hold, checked when a pending connection authorizes; absent: no limit. */
  readonly maxConnectionsPerUser?: number;
}

const NOT_REGISTERED = 'This connection is not registered: reconnect.';

export async function handleAuthorize(event: WebSocketMessageEvent, deps: AuthorizeDependencies): Promise<RouteResult> {
  const { connections, inbox, gateway, verifier, logger, clock = systemClock, maxConnectionsPerUser } = deps;
  const { connectionId } = event.requestContext;

  /** Counts a failed attempt; the one that reaches the limit closes the connection. */
  const fail = async (code: ErrorCode, message: string, reason: string): Promise<RouteResult> => {
    const attempts = await connections.recordFailedAttempt(connectionId);
    logger.info('Authorize refused', { connectionId, code, reason, failedAttempts: attempts });
    if (attempts === undefined) return errorResult('unauthorized', NOT_REGISTERED);
    if (attempts < MAX_FAILED_AUTHORIZE_ATTEMPTS) return errorResult(code, message);
    await closeForTooManyAttempts(connectionId, gateway, logger);
    return { statusCode: 200 };
  };

  return withErrorFrame(logger, 'authorize', async () => {
    const now = clock();
    const record = await connections.get(connectionId, now);
    if (record === undefined) return errorResult('unauthorized', NOT_REGISTERED);

    const parsed = parseClientMessage(event);
    if (!parsed.ok) return fail('bad_request', parsed.reason, 'body');
    const message = decode(AuthorizeMessage, parsed.message);
    if (!message.ok) return fail('bad_request', 'token must be a string.', 'token_type');

    let verified;
    try {
      verified = await verifier.verify(message.value.token, now);
    } catch (error) {
      if (error instanceof InvalidTokenError) return fail('invalid_token', 'The token was rejected.', error.code);
      if (error instanceof KeyUnavailableError) {
        // Not the client's fault: no attempt is counted.
        logger.error('Authorize could not verify the token', { connectionId, error });
        return errorResult('internal_error');
      }
      throw error;
    }

    if (record.state === 'authorized' && record.userId !== verified.userId) {
      return fail('invalid_token', 'The token belongs to another user than this connection.', 'other_user');
    }

    if (record.state === 'pending' && maxConnectionsPerUser !== undefined) {
      const limit = await checkConnectionLimit(verified.userId, maxConnectionsPerUser, { connections, gateway, logger }, now);
      if (!limit.allowed) {
        logger.info('Authorize refused: the user holds the most connections allowed', {
          connectionId,
          userId: verified.userId,
          open: limit.open,
          max: maxConnectionsPerUser,
        });
        return errorResult('too_many_connections');
      }
    }

    let updated;
    try {
      updated = await connections.authorize({
        connectionId,
        userId: verified.userId,
        expiresAt: verified.expiresAt,
        authorizedAt: now,
      });
    } catch (error) {
      if (!(error instanceof ConnectionChangedError)) throw error;
      // Deleted (disconnected), expired or taken by another user since it was read: nothing was written.
      logger.info('Authorize lost a race with a disconnect or another authorize', { connectionId });
      return errorResult('unauthorized', NOT_REGISTERED);
    }
    await inbox.putRecentConnection(recentConnection(updated, now));
    logger.info(record.state === 'authorized' ? 'Connection renewed' : 'Connection authorized', {
      connectionId,
      userId: updated.userId,
      expiresAt: updated.expiresAt,
    });
    return frameResult(authorizedFrame(updated.userId, updated.expiresAt, connectionId));
  });
}

/**
 * Sends `too_many_attempts`, then closes the connection. A connection already gone needs
 * neither; a failed send does not keep the connection open.
 */
async function closeForTooManyAttempts(connectionId: string, gateway: GatewayClient, logger: Logger): Promise<void> {
  logger.warn('Too many failed authorize attempts: closing the connection', { connectionId });
  try {
    await gateway.post(connectionId, errorFrame('too_many_attempts'));
  } catch (error) {
    if (error instanceof ConnectionGoneError) return;
    logger.error('Could not send too_many_attempts; closing the connection anyway', { connectionId, error });
  }
  try {
    await gateway.delete(connectionId);
  } catch (error) {
    if (!(error instanceof ConnectionGoneError)) throw error;
  }
}
