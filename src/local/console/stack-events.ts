/**
 * What the console watches of a running stack (gateway, queue batches, failed invocations, NotifyUser's
 * fan-out lines): each event becomes a feed entry (event-feed.ts) and, when it can change them, a
 * refresh of the connection table or the queue depths.
 */
import type { WebSocketGatewayEventMap } from '../gateway';
import type { LocalStack } from '../runtime';
import {
  describeBatch,
  describeDisconnect,
  describeFailedInvocation,
  describeFanOut,
  describeHandshake,
  describeManagement,
  describeRoute,
  describeWarning,
  type FeedEntry,
} from './event-feed';
import type { SnapshotKind } from './console-snapshots';

interface StackEventSinks {
  readonly publish: (entry: FeedEntry) => void;
  readonly changed: (kind: SnapshotKind) => void;
  /** The logical name of a queue (`NotifyUser`) by its logical id. */
  readonly queueName: (queueId: string) => string;
}

type GatewayListener<K extends keyof WebSocketGatewayEventMap> = (...args: WebSocketGatewayEventMap[K]) => void;

/** The stack's event sources, the gateway's seen through its event map. */
type StackEventSources = Pick<LocalStack, 'onInvocation' | 'onBatch' | 'onFunctionLog'> & {
  readonly gateway: {
    on<K extends keyof WebSocketGatewayEventMap>(event: K, listener: GatewayListener<K>): unknown;
    off<K extends keyof WebSocketGatewayEventMap>(event: K, listener: GatewayListener<K>): unknown;
  };
};

/** Subscribes to the stack's events; returns the function that unsubscribes. */
export function watchStackEvents(stack: StackEventSources, sinks: StackEventSinks): () => void {
  const { publish, changed } = sinks;
  const gateway = stack.gateway;
  const on = <K extends keyof WebSocketGatewayEventMap>(event: K, listener: GatewayListener<K>): (() => void) => {
    gateway.on(event, listener);
    return () => void gateway.off(event, listener);
  };
  const detach = [
    on('handshake', (event) => publish(describeHandshake(event))),
    on('connection', () => changed('connections')),
    on('route', (event) => {
      publish(describeRoute(event));
      changed('connections');
    }),
    on('management', (event) => {
      publish(describeManagement(event));
      changed('connections');
    }),
    on('disconnect', (event) => {
      publish(describeDisconnect(event));
      changed('connections');
    }),
    on('warning', (warning) => publish(describeWarning(warning))),
    stack.onBatch((event) => {
      publish(describeBatch(event, sinks.queueName(event.queueId)));
      changed('queues');
    }),
    stack.onInvocation((event) => {
      if (event.type !== 'end') return;
      const entry = describeFailedInvocation(event);
      if (entry !== undefined) publish(entry);
    }),
    stack.onFunctionLog((entry) => {
      const fanOut = describeFanOut(entry);
      if (fanOut !== undefined) publish(fanOut);
    }),
  ];
  return () => detach.forEach((off) => off());
}
