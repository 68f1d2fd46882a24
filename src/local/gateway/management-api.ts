import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUtf8 } from 'node:buffer';
import { isBrowserRequest } from '../services/browser-requests';
import { hangCall } from '../services/fault-injection';
import type { ErrorFaultKind, InterceptorChain } from '../services/request-interceptors';
import type { GatewayConnection } from './gateway-connection';
import type { ManagementApiEvent } from './gateway-events';

/**
 * The API Gateway Management API (`@connections`) on the gateway's port, at
 * `/<stage>/@connections/{connectionId}`, speaking the REST-JSON protocol the unmodified
 * `ApiGatewayManagementApiClient` expects (behaviour: README.md in this directory). Every call goes
 * through the gateway's interceptor chain; an injected fault is answered as API Gateway throttles
 * or fails, before the call has any effect, so the SDK retries it as it retries real ones.
 */

export interface ManagementApiContext {
  readonly connections: ReadonlyMap<string, GatewayConnection>;
  readonly maxMessageBytes: number;
  /** Closes a connection with 1000 on the Management API's behalf. */
  readonly disconnect: (connection: GatewayConnection) => void;
  /** The observer hook, or undefined when nobody listens. */
  readonly observer: () => ((event: ManagementApiEvent) => void) | undefined;
  /** Fault injection and request observers. */
  readonly interceptors: InterceptorChain;
}

const FAULT_ANSWERS: Readonly<Record<ErrorFaultKind, { readonly status: number; readonly errorType: string; readonly body: string }>> = {
  throttle: { status: 429, errorType: 'LimitExceededException', body: JSON.stringify({ message: 'Rate exceeded' }) },
  server: { status: 500, errorType: 'InternalServerErrorException', body: JSON.stringify({ message: 'Internal server error' }) },
};

/** The Management API operation of each HTTP method on `/@connections/{id}`; other methods are refused. */
const OPERATIONS = new Map([
  ['POST', 'PostToConnection'],
  ['GET', 'GetConnection'],
  ['DELETE', 'DeleteConnection'],
]);

function respond(res: ServerResponse, status: number, body = '', errorType?: string): void {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
  };
  if (errorType !== undefined) headers['x-amzn-ErrorType'] = errorType;
  res.writeHead(status, headers);
  res.end(body);
}

function decodeConnectionId(encoded: string): string | undefined {
  const queryStart = encoded.indexOf('?');
  const path = queryStart === -1 ? encoded : encoded.slice(0, queryStart);
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

const gone = (res: ServerResponse): void => respond(res, 410, '', 'GoneException');

/** Answers one Management API request; `encodedId` is the path after `/<stage>/@connections/`. */
export function handleManagementRequest(req: IncomingMessage, res: ServerResponse, encodedId: string, context: ManagementApiContext): void {
  const started = performance.now();
  const connectionId = decodeConnectionId(encodedId) ?? '';
  const method = req.method ?? '';
  const observe = context.observer();
  if (observe !== undefined) {
    res.once('finish', () => observe({ method, connectionId, status: res.statusCode, durationMs: performance.now() - started }));
  }

  // AWS takes signed requests only, which no web page can make: without this, any site open in the
  // developer's browser could post frames to or close local connections (a simple POST needs no preflight).
  if (req.headers.authorization === undefined && isBrowserRequest(req)) {
    req.resume();
    respond(res, 403, '{"message":"Missing Authentication Token"}', 'ForbiddenException');
    return;
  }

  const operation = OPERATIONS.get(method);
  if (operation === undefined) {
    req.resume();
    respond(res, 403, '{"message":"Forbidden"}', 'ForbiddenException');
    return;
  }
  if (!context.interceptors.isEmpty) {
    const call = context.interceptors.begin({ service: 'management', operation });
    res.once('close', () => call.end(res.writableFinished ? res.statusCode : 0));
    const { fault } = call;
    if (fault?.kind === 'hang') {
      hangCall(fault, req, res, () => carryOut(req, res, method, connectionId, context));
      return;
    }
    if (fault !== undefined) {
      const answer = FAULT_ANSWERS[fault.kind];
      req.resume();
      req.once('end', () => respond(res, answer.status, answer.body, answer.errorType));
      return;
    }
  }
  carryOut(req, res, method, connectionId, context);
}

/** Carries out a Management API call of one of the three methods and answers it. */
function carryOut(req: IncomingMessage, res: ServerResponse, method: string, connectionId: string, context: ManagementApiContext): void {
  // Closing and closed connections are gone to the Management API.
  const open = (): GatewayConnection | undefined => {
    const connection = context.connections.get(connectionId);
    return connection?.state === 'open' ? connection : undefined;
  };
  if (method === 'POST') {
    readBody(req, context.maxMessageBytes, (data) => {
      const { maxMessageBytes } = context;
      if (data === undefined) return respond(res, 413, `{"message":"Message payload exceeds the limit of ${maxMessageBytes} bytes"}`, 'PayloadTooLargeException');
      const connection = open();
      if (connection === undefined) return gone(res);
      connection.send(data, !isUtf8(data));
      respond(res, 200);
    });
    return;
  }
  req.resume();
  const connection = open();
  if (connection === undefined) return gone(res);
  if (method === 'DELETE') {
    context.disconnect(connection);
    return respond(res, 204);
  }
  const { sourceIp, userAgent } = connection.identity;
  const identity = userAgent === undefined ? { sourceIp } : { sourceIp, userAgent };
  const iso = (epochMs: number): string => new Date(epochMs).toISOString();
  respond(res, 200, JSON.stringify({ connectedAt: iso(connection.connectedAt), identity, lastActiveAt: iso(connection.lastActiveAt) }));
}

/** Reads a request body of at most `limit` bytes; `undefined` when it is larger (the rest is drained). */
function readBody(req: IncomingMessage, limit: number, done: (data: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  req.once('end', () => done(size > limit ? undefined : Buffer.concat(chunks, size)));
  req.once('error', () => req.destroy());
}
