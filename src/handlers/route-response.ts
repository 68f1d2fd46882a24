/**
 * Helpers shared by the route-response handlers (`ping`, `authorize`, `resume`, `$default`): parsing a
 * client message, turning a frame into the integration's return value, and the error boundary
 * that answers any unexpected failure with `internal_error` instead of a Lambda error.
 */
import { JsonObject, decode, parseJson } from '../commons/codecs';
import { errorFrame, serializeFrame, type ErrorCode, type ServerFrame } from '../commons/frames';
import type { Logger } from '../commons/logger';
import { messageText, type RouteResult, type WebSocketMessageEvent } from '../commons/websocket-events';

/** `{ statusCode: 200, body: <the frame> }`: API Gateway sends the body to the client as one text frame. */
export function frameResult(frame: ServerFrame): RouteResult {
  return { statusCode: 200, body: serializeFrame(frame) };
}

export function errorResult(code: ErrorCode, message?: string): RouteResult {
  return frameResult(errorFrame(code, message));
}

export type ParsedClientMessage =
  | { readonly ok: true; readonly message: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/** The message as a JSON object, or why it is not one (for a `bad_request` frame). */
export function parseClientMessage(event: WebSocketMessageEvent): ParsedClientMessage {
  const parsed = parseJson(messageText(event));
  if (!parsed.ok) return { ok: false, reason: 'The message is not valid JSON.' };
  const object = decode(JsonObject, parsed.value);
  if (!object.ok) return { ok: false, reason: 'The message must be a JSON object.' };
  return { ok: true, message: object.value };
}

/**
 * Runs a route handler. Anything it throws is logged (redacted, with the error) and answered
 * with an `internal_error` frame: the client keeps its connection and never sees internals.
 */
export async function withErrorFrame(
  logger: Logger,
  route: string,
  handler: () => Promise<RouteResult>,
): Promise<RouteResult> {
  try {
    return await handler();
  } catch (error) {
    logger.error(`${route} failed`, { error });
    return errorResult('internal_error');
  }
}
