/**
 * How many messages a poller asks for next. local-aws-sqs answers a receive only when it has
 * MaxNumberOfMessages messages or the wait is over (docs/local.md), so an idle queue is watched
 * with single-message long polls; a quick or full answer shows a backlog, and the next receive asks
 * for twice as many (up to 10) without waiting; a partial answer means the backlog is gone.
 */

/** SQS's maximum for MaxNumberOfMessages. */
export const MAX_RECEIVE_MESSAGES = 10;

/** A single-message long poll answered faster than this found the message already waiting. */
export const BACKLOG_ANSWER_MS = 20;

/** Long poll of an idle queue. */
export const IDLE_WAIT_SECONDS = 20;

export function nextReceiveSize(current: number, received: number, elapsedMs: number): number {
  if (current > 1) return received >= current ? Math.min(MAX_RECEIVE_MESSAGES, current * 2) : 1;
  return received >= 1 && elapsedMs < BACKLOG_ANSWER_MS ? 2 : 1;
}

/** Single-message receives long-poll; larger ones only take what is there. */
export function waitTimeFor(size: number): number {
  return size === 1 ? IDLE_WAIT_SECONDS : 0;
}
