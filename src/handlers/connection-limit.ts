/**
 * The stage's limit on the connections one user holds (`maxConnectionsPerUser`), checked before a
 * connection becomes authorized: by `$connect` in mode `authorizer` (refused with 429) and by
 * `authorize` in mode `action` (`too_many_connections`, the connection stays pending).
 *
 * It counts the user's authorized connections whose token and record have not expired, from the
 * user index. A record whose `$disconnect` never arrived would count for ever and could lock the
 * user out, so at the limit every counted connection is asked for with the Management API
 * (GetConnection): one that is gone (410) has its record deleted and does not count. The index is
 * eventually consistent, so a burst of simultaneous handshakes of one user can exceed the limit
 * briefly; the limit bounds what one token can open, it is not an exact quota.
 */
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { GatewayClient } from '../commons/clients/gateway-client';
import { runWithConcurrency } from '../commons/clients/queue-client';
import type { Logger } from '../commons/logger';

export interface ConnectionLimitDependencies {
  readonly connections: ConnectionStore;
  readonly gateway: GatewayClient;
  readonly logger: Logger;
}

/** GetConnection calls in flight while the connections at the limit are checked. */
const CHECKS_IN_FLIGHT = 10;

/** The outcome of a check: whether one more connection fits, and how many the user holds. */
export interface ConnectionLimitCheck {
  readonly allowed: boolean;
  /** Connections counted against the limit (stale records found gone excluded). */
  readonly open: number;
}

/**
 * Whether the user may authorize one more connection under `maxConnections`. `nowMs` is the time
 * tokens and records are judged against.
 */
export async function checkConnectionLimit(
  userId: string,
  maxConnections: number,
  deps: ConnectionLimitDependencies,
  nowMs: number,
): Promise<ConnectionLimitCheck> {
  const { connections, gateway, logger } = deps;
  const counted: string[] = [];
  for await (const page of connections.queryByUser(userId, nowMs)) counted.push(...page.map((entry) => entry.connectionId));
  if (counted.length < maxConnections) return { allowed: true, open: counted.length };

  // At the limit: a record left by a `$disconnect` that never arrived must not count.
  let gone = 0;
  await runWithConcurrency(counted, CHECKS_IN_FLIGHT, async (connectionId) => {
    let exists = true;
    try {
      exists = await gateway.connectionExists(connectionId);
    } catch (error) {
      // Unknown: it keeps counting (the limit fails closed), and the failure is visible.
      logger.warn('Connection limit: could not check a connection, it still counts', { userId, connectionId, error });
    }
    if (exists) return;
    await connections.delete(connectionId);
    gone += 1;
    logger.info('Connection limit: deleted the record of a connection that is gone', { userId, connectionId });
  });
  const open = counted.length - gone;
  return { allowed: open < maxConnections, open };
}
