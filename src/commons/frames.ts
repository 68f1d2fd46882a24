/**
 * Server → client frames (docs/protocol.md). Every frame carries `type`; error frames carry a stable
 * `code` and a human message written here, never an exception's message or stack.
 */

import { ERROR_CODES, type ErrorCode } from './error-codes';

export { ERROR_CODES, type ErrorCode };

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
  /** The notification's place in the user's inbox; only for notifications sent to a user. */
  readonly seq?: number;
  readonly data: unknown;
  /** Only on a notification sent again by `resume`. */
  readonly replayed?: true;
}

/** The last frame of a `resume`: what was replayed and what the inbox holds. */
export interface ResumedFrame {
  readonly type: 'resumed';
  /** The `after` the client sent. */
  readonly after: number;
  /** The highest `seq` stored for the user; 0 for none. */
  readonly latest: number;
  /** Notifications replayed by this resume. */
  readonly count: number;
  /** More remain: resume again from the last `seq` received. */
  readonly more: boolean;
  /** The inbox cannot show that it holds everything after `after` (some may have passed their retention). */
  readonly truncated: boolean;
}

export type ServerFrame = ErrorFrame | PongFrame | AuthorizedFrame | NotificationFrame | ResumedFrame;

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

export interface NotificationOptions {
  readonly seq?: number;
  readonly replayed?: boolean;
}

/** `{"type":"notification","id","seq"?,"data","replayed"?}`: `seq` when given, `replayed` only when true. */
export function notificationFrame(id: string, data: unknown, options: NotificationOptions = {}): NotificationFrame {
  return {
    type: 'notification',
    id,
    ...(options.seq === undefined ? {} : { seq: options.seq }),
    data,
    ...(options.replayed === true ? { replayed: true as const } : {}),
  };
}

/**
 * The text of a notification frame whose `data` is already JSON text (as the inbox and the fan-out
 * hold it): the same text as `serializeFrame(notificationFrame(…))`, without parsing `data` again.
 */
export function serializeNotificationFrame(id: string, dataJson: string, options: NotificationOptions = {}): string {
  const seq = options.seq === undefined ? '' : `,"seq":${options.seq}`;
  const replayed = options.replayed === true ? ',"replayed":true' : '';
  return `{"type":"notification","id":${JSON.stringify(id)}${seq},"data":${dataJson}${replayed}}`;
}

export function resumedFrame(summary: Omit<ResumedFrame, 'type'>): ResumedFrame {
  const { after, latest, count, more, truncated } = summary;
  return { type: 'resumed', after, latest, count, more, truncated };
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
