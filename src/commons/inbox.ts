/**
 * The user's inbox (docs/architecture.md "Inbox") and the rules that read it: what a stored
 * notification holds, when it is past its retention, when a resume is truncated, and how long the
 * fan-out reads a recent-connection pointer.
 */
import { toUnixSeconds } from './clock';
import type { AuthorizedConnection } from './connection-record';
import { RECENT_CONNECTION_SECONDS } from './constants';

/** A notification as the inbox holds it. */
export interface StoredNotification {
  /** Integer ≥ 1, strictly increasing per user in storage order, never reused. */
  readonly seq: number;
  readonly id: string;
  /** `data` as JSON text, stored as the application gave it. */
  readonly dataJson: string;
  /** ms since epoch. */
  readonly storedAt: number;
}

/** What a store did: the notification's `seq` (its first one when the id was already in the inbox). */
export interface StoreResult {
  readonly seq: number;
  /** True when the id was already in the user's inbox: nothing new was kept. */
  readonly duplicate: boolean;
}

/** What a `resume` after some `seq` finds in the inbox. */
export interface InboxReplay {
  /** The live notifications after the cursor, ascending, at most the limit asked for. */
  readonly notifications: readonly StoredNotification[];
  /** The highest `seq` stored for the user; 0 for none. */
  readonly latest: number;
  /** More live notifications remain after the last one returned. */
  readonly more: boolean;
  /** The inbox cannot show that it holds everything after the cursor. */
  readonly truncated: boolean;
}

/** An authorized connection the fan-out reads strongly consistently for a few minutes after it was authorized. */
export interface RecentConnection {
  readonly userId: string;
  readonly connectionId: string;
  /** Unix seconds after which the fan-out no longer reads the pointer. */
  readonly expiresAt: number;
}

/** True once the notification's retention has passed: it is never replayed, even before DynamoDB deletes it. */
export function isPastRetention(storedAtMs: number, retentionSeconds: number, nowMs: number): boolean {
  return storedAtMs + retentionSeconds * 1000 <= nowMs;
}

/** Unix seconds after which DynamoDB may delete the notification (reads already skip it then). */
export function notificationTtl(storedAtMs: number, retentionSeconds: number): number {
  return Math.ceil(storedAtMs / 1000) + retentionSeconds;
}

/**
 * True when the inbox cannot show that it holds everything after `after`: the oldest notification
 * it retains after `after` (tombstones included) is above `after + 1`, or it retains none after
 * `after` while `latest` is above `after`. Notifications are stored in `seq` order and retained by
 * age, so the retained ones are the newest: the oldest retained after `after` is the oldest
 * retained.
 */
export function isTruncated(after: number, latest: number, oldestRetainedAfter: number | undefined): boolean {
  if (oldestRetainedAfter === undefined) return latest > after;
  return oldestRetainedAfter > after + 1;
}

/** The pointer Connect and Authorize write for a connection just authorized: read until the token's expiry, at most a few minutes. */
export function recentConnection(record: AuthorizedConnection, nowMs: number): RecentConnection {
  return {
    userId: record.userId,
    connectionId: record.connectionId,
    expiresAt: Math.min(record.expiresAt, toUnixSeconds(nowMs) + RECENT_CONNECTION_SECONDS),
  };
}
