/**
 * Route `$default` (route response): every message whose `action` selects no other route. On an
 * authorized connection: `bad_request` when it is not a JSON object, else `not_implemented`.
 * Nothing here looks an action up in an object, so `__proto__`, `constructor` or `toString` are
 * just unknown actions.
 */
import { systemClock, type Clock } from '../commons/clock';
import type { ConnectionStore } from '../commons/clients/connection-store';
import { connectionAccess } from '../commons/connection-record';
import { ERROR_MESSAGES } from '../commons/frames';
import type { Logger } from '../commons/logger';
import type { RouteResult, WebSocketMessageEvent } from '../commons/websocket-events';
import { errorResult, parseClientMessage, withErrorFrame } from './route-response';

export interface DefaultDependencies {
  readonly connections: ConnectionStore;
  readonly logger: Logger;
  readonly clock?: Clock;
}

const MAX_ECHOED_ACTION_LENGTH = 64;

/** The action as API Gateway selected it (non-strings stringified); undefined when it is nested too deeply to stringify. */
function actionText(action: unknown): string | undefined {
  if (typeof action === 'string') return action;
  try {
    return JSON.stringify(action);
  } catch {
    return undefined;
  }
}

/** How the frame names the action, shortened. */
function describeAction(action: unknown): string {
  if (action === undefined) return 'A message without an action is not implemented.';
  const text = actionText(action);
  if (text === undefined) return ERROR_MESSAGES.not_implemented;
  const shown = text.length > MAX_ECHOED_ACTION_LENGTH ? `${text.slice(0, MAX_ECHOED_ACTION_LENGTH)}…` : text;
  return `The action ${JSON.stringify(shown)} is not implemented.`;
}

export async function handleDefault(event: WebSocketMessageEvent, deps: DefaultDependencies): Promise<RouteResult> {
  const { connections, logger, clock = systemClock } = deps;
  const { connectionId } = event.requestContext;
  return withErrorFrame(logger, '$default', async () => {
    const now = clock();
    const access = connectionAccess(await connections.get(connectionId, now), now);
    if (access.status !== 'authorized') return errorResult(access.status);

    const parsed = parseClientMessage(event);
    if (!parsed.ok) return errorResult('bad_request', parsed.reason);
    const action = Object.hasOwn(parsed.message, 'action') ? parsed.message.action : undefined;
    return errorResult('not_implemented', describeAction(action));
  });
}
