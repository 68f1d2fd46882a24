/**
 * The console's feed of recent events (docs/console.md, "Events"), built from the runtime's
 * structured events only; the texts go through redactString all the same.
 */
import type { FeedEvent } from '../../console/console-api';
import { parseJson } from '../../commons/codecs';
import { redactString } from '../../commons/redaction';
import type { InvocationEndEvent } from '../functions/function-events';
import type { DisconnectEvent, GatewayWarning, HandshakeEvent, ManagementApiEvent, RouteInvocationEvent } from '../gateway';
import type { PollerBatchEvent } from '../pollers/poller-events';
import type { LocalLogEntry } from '../runtime';

/** How many events the feed keeps (and a new page receives). */
export const FEED_CAPACITY = 200;

export type FeedEntry = Omit<FeedEvent, 'seq' | 'at'>;

const ms = (value: number) => `${Math.round(value)} ms`;
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function describeHandshake(event: HandshakeEvent): FeedEntry {
  const who = event.connectionId === undefined ? '' : ` ${event.connectionId}`;
  const text = `handshake${who} → ${event.status} ${event.outcome} (${ms(event.durationMs)})`;
  return { kind: 'handshake', level: event.status === 101 ? 'info' : 'warn', text, connectionId: event.connectionId };
}

/**
 * A route invocation. One that answered with a frame is described by that frame (`ping on A= →
 * pong`, `ping on A= → error token_expired`): the function succeeded, the client may still have been
 * refused.
 */
export function describeRoute(event: RouteInvocationEvent): FeedEntry {
  const { reply } = event;
  const answered = event.result === 'ok' && event.sent === 'body' && reply !== undefined;
  const outcome = answered
    ? ` → ${reply.type}${reply.code === undefined ? '' : ` ${reply.code}`}`
    : `: ${event.result}${event.errorType === undefined ? '' : ` ${event.errorType}`}, ${event.sent}`;
  const level = event.result !== 'ok' ? 'error' : answered && reply.type === 'error' ? 'warn' : 'info';
  return {
    kind: 'route',
    level,
    text: `${event.routeKey ?? '(no route)'} on ${event.connectionId}${outcome} (${ms(event.durationMs)})`,
    connectionId: event.connectionId,
  };
}

/** POST 200 is a delivery; 410 is a gone connection, whose record the caller then deletes. */
export function describeManagement({ method, connectionId, status, durationMs }: ManagementApiEvent): FeedEntry {
  const call = `${method} @connections/${connectionId} →`;
  if (status === 410) return { kind: 'gone', level: 'warn', text: `${call} 410 GoneException (the caller deletes the record)`, connectionId };
  if (method === 'POST' && status === 200) return { kind: 'delivery', level: 'info', text: `delivered to ${connectionId} (${ms(durationMs)})`, connectionId };
  return { kind: 'management', level: status >= 400 ? 'warn' : 'info', text: `${call} ${status} (${ms(durationMs)})`, connectionId };
}

export function describeDisconnect(event: DisconnectEvent): FeedEntry {
  const reason = event.reason === '' ? '' : ` "${event.reason}"`;
  return {
    kind: 'disconnect',
    level: 'info',
    text: `disconnect ${event.connectionId}: ${event.code}${reason}, ${event.cause}, after ${ms(event.durationMs)}`,
    connectionId: event.connectionId,
  };
}

export function describeWarning(warning: GatewayWarning): FeedEntry {
  return { kind: 'warning', level: 'warn', text: `gateway ${warning.code}: ${warning.message}`, connectionId: warning.connectionId };
}

export function describeBatch(event: PollerBatchEvent, queueName: string): FeedEntry {
  const count = plural(event.messageIds.length, 'message');
  const level = event.outcome === 'success' && event.deleteFailures === 0 ? 'info' : event.outcome === 'failure' ? 'error' : 'warn';
  const failed = event.failedMessageIds.length > 0 ? `, ${event.failedMessageIds.length} to retry` : '';
  const reason = event.reason === undefined ? '' : ` (${event.reason})`;
  const text = `${queueName} → ${event.functionId}: ${count}, ${event.outcome}${failed}${reason} (${ms(event.durationMs)})`;
  return { kind: 'batch', level, text };
}

/** The message of NotifyUser's line once a notification is stored and fanned out (src/handlers/notify-user.ts). */
const FAN_OUT_MESSAGE = 'Notification fanned out';

/** NotifyUser's line of a stored notification: "stored, 0 connections" is a success the queue batch alone does not show. */
export function describeFanOut(entry: LocalLogEntry): FeedEntry | undefined {
  if (entry.source !== 'function' || !entry.line.includes(FAN_OUT_MESSAGE)) return undefined;
  const item = parseJson(entry.line);
  if (!item.ok || typeof item.value !== 'object' || item.value === null) return undefined;
  const { message, notificationId, userId, seq, duplicate, connections } = item.value as Record<string, unknown>;
  if (message !== FAN_OUT_MESSAGE || typeof connections !== 'number') return undefined;
  const what = typeof notificationId === 'string' ? `notification ${notificationId}` : 'a notification';
  const whom = typeof userId === 'string' ? ` for ${userId}` : '';
  const stored = duplicate === true ? 'already stored' : 'stored';
  const position = typeof seq === 'number' ? ` (seq ${seq})` : '';
  const waits = connections === 0 ? ': it waits in the inbox for a resume' : '';
  return { kind: 'notification', level: 'info', text: `${entry.name}: ${what}${whom}${position} ${stored}, ${plural(connections, 'connection')}${waits}` };
}

/** Only failed invocations reach the feed (the successful ones are the route and batch events); the error message is left out. */
export function describeFailedInvocation(event: InvocationEndEvent): FeedEntry | undefined {
  if (event.status === 'ok') return undefined;
  return { kind: 'function', level: 'error', text: `${event.functionId} failed: ${event.errorType ?? 'error'} (${ms(event.durationMs)})` };
}

/** The last FEED_CAPACITY events, numbered. */
export class EventFeed {
  readonly #events: FeedEvent[] = [];
  #seq = 0;

  constructor(
    private readonly capacity = FEED_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {}

  add(entry: FeedEntry): FeedEvent {
    this.#seq += 1;
    const event: FeedEvent = { ...entry, text: redactString(entry.text), seq: this.#seq, at: this.now() };
    this.#events.push(event);
    if (this.#events.length > this.capacity) this.#events.splice(0, this.#events.length - this.capacity);
    return event;
  }

  /** Oldest first. */
  recent(): readonly FeedEvent[] {
    return [...this.#events];
  }
}
