/** Route `ping` (route response): `{"type":"pong","name"?,"connectionId"}` for an authorized connection. */
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import { PingMessage, decode } from '../commons/codecs';
import { connectionAccess } from '../commons/connection-record';
import { pongFrame } from '../commons/frames';
import type { Logger } from '../commons/logger';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { errorResult, frameResult, parseClientMessage, withErrorFrame } from './route-response';

export interface PingDependencies {
  readonly connections: ConnectionStore;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export async function handlePing(event: WebSocketMessageEvent, deps: PingDependencies): Promise<RouteResult> {
  const { connections, logger, clock = systemClock } = deps;
  const { connectionId } = event.requestContext;
  return withErrorFrame(logger, 'ping', async () => {
    const now = clock();
    const access = connectionAccess(await connections.get(connectionId, now), now);
    if (access.status !== 'authorized') return errorResult(access.status);

    const parsed = parseClientMessage(event);
    if (!parsed.ok) return errorResult('bad_request', parsed.reason);
    const ping = decode(PingMessage, parsed.message);
    if (!ping.ok) return errorResult('bad_request', 'name must be a string of 1 to 100 characters.');
    return frameResult(pongFrame(connectionId, ping.value.name));
  });
}
