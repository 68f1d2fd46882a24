/**
 * How many messages a poller asks for next, given the embedded SQS's receive behaviour
 * (local-aws-sqs scans a queue every 10 ms and answers only when it has MaxNumberOfMessages
 * messages or the wait is over, 40 ms after the wait time):
 *
 * - An idle queue is watched with long polls for ONE message (`WaitTimeSeconds` 20), which answer
 *   at the first scan after a send: a single notification is picked up at the engine's next scan.
 * - A quick answer to such a poll, or a full answer to a larger receive, shows a backlog: the next
 *   receive asks for twice as many (up to 10) without waiting (`WaitTimeSeconds` 0), so a burst is
 *   drained ten messages per request.
 * - A partial answer means the backlog is gone: back to single-message long polls. (A partial
 *   answer costs the 40 ms the embedded SQS waits before giving up: the price of one request per
 *   ten messages in a burst.)
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
