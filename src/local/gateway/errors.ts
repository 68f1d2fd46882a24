/**
 * What the gateway says when something goes wrong: API Gateway's error frames (byte for byte,
 * including its spacing), handshake rejection responses, and the gateway's own error class.
 */

/**
 * The frame API Gateway sends when a route's integration fails (the function throws, times out
 * or returns a malformed proxy response). The connection stays open. Spacing as AWS sends it:
 * `{"message": "Internal server error", "connectionId":"Qyi07eCbtjMCJKw=", "requestId":"Qyi3UG41tjMFlUg="}`.
 */
export function internalServerErrorFrame(connectionId: string, requestId: string): string {
  return `{"message": "Internal server error", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

/** The frame API Gateway sends when no route matches a message and the API has no `$default` route. */
export function forbiddenFrame(connectionId: string, requestId: string): string {
  return `{"message": "Forbidden", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

/** An HTTP response the gateway gives instead of `101 Switching Protocols` (or to a Management API call). */
export interface HttpRejection {
  readonly status: number;
  /** JSON body, or `undefined` for the status text. */
  readonly body?: string;
  /** `x-amzn-ErrorType`, when API Gateway sends one. */
  readonly errorType?: string;
}

export const Rejections = {
  /** A handshake on a path other than `/<stage>`, or a request API Gateway does not serve. */
  forbidden: { status: 403, body: '{"message":"Forbidden"}', errorType: 'ForbiddenException' },
  /** Missing or empty identity source, or an authorizer that threw `Unauthorized`. */
  unauthorized: { status: 401, body: '{"message":"Unauthorized"}', errorType: 'UnauthorizedException' },
  /** The authorizer failed, timed out or returned something that is not a valid policy. */
  authorizerError: { status: 500, body: '{"message":null}', errorType: 'AuthorizerConfigurationException' },
  /** The `$connect` function failed or returned a malformed proxy response. */
  connectIntegrationError: { status: 502, body: '{"message": "Internal server error"}', errorType: 'InternalServerErrorException' },
  /** The `$connect` function did not answer within the integration timeout. */
  connectIntegrationTimeout: { status: 504, body: '{"message": "Endpoint request timed out"}', errorType: 'IntegrationTimeoutException' },
  /** The gateway is shutting down. */
  shuttingDown: { status: 503, body: '{"message":"Service Unavailable"}' },
} as const satisfies Record<string, HttpRejection>;

export type GatewayErrorCode =
  /** `listen()` after `close()`. */
  | 'gateway_closed'
  /** `listen()` failed (port in use, bad host, …); `cause` holds the system error. */
  | 'listen_failed';

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
