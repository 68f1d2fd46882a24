/**
 * The connection record (docs/architecture.md "Connection record") and the rules that read it:
 * who a connection belongs to, whether it may act, whether it may receive notifications.
 */
import { toUnixSeconds } from './clock';
import { CONNECTION_TTL_MARGIN_SECONDS, MAX_CONNECTION_DURATION_SECONDS } from './constants';

export const AUTH_MODES = ['authorizer', 'action'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

interface ConnectionRecordBase {
  readonly connectionId: string;
  readonly authMode: AuthMode;
  /** ms since epoch. */
  readonly connectedAt: number;
  /** Failed `authorize` messages since the last success. */
  readonly failedAttempts: number;
  /** Unix seconds after which the record counts as absent (and DynamoDB may delete it). */
  readonly ttl: number;
}

export interface PendingConnection extends ConnectionRecordBase {
  readonly state: 'pending';
}

export interface AuthorizedConnection extends ConnectionRecordBase {
  readonly state: 'authorized';
  /** The token's `sub`. */
  readonly userId: string;
  /** ms since epoch. */
  readonly authorizedAt: number;
  /** The token's `exp`, unix seconds. */
  readonly expiresAt: number;
}

export type ConnectionRecord = PendingConnection | AuthorizedConnection;

/** connect time + API Gateway's 2 h maximum connection duration + 15 min margin, unix seconds. */
export function connectionTtl(connectedAtMs: number): number {
  return toUnixSeconds(connectedAtMs) + MAX_CONNECTION_DURATION_SECONDS + CONNECTION_TTL_MARGIN_SECONDS;
}

export function newPendingConnection(input: { connectionId: string; connectedAt: number }): PendingConnection {
  return {
    connectionId: input.connectionId,
    state: 'pending',
    authMode: 'action',
    connectedAt: input.connectedAt,
    failedAttempts: 0,
    ttl: connectionTtl(input.connectedAt),
  };
}

export function newAuthorizedConnection(input: {
  connectionId: string;
  connectedAt: number;
  authorizedAt: number;
  userId: string;
  expiresAt: number;
  authMode: AuthMode;
}): AuthorizedConnection {
  return {
    connectionId: input.connectionId,
    state: 'authorized',
    authMode: input.authMode,
    userId: input.userId,
    connectedAt: input.connectedAt,
    authorizedAt: input.authorizedAt,
    expiresAt: input.expiresAt,
    failedAttempts: 0,
    ttl: connectionTtl(input.connectedAt),
  };
}

/** True once the record's `ttl` has passed: such a record is treated as absent on every read. */
export function isPastTtl(ttl: number, nowMs: number): boolean {
  return ttl <= toUnixSeconds(nowMs);
}

/** True once the token's `exp` has passed. */
export function isTokenExpired(expiresAt: number, nowMs: number): boolean {
  return expiresAt * 1000 <= nowMs;
}

/** What a connection may do now: act, be told its token expired, or be told it is not authorized. */
export type ConnectionAccess =
  | { readonly status: 'authorized'; readonly record: AuthorizedConnection }
  | { readonly status: 'token_expired'; readonly record: AuthorizedConnection }
  | { readonly status: 'unauthorized'; readonly record: PendingConnection | undefined };

export function connectionAccess(record: ConnectionRecord | undefined, nowMs: number): ConnectionAccess {
  if (record === undefined || record.state === 'pending') return { status: 'unauthorized', record };
  if (isTokenExpired(record.expiresAt, nowMs)) return { status: 'token_expired', record };
  return { status: 'authorized', record };
}
