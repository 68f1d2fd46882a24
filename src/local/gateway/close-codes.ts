/** WebSocket close codes the gateway sends or reports (README.md's `$disconnect` table), and why a connection ended. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reported, never sent: the client's close frame carried no status code. */
  NO_STATUS_RECEIVED: 1005,
  /** Reported, never sent: the TCP connection ended without a close frame. */
  ABNORMAL_CLOSURE: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
} as const;

/** Why a connection ended; carried by the gateway's `disconnect` event. */
export type DisconnectCause =
  | 'client'
  /** The TCP connection ended without a close frame. */
  | 'abnormal'
  | 'management-api'
  | 'idle-timeout'
  | 'max-duration'
  | 'message-too-big'
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
