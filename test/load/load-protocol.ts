/**
 * Messages between the load test (jest, the parent) and its two child processes: the stack host
 * (stack-host.ts, the process whose memory is measured) and the client fleet (client-fleet.ts,
 * the WebSocket clients, kept out of the stack's process so they do not distort its memory).
 */
import type { StageEndpoints } from '../../src/tooling/endpoints-file';

/** process.memoryUsage() of the stack's process (after two full garbage collections when asked), plus what it held. */
export interface MemorySample {
  /** Resident set size of the whole process: the main thread and every function's worker thread. */
  readonly rss: number;
  /** V8 heap of the main thread (gateway, connections, pollers, embedded DynamoDB and SQS), live objects after GC. */
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly connections: number;
  /** Worker threads of the functions (each has a heap of its own, inside `rss`). */
  readonly workers: number;
  /** Whether the heap was collected first. */
  readonly collected: boolean;
  readonly takenAt: number;
}

/** Everything that went wrong inside the stack, counted (zero means no error). */
export interface HostStats {
  readonly handshakes: Readonly<Record<string, number>>;
  readonly disconnects: number;
  readonly invocations: number;
  readonly invocationErrors: Readonly<Record<string, number>>;
  readonly batches: Readonly<Record<'success' | 'partial' | 'failure', number>>;
  readonly deleteFailures: number;
  readonly gatewayWarnings: number;
  /** Log lines written at warn or error level (functions' stderr, pollers' warnings). */
  readonly errorLines: number;
  /** The first few of those lines, for the failure message. */
  readonly errorSamples: readonly string[];
  readonly deliveredPosts: number;
  /** Items the embedded DynamoDB's TTL sweep deleted (the inbox's notifications past retention). */
  readonly expiredItemsDeleted: number;
}

/** `collect`: two full collections of the main thread's heap first (a pause of the event loop). */
export type HostRequest = { readonly type: 'memory'; readonly collect: boolean } | { readonly type: 'stats' } | { readonly type: 'close' };
export type HostMessage =
  | { readonly type: 'ready'; readonly endpoints: StageEndpoints; readonly startupMs: number }
  | { readonly type: 'memory'; readonly sample: MemorySample }
  | { readonly type: 'stats'; readonly stats: HostStats }
  | { readonly type: 'closed' };

export interface FleetPlan {
  readonly websocketUrl: string;
  readonly users: number;
  readonly connectionsPerUser: number;
  /** Handshakes in flight at once. */
  readonly concurrency: number;
}

/** Connection `index` belongs to user `index % users`. */
export const userOfConnection = (index: number, users: number): number => index % users;
export const loadUserId = (user: number): string => `load-user-${user}`;

export interface FleetReport {
  readonly open: number;
  /** `[connection index, notification id]` for each notification frame received, duplicates included. */
  readonly received: readonly (readonly [number, string])[];
  /** Frames that were not notifications, or not JSON. */
  readonly unexpectedFrames: number;
  /** Socket errors, refused handshakes and closes the test did not ask for. */
  readonly errors: readonly string[];
}

export type FleetRequest = { readonly type: 'connect'; readonly plan: FleetPlan } | { readonly type: 'report' } | { readonly type: 'close' };
export type FleetMessage =
  | { readonly type: 'connected'; readonly open: number; readonly failed: number; readonly durationMs: number }
  | { readonly type: 'report'; readonly report: FleetReport }
  | { readonly type: 'closed' };
