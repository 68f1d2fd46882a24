import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUtf8 } from 'node:buffer';
import { isBrowserRequest } from '../services/browser-requests';
import { hangCall } from '../services/fault-injection';
import type { ErrorFaultKind, InterceptorChain } from '../services/request-interceptors';
import type { ConnectionRegistry, GatewayConnection } from './connection-registry';
import type { ManagementApiEvent } from './gateway-events';

/**
 * The API Gateway Management API (`@connections`) on the gateway's port, at
 * `/<stage>/@connections/{connectionId}`, speaking the REST-JSON protocol the unmodified
 * `ApiGatewayManagementApiClient` expects:
 *
 * - `POST` sends the body to the client as one frame (text when it is valid UTF-8, else binary)
 *   → 200; a body over 128 KB → 413 `PayloadTooLargeException`.
 * - `GET` → 200 `{"connectedAt","identity":{"sourceIp","userAgent"},"lastActiveAt"}` (ISO 8601;
 *   the wire names of the SDK model).
 * - `DELETE` closes the client with 1000 (its `$disconnect` runs) → 204.
 * - An unknown, closing or closed connection → 410 with `x-amzn-ErrorType: GoneException` and an
 *   empty body, as API Gateway answers (the PHP SDK reports "Unable to parse error information
 *   from response" for AWS's 410, the Java SDK "GoneException: null"): the SDK raises `GoneException`.
 *
 * Any request signature is accepted (SigV4 or none), except that an unsigned request from a web
 * page (`Origin` or `Sec-Fetch-Site`) → 403 `ForbiddenException`, as AWS refuses unsigned requests.
 * The id is URL-decoded (the SDK sends `=` as `%3D`).
 *
 * Every call of the three operations goes through the gateway's interceptor chain
 * (src/local/services/request-interceptors.ts). An injected fault is answered as API Gateway
 * answers when it throttles or fails, before the call has any effect (no frame sent, no connection
 * closed), so the unmodified client retries it as it retries real ones: `throttle` → 429
 * `LimitExceededException`, `server` → 500 `InternalServerErrorException`. A `hang` fault accepts
 * the call and never answers it, or carries it out and answers it late if the caller still waits.
 */

export interface ManagementApiContext {
  readonly registry: ConnectionRegistry;
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

/** The Management API operation of an HTTP method on `/@connections/{id}`, or undefined for other methods. */
export function managementOperationOf(method: string): string | undefined {
  switch (method) {
    case 'POST':
      return 'PostToConnection';
    case 'GET':
      return 'GetConnection';
    case 'DELETE':
      return 'DeleteConnection';
    default:
      return undefined;
  }
}

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

/**
 * A request a web page made (`Origin`, or `Sec-Fetch-Site` other than `none`) without a SigV4
 * `Authorization` header. AWS accepts signed requests only, which no page can make; here unsigned
 * requests are accepted for curl and scripts, but not from a browser, or any site open in the
 * developer's browser could post frames to (a simple cross-site POST needs no preflight) or close
 * the local stack's connections.
 */
function isUnsignedBrowserRequest(req: IncomingMessage): boolean {
  return req.headers.authorization === undefined && isBrowserRequest(req);
}

function payloadTooLarge(res: ServerResponse, limit: number): void {
  respond(res, 413, JSON.stringify({ message: `Message payload exceeds the limit of ${limit} bytes` }), 'PayloadTooLargeException');
}

/** Answers one Management API request; `encodedId` is the path after `/<stage>/@connections/`. */
export function handleManagementRequest(req: IncomingMessage, res: ServerResponse, encodedId: string, context: ManagementApiContext): void {
  const started = performance.now();
  const connectionId = decodeConnectionId(encodedId) ?? '';
  const method = req.method ?? '';
  const observe = context.observer();
  if (observe !== undefined) {
    res.once('finish', () => observe({ method, connectionId, status: res.statusCode, durationMs: performance.now() - started }));
  }

  if (isUnsignedBrowserRequest(req)) {
    req.resume();
    respond(res, 403, '{"message":"Missing Authentication Token"}', 'ForbiddenException');
    return;
  }

  const operation = managementOperationOf(method);
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
  switch (method) {
    case 'GET': {
      req.resume();
      const connection = context.registry.getOpen(connectionId);
      if (connection === undefined) return gone(res);
      const { sourceIp, userAgent } = connection.identity;
      respond(
        res,
        200,
        JSON.stringify({
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: userAgent === undefined ? { sourceIp } : { sourceIp, userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        }),
      );
      return;
    }
    case 'DELETE': {
      req.resume();
      const connection = context.registry.getOpen(connectionId);
      if (connection === undefined) return gone(res);
      context.disconnect(connection);
      respond(res, 204);
      return;
    }
    case 'POST':
      readBody(req, context.maxMessageBytes, (data) => {
        if (data === undefined) return payloadTooLarge(res, context.maxMessageBytes);
        const connection = context.registry.getOpen(connectionId);
        if (connection === undefined) return gone(res);
        connection.send(data, !isUtf8(data));
        respond(res, 200);
      });
  }
}

/** Reads a request body of at most `limit` bytes; `undefined` when it is larger (the rest is drained). */
function readBody(req: IncomingMessage, limit: number, done: (data: Buffer | undefined) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    done(undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > limit) {
      tooLarge = true;
      chunks.length = 0;
    } else {
      chunks.push(chunk);
    }
  });
  req.once('end', () => done(tooLarge ? undefined : Buffer.concat(chunks, size)));
  req.once('error', () => req.destroy());
}
