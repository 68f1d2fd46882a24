/**
 * What observers (the runtime's logger, the web console, benchmarks) can watch. Events are only
 * built when someone listens. None of them carries a token, a URL with its query string, a
 * header or a message body.
 */
import type { ServerClose } from './close-codes';
import type { ConnectionView } from './gateway-connection';
import type { ReplySummary } from './reply-summary';

/** How a handshake ended; the statuses of the rejections are in README.md (Behaviour, Handshake). */
export type HandshakeOutcome =
  | 'connected'
  | 'forbidden-path'
  | 'missing-identity'
  | 'unauthorized'
  | 'denied'
  | 'authorizer-error'
  | 'connect-rejected'
  | 'connect-error'
  | 'connect-timeout'
  /** The client went away while the functions ran (no response could be sent). */
  | 'client-gone'
  | 'shutting-down';

export interface HandshakeEvent {
  /** 101 when connected, else the HTTP status of the rejection (0 when the client was gone). */
  readonly status: number;
  readonly outcome: HandshakeOutcome;
  /** Authorizer + `$connect`, milliseconds. */
  readonly durationMs: number;
  /** Assigned before the authorizer runs; undefined for a rejected path. */
  readonly connectionId: string | undefined;
  readonly sourceIp: string;
}

export type RouteResult =
  | 'ok'
  /** The function threw. */
  | 'error'
  /** The function ran past its own timeout. */
  | 'function-timeout'
  /** The gateway stopped waiting (integration timeout). */
  | 'integration-timeout'
  | 'malformed-response'
  /** The FunctionInvoker failed (not a handler error). */
  | 'invoker-error'
  /** No route matched and the API has no `$default`: the client got the Forbidden frame. */
  | 'no-route';

export interface RouteInvocationEvent {
  /** `null` when no route matched. */
  readonly routeKey: string | null;
  readonly connectionId: string;
  readonly requestId: string;
  readonly durationMs: number;
  readonly result: RouteResult;
  /** What the client got: the body, nothing, an error frame, or nothing because it was gone. */
  readonly sent: 'body' | 'nothing' | 'error-frame' | 'connection-gone';
  /** The function's error type, for `error` and `function-timeout`. */
  readonly errorType?: string;
  /** When a text body was sent and is a JSON object with a `type`: its `type` and `code` (reply-summary.ts). */
  readonly reply?: ReplySummary;
}

/** `code` and `reason`: `disconnectStatusCode` and `disconnectReason` of the `$disconnect` event. */
export interface DisconnectEvent extends ServerClose {
  readonly connectionId: string;
  /** How long the connection was open, milliseconds. */
  readonly durationMs: number;
  /** Present when the connection's `$disconnect` is not invoked (`dropDisconnects`). */
  readonly disconnectDropped?: true;
}

export interface ManagementApiEvent {
  readonly method: string;
  readonly connectionId: string;
  readonly status: number;
  readonly durationMs: number;
}

/** Something the operator should know about; the client already got API Gateway's answer. */
export interface GatewayWarning {
  /** `invoker_failed`: the FunctionInvoker rejected instead of returning an InvocationFailure. */
  readonly code: 'invoker_failed' | 'malformed_authorizer_response' | 'malformed_connect_response' | 'malformed_route_response' | 'http_fallback_failed';
  readonly message: string;
  readonly functionId?: string;
  readonly connectionId?: string;
  readonly cause?: unknown;
}

export interface WebSocketGatewayEventMap {
  /** Every handshake on the gateway's port, accepted or not. */
  handshake: [event: HandshakeEvent];
  /** A connection was established (after `$connect`). */
  connection: [connection: ConnectionView];
  /** A route function finished (`$connect` and `$disconnect` included), or a message matched no route. */
  route: [event: RouteInvocationEvent];
  /** A connection closed (before `$disconnect` runs). */
  disconnect: [event: DisconnectEvent];
  management: [event: ManagementApiEvent];
  warning: [warning: GatewayWarning];
}
