/**
 * Lambda proxy events shaped like API Gateway's WebSocket events, keys in AWS's order, from events
 * captured on AWS (README.md, Decisions: event shapes). `requestContext.authorizer` is on every
 * route's event when the connection passed an authorizer. Per-connection parts (`identity`,
 * `authorizer`) are built once and shared by the connection's events: the function runner hands
 * functions a copy (structured clone).
 */

import type {
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketMessageEvent,
  WebSocketRequestContext,
} from '../../commons/websocket-events';

/** `requestContext.identity`. */
export interface WebSocketIdentity {
  readonly sourceIp: string;
  readonly userAgent?: string;
}

/** The handshake request as API Gateway presents it: header case kept, query string decoded (none: no query keys). */
export interface HandshakeRequestData {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters?: Record<string, string>;
  readonly multiValueQueryStringParameters?: Record<string, string[]>;
}

/** What every event of one connection shares. */
export interface ConnectionEventContext {
  readonly stage: string;
  readonly apiId: string;
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly domainName: string;
  readonly identity: WebSocketIdentity;
  readonly authorizer: Readonly<Record<string, string | number | null>> | undefined;
}

let cachedSecond = Number.NaN;
let cachedRequestTime = '';

/** `requestTime` as API Gateway writes it: `19/Feb/2024:07:11:42 +0000` (cached per second: every message has one). */
export function formatRequestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    const [, day, month, year, time] = new Date(second * 1000).toUTCString().split(' ');
    cachedSecond = second;
    cachedRequestTime = `${day!}/${month!}/${year!}:${time!} +0000`;
  }
  return cachedRequestTime;
}

function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  // Plain assignment would hit Object.prototype's __proto__ setter for a "__proto__" header or parameter.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Headers from Node's `rawHeaders` (keeping the client's case; the last value wins in `headers`,
 * as in API Gateway's proxy events) plus the `X-Forwarded-*`/`X-Amzn-Trace-Id` API Gateway adds,
 * and the query string parameters.
 */
export function readHandshakeRequest(
  rawHeaders: readonly string[],
  query: URLSearchParams,
  added: Readonly<Record<string, string>>,
): HandshakeRequestData {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const seen = new Map<string, string>();
  const add = (name: string, value: string): void => {
    const lower = name.toLowerCase();
    const existing = seen.get(lower);
    if (existing === undefined) {
      seen.set(lower, name);
      defineEntry(headers, name, value);
      defineEntry(multiValueHeaders, name, [value]);
    } else {
      headers[existing] = value;
      multiValueHeaders[existing]!.push(value);
    }
  };
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) add(rawHeaders[i]!, rawHeaders[i + 1]!);
  for (const [name, value] of Object.entries(added)) {
    if (!seen.has(name.toLowerCase())) add(name, value);
  }

  if (query.size === 0) return { headers, multiValueHeaders };
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of query) {
    if (Object.hasOwn(multiValueQueryStringParameters, name)) {
      multiValueQueryStringParameters[name]!.push(value);
      queryStringParameters[name] = value;
    } else {
      defineEntry(multiValueQueryStringParameters, name, [value]);
      defineEntry(queryStringParameters, name, value);
    }
  }
  return { headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters };
}

const HOP_BY_HOP = new Set(['connection', 'upgrade']);

function withoutHopByHop<T>(map: Record<string, T>): Record<string, T> {
  const result: Record<string, T> = {};
  for (const [name, value] of Object.entries(map)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) defineEntry(result, name, value);
  }
  return result;
}

function requestContext(
  connection: ConnectionEventContext,
  routeKey: string,
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  requestId: string,
  nowMs: number,
  disconnect?: { readonly code: number; readonly reason: string },
  messageId?: string,
): WebSocketRequestContext {
  const context: Record<string, unknown> = { routeKey };
  if (messageId !== undefined) context.messageId = messageId;
  if (disconnect !== undefined) context.disconnectStatusCode = disconnect.code;
  context.eventType = eventType;
  context.extendedRequestId = requestId;
  context.requestTime = formatRequestTime(nowMs);
  context.messageDirection = 'IN';
  if (disconnect !== undefined) context.disconnectReason = disconnect.reason;
  context.stage = connection.stage;
  context.connectedAt = connection.connectedAt;
  context.requestTimeEpoch = nowMs;
  context.identity = connection.identity;
  context.requestId = requestId;
  context.domainName = connection.domainName;
  context.connectionId = connection.connectionId;
  context.apiId = connection.apiId;
  if (connection.authorizer !== undefined) context.authorizer = connection.authorizer;
  return context as unknown as WebSocketRequestContext;
}

export function buildAuthorizerEvent(
  connection: ConnectionEventContext,
  request: HandshakeRequestData,
  methodArn: string,
  requestId: string,
  nowMs: number,
): WebSocketAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    ...request,
    stageVariables: {},
    requestContext: requestContext({ ...connection, authorizer: undefined }, '$connect', 'CONNECT', requestId, nowMs),
  };
}

export function buildConnectEvent(
  connection: ConnectionEventContext,
  request: HandshakeRequestData,
  requestId: string,
  nowMs: number,
): WebSocketConnectEvent {
  return {
    ...request, // spread first: the two header maps below keep their place in AWS's key order
    headers: withoutHopByHop(request.headers),
    multiValueHeaders: withoutHopByHop(request.multiValueHeaders),
    requestContext: requestContext(connection, '$connect', 'CONNECT', requestId, nowMs),
    isBase64Encoded: false,
  };
}

export function buildMessageEvent(
  connection: ConnectionEventContext,
  routeKey: string,
  body: string,
  messageId: string,
  requestId: string,
  nowMs: number,
): WebSocketMessageEvent {
  return { requestContext: requestContext(connection, routeKey, 'MESSAGE', requestId, nowMs, undefined, messageId), body, isBase64Encoded: false };
}

export function buildDisconnectEvent(
  connection: ConnectionEventContext,
  code: number,
  reason: string,
  requestId: string,
  nowMs: number,
): WebSocketDisconnectEvent {
  return {
    headers: { Host: connection.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
    multiValueHeaders: { Host: [connection.domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] },
    requestContext: requestContext(connection, '$disconnect', 'DISCONNECT', requestId, nowMs, { code, reason }),
    isBase64Encoded: false,
  };
}
