/**
 * The frames the client exchanges with the service: the messages it sends (all built here, the
 * keep-alive included, so that each can change in one place) and the parsing of what it receives.
 */
import { isProtocolErrorCode, type ProtocolErrorCode } from './errors';

/** Sent when the connection has been quiet, so that the service does not close it as idle. */
export const KEEP_ALIVE_MESSAGE = '{"action":"keepalive"}';

/** Sent by ping(): the service's ping route checks the connection and names it in its pong. */
export const PING_MESSAGE = '{"action":"ping"}';

export function authorizeMessage(token: string): string {
  return JSON.stringify({ action: 'authorize', token });
}

export function resumeMessage(after: number): string {
  return JSON.stringify({ action: 'resume', after });
}

export interface NotificationFrame {
  readonly type: 'notification';
  readonly id: string;
  readonly seq?: number;
  readonly data: unknown;
  readonly replayed: boolean;
}

export interface ResumedFrame {
  readonly type: 'resumed';
  readonly after: number;
  readonly latest: number;
  readonly count: number;
  readonly more: boolean;
  readonly truncated: boolean;
}

export interface AuthorizedFrame {
  readonly type: 'authorized';
  /** The token's `exp`, unix seconds. */
  readonly expiresAt: number;
  readonly connectionId?: string;
}

export interface PongFrame {
  readonly type: 'pong';
  readonly connectionId?: string;
}

export interface ErrorFrame {
  readonly type: 'error';
  readonly code: ProtocolErrorCode;
  readonly message: string;
}

/** A frame of a type this client does not know (a newer service); ignored. */
export interface OtherFrame {
  readonly type: 'other';
}

export type ServerFrame = NotificationFrame | ResumedFrame | AuthorizedFrame | PongFrame | ErrorFrame | OtherFrame;

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** `{ connectionId }` when the frame names its connection, else nothing. */
function withConnectionId(frame: Record<string, unknown>): { connectionId?: string } {
  const { connectionId } = frame;
  return typeof connectionId === 'string' && connectionId !== '' ? { connectionId } : {};
}

/** The frame in `text`, or undefined when it is not a valid ws-notify frame. */
export function parseServerFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const frame = value as Record<string, unknown>;
  switch (frame.type) {
    case 'notification': {
      const { id, seq } = frame;
      if (typeof id !== 'string' || id === '' || (seq !== undefined && !(isCount(seq) && seq > 0))) return undefined;
      return { type: 'notification', id, ...(seq === undefined ? {} : { seq }), data: frame.data, replayed: frame.replayed === true };
    }
    case 'resumed': {
      const { after, latest, count, more, truncated } = frame;
      if (!isCount(after) || !isCount(latest) || !isCount(count) || typeof more !== 'boolean' || typeof truncated !== 'boolean') return undefined;
      return { type: 'resumed', after, latest, count, more, truncated };
    }
    case 'authorized':
      return typeof frame.expiresAt === 'number' && Number.isFinite(frame.expiresAt) ? { type: 'authorized', expiresAt: frame.expiresAt, ...withConnectionId(frame) } : undefined;
    case 'pong':
      return { type: 'pong', ...withConnectionId(frame) };
    case 'error':
      return isProtocolErrorCode(frame.code)
        ? { type: 'error', code: frame.code, message: typeof frame.message === 'string' ? frame.message : frame.code }
        : undefined;
    default:
      return typeof frame.type === 'string' ? { type: 'other' } : undefined;
  }
}
