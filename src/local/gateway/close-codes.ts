/**
 * WebSocket close codes the gateway sends or reports, and why a connection ended.
 *
 * API Gateway's own values, where they are known from captured events:
 * - a client close frame without a status code is reported to `$disconnect` as
 *   `1005` / `Client-side close frame status not set`;
 * - the idle timeout is reported as `1001` / `Going away`.
 */

export const CloseCode = {
  /** Server-initiated disconnect (Management API DELETE), as API Gateway does. */
  NORMAL: 1000,
  /** Idle timeout, maximum connection duration, gateway shutdown. */
  GOING_AWAY: 1001,
  /** A frame that breaks the WebSocket protocol. */
  PROTOCOL_ERROR: 1002,
  /** A binary frame: API Gateway WebSocket APIs take text frames only. */
  UNSUPPORTED_DATA: 1003,
  /** The client's close frame carried no status code (reported, never sent). */
  NO_STATUS_RECEIVED: 1005,
  /** The TCP connection ended without a close frame (reported, never sent). */
  ABNORMAL_CLOSURE: 1006,
  /** A text frame that is not valid UTF-8 (`ws` closes with it). */
  INVALID_PAYLOAD: 1007,
  /** Too many fragments buffered (`ws` closes with it). */
  POLICY_VIOLATION: 1008,
  /** A message over 128 KB or a frame over 32 KB. */
  MESSAGE_TOO_BIG: 1009,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Why a connection ended; carried by the gateway's `disconnect` event. */
export type DisconnectCause =
  /** The client sent a close frame. */
  | 'client'
  /** The TCP connection ended without a close frame. */
  | 'abnormal'
  /** `DELETE /@connections/{id}`. */
  | 'management-api'
  | 'idle-timeout'
  | 'max-duration'
  /** A message over the message limit (128 KB). */
  | 'message-too-big'
  /** A single frame over the frame limit (32 KB). */
  | 'frame-too-big'
  | 'binary-frame'
  | 'invalid-utf8'
  | 'protocol-error'
  | 'too-many-fragments'
  /** `gateway.close()`. */
  | 'shutdown';

/** The reason text of each server-initiated close (RFC 6455 names; AWS's own text where known). */
export const CloseReason = {
  GOING_AWAY: 'Going away',
  NORMAL: '',
  MESSAGE_TOO_BIG: 'Message too big',
  UNSUPPORTED_DATA: 'Unsupported data',
  INVALID_PAYLOAD: 'Invalid frame payload data',
  PROTOCOL_ERROR: 'Protocol error',
  POLICY_VIOLATION: 'Policy violation',
  /** What API Gateway reports to `$disconnect` for a close frame without a status code. */
  NO_STATUS_RECEIVED: 'Client-side close frame status not set',
} as const;

export interface ServerClose {
  readonly code: number;
  readonly reason: string;
  readonly cause: DisconnectCause;
}

/**
 * What the gateway reports when `ws` itself closed the connection after a receiver error
 * (`err.code` is one of `ws`'s documented `WS_ERR_*` codes).
 */
export function closeForWsError(wsErrorCode: string | undefined): ServerClose {
  switch (wsErrorCode) {
    case 'WS_ERR_INVALID_UTF8':
      return { code: CloseCode.INVALID_PAYLOAD, reason: CloseReason.INVALID_PAYLOAD, cause: 'invalid-utf8' };
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return { code: CloseCode.MESSAGE_TOO_BIG, reason: CloseReason.MESSAGE_TOO_BIG, cause: 'message-too-big' };
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return { code: CloseCode.POLICY_VIOLATION, reason: CloseReason.POLICY_VIOLATION, cause: 'too-many-fragments' };
    default:
      return { code: CloseCode.PROTOCOL_ERROR, reason: CloseReason.PROTOCOL_ERROR, cause: 'protocol-error' };
  }
}
