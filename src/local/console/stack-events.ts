/**
 * What the console watches of a running stack: each event becomes a feed entry (event-feed.ts)
 * and, when it can change them, a refresh of the connection table or the queue depths; every line
 * a function writes also goes to the metrics panel.
 */
import type { WebSocketGatewayEventMap } from '../gateway';
import type { LocalStack } from '../runtime';
import * as feed from './event-feed';
import type { SnapshotKind } from './console-snapshots';

interface StackEventSinks {
  readonly publish: (entry: feed.FeedEntry) => void;
  readonly changed: (kind: SnapshotKind) => void;
  readonly functionLine: (line: string) => void;
}

type GatewayListener<K extends keyof WebSocketGatewayEventMap> = (...args: WebSocketGatewayEventMap[K]) => void;

/** The gateway's on/off by its event map (EventEmitter's own overloads do not take a generic event name). */
interface GatewayEvents {
  on<K extends keyof WebSocketGatewayEventMap>(event: K, listener: GatewayListener<K>): unknown;
  off<K extends keyof WebSocketGatewayEventMap>(event: K, listener: GatewayListener<K>): unknown;
}

/** Subscribes to the stack's events; returns the function that unsubscribes. */
export function watchStackEvents(stack: LocalStack, { publish, changed, functionLine }: StackEventSinks): () => void {
  const gateway: GatewayEvents = stack.gateway;
  const on = <K extends keyof WebSocketGatewayEventMap>(event: K, listener: GatewayListener<K>): (() => void) => {
    gateway.on(event, listener);
    return () => void gateway.off(event, listener);
  };
  const publishAndRefresh = (entry: feed.FeedEntry, kind: SnapshotKind): void => {
    publish(entry);
    changed(kind);
  };
  const queueNames = new Map(Object.values(stack.sqs.queues).map((queue) => [queue.logicalId, queue.name]));
  const detach = [
    on('handshake', (event) => publish(feed.describeHandshake(event))),
    on('connection', () => changed('connections')),
    on('route', (event) => publishAndRefresh(feed.describeRoute(event), 'connections')),
    on('management', (event) => publishAndRefresh(feed.describeManagement(event), 'connections')),
    on('disconnect', (event) => publishAndRefresh(feed.describeDisconnect(event), 'connections')),
    on('warning', (warning) => publish(feed.describeWarning(warning))),
    stack.onBatch((event) => publishAndRefresh(feed.describeBatch(event, queueNames.get(event.queueId) ?? event.queueId), 'queues')),
    stack.onInvocation((event) => {
      const entry = event.type === 'end' ? feed.describeFailedInvocation(event) : undefined;
      if (entry !== undefined) publish(entry);
    }),
    stack.onFunctionLog((entry) => {
      functionLine(entry.line);
      const fanOut = feed.describeFanOut(entry);
      if (fanOut !== undefined) publish(fanOut);
    }),
  ];
  return () => detach.forEach((off) => off());
}
