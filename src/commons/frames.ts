/**
 * Server → client frames (SPEC §3). Every frame carries `type`; error frames carry a stable
 * `code` and a human message written here, never an exception's message or stack.
 */

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'token_expired',
  'invalid_token',
  'too_many_attempts',
  'too_many_connections',
  'authorization_timeout',
  'not_implemented',
  'payload_too_large',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The default human text of each code. */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  bad_request: 'The message is not valid for this action.',
  unauthorized: 'This connection is not authorized: send {"action":"authorize","token":"…"} first.',
  token_expired: 'The token of this connection has expired: send {"action":"authorize","token":"…"} to renew it.',
  invalid_token: 'The token was rejected.',
  too_many_attempts: 'Too many failed authorize attempts: the connection is closed.',
  too_many_connections: 'This user has too many open connections: close one, then send authorize again.',
  authorization_timeout: 'The connection was not authorized in time: the connection is closed.',
  not_implemented: 'This action is not implemented.',
  payload_too_large: 'The message is too large.',
  internal_error: 'Internal error: try again later.',
};

export interface ErrorFrame {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
}

export interface PongFrame {
  readonly type: 'pong';
  readonly name?: string;
  readonly connectionId: string;
}

export interface AuthorizedFrame {
  readonly type: 'authorized';
  readonly userId: string;
  /** The token's `exp`, unix seconds. */
  readonly expiresAt: number;
  readonly connectionId: string;
}

export interface NotificationFrame {
  readonly type: 'notification';
  readonly id: string;
  readonly data: unknown;
}

export type ServerFrame = ErrorFrame | PongFrame | AuthorizedFrame | NotificationFrame;

export function errorFrame(code: ErrorCode, message: string = ERROR_MESSAGES[code]): ErrorFrame {
  return { type: 'error', code, message };
}

/** `{"type":"pong","name":…,"connectionId":…}`; `name` omitted when not given. */
export function pongFrame(connectionId: string, name?: string): PongFrame {
  return name === undefined ? { type: 'pong', connectionId } : { type: 'pong', name, connectionId };
}

export function authorizedFrame(userId: string, expiresAt: number, connectionId: string): AuthorizedFrame {
  return { type: 'authorized', userId, expiresAt, connectionId };
}

export function notificationFrame(id: string, data: unknown): NotificationFrame {
  return { type: 'notification', id, data };
}

export function serializeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** Size of the serialized frame in bytes (UTF-8), as API Gateway counts it. */
export function frameByteLength(frame: ServerFrame): number {
  return Buffer.byteLength(serializeFrame(frame), 'utf8');
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
