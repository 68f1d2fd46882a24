/**
 * Route `resume` (route response): `{"action":"resume","after":N}` on an authorized connection
 * replays the user's stored notifications with `seq` > N, at most 100, in ascending `seq`, each
 * posted through the Management API as `{"type":"notification","id","seq","data","replayed":true}`,
 * and then answers `{"type":"resumed","after","latest","count","more","truncated"}`.
 *
 * The state is checked first: a connection that may not act gets `unauthorized` / `token_expired`
 * and nothing else happens. N must be an integer ≥ 0 (`bad_request` otherwise). The posts go one at
 * a time, so they arrive in order and before the `resumed` frame. A connection that is gone (410)
 * while replaying ends the resume without a reply; any other failure is answered `internal_error`
 * (the client resumes again from the highest `seq` it received). Each notification posted counts in
 * NotificationsReplayed.
 */
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import type { GatewayClient } from '../commons/clients/gateway-client';
import type { InboxStore } from '../commons/clients/inbox-store';
import { decode, ResumeMessage } from '../commons/codecs';
import { connectionAccess } from '../commons/connection-record';
import { ConnectionGoneError } from '../commons/errors';
import { resumedFrame, serializeNotificationFrame } from '../commons/frames';
import type { Logger } from '../commons/logger';
import { METRIC_NAMES } from '../commons/metric-names';
import { addCount, type Metrics } from '../commons/metrics';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { errorResult, frameResult, parseClientMessage, withErrorFrame } from './route-response';

export interface ResumeDependencies {
  readonly connections: ConnectionStore;
  readonly inbox: InboxStore;
  readonly gateway: GatewayClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
}

const INVALID_AFTER = 'after must be an integer of 0 or more: the highest seq this client holds, or 0.';

export async function handleResume(event: WebSocketMessageEvent, deps: ResumeDependencies): Promise<RouteResult> {
  const { connections, inbox, gateway, logger, metrics, clock = systemClock } = deps;
  const { connectionId } = event.requestContext;
  return withErrorFrame(logger, 'resume', async () => {
    const now = clock();
    const access = connectionAccess(await connections.get(connectionId, now), now);
    if (access.status !== 'authorized') return errorResult(access.status);

    const parsed = parseClientMessage(event);
    if (!parsed.ok) return errorResult('bad_request', parsed.reason);
    const message = decode(ResumeMessage, parsed.message);
    if (!message.ok) return errorResult('bad_request', INVALID_AFTER);

    const { after } = message.value;
    const { userId } = access.record;
    const replay = await inbox.readAfter(userId, after, now);
    let posted = 0;
    try {
      for (const notification of replay.notifications) {
        const text = serializeNotificationFrame(notification.id, notification.dataJson, { seq: notification.seq, replayed: true });
        try {
          await gateway.post(connectionId, text);
        } catch (error) {
          if (!(error instanceof ConnectionGoneError)) throw error;
          logger.info('Resume stopped: the connection is gone', { connectionId, userId, after, seq: notification.seq });
          return { statusCode: 200 };
        }
        posted += 1;
      }
    } finally {
      addCount(metrics, METRIC_NAMES.notificationsReplayed, posted);
    }
    const count = replay.notifications.length;
    logger.info('Resumed', { connectionId, userId, after, latest: replay.latest, count, more: replay.more, truncated: replay.truncated });
    return frameResult(resumedFrame({ after, latest: replay.latest, count, more: replay.more, truncated: replay.truncated }));
  });
}
