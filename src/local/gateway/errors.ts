/** API Gateway's error frames (byte for byte, spacing included), handshake rejections, and GatewayError. */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * The frame API Gateway sends when a route's integration fails (`Internal server error`: it throws, times out or answers
 * malformed) or when no route matches a message and the API has no `$default` route (`Forbidden`); the connection stays open.
 */
export function errorFrame(message: 'Internal server error' | 'Forbidden', connectionId: string, requestId: string): string {
  return `{"message": "${message}", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

/** An HTTP response the gateway gives instead of `101 Switching Protocols` (or to a Management API call). */
export interface HttpRejection {
  readonly status: number;
  /** JSON body, or `undefined` for the status text. */
  readonly body?: string;
  /** `x-amzn-ErrorType`, when API Gateway sends one. */
  readonly errorType?: string;
}

/** The handshake's rejections, as API Gateway answers them (README.md, Handshake). */
export const Rejections = {
  forbidden: { status: 403, body: '{"message":"Forbidden"}', errorType: 'ForbiddenException' },
  unauthorized: { status: 401, body: '{"message":"Unauthorized"}', errorType: 'UnauthorizedException' },
  authorizerError: { status: 500, body: '{"message":null}', errorType: 'AuthorizerConfigurationException' },
  connectIntegrationError: { status: 502, body: '{"message": "Internal server error"}', errorType: 'InternalServerErrorException' },
  connectIntegrationTimeout: { status: 504, body: '{"message": "Endpoint request timed out"}', errorType: 'IntegrationTimeoutException' },
  shuttingDown: { status: 503, body: '{"message":"Service Unavailable"}' },
} as const satisfies Record<string, HttpRejection>;

/** The headers of a rejection with a JSON body; `undefined` (the status text is the body) for one without. */
export function rejectionHeaders({ body, errorType }: HttpRejection): OutgoingHttpHeaders | undefined {
  if (body === undefined) return undefined;
  return errorType === undefined ? { 'Content-Type': 'application/json' } : { 'Content-Type': 'application/json', 'x-amzn-ErrorType': errorType };
}

/** Answers a plain HTTP request the gateway does not serve, as API Gateway does: 403 `{"message":"Forbidden"}`. */
export function sendForbidden(req: IncomingMessage, res: ServerResponse): void {
  const { status, body } = Rejections.forbidden;
  req.resume();
  res.writeHead(status, { ...rejectionHeaders(Rejections.forbidden), 'Content-Length': Buffer.byteLength(body) }).end(body);
}

/** `gateway_closed`: `listen()` after `close()`; `listen_failed`: the port is taken (`cause`: the system error). */
export type GatewayErrorCode = 'gateway_closed' | 'listen_failed';

/** An error of the gateway itself (not of a client or a function). Callers branch on `code`. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
