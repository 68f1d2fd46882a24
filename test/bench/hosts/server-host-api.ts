/** What the server host (server-host.ts) serves, as the benchmark calls it. */
import type { StageEndpoints } from '../../../src/tooling/endpoints-file';

export interface StackParams {
  readonly authMode?: 'authorizer' | 'action';
  readonly authorizeTimeoutSeconds?: number;
  /** Reserved concurrency for the Authorizer and Connect functions, as stage `prod` asks. Default: none, as stage `local`. */
  readonly handshakeReservedConcurrency?: number;
}

export interface StackInfo {
  readonly endpoints: StageEndpoints;
  readonly stageName: string;
  readonly authMode: 'authorizer' | 'action';
  readonly apiId: string;
  readonly gatewayPort: number;
  /** Embedded table name by logical id. */
  readonly tableNames: Readonly<Record<string, string>>;
  /** Embedded queue URL by logical id. */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** Loading the runtime's modules (first import in this process). */
  readonly importMs: number;
  /** startLocalStack as timed by the host. */
  readonly startMs: number;
  /** startLocalStack as timed by itself. */
  readonly startupMs: number;
  readonly startupPhases: Readonly<Record<string, number>>;
  /** ensureFunctionBundles finding the bundles up to date (what start-up pays once they are built). */
  readonly bundlesUpToDateMs: number;
}

export interface MemorySample {
  /** Resident set size of the whole process (main thread, worker threads, native buffers). */
  readonly rss: number;
  /** V8 heap of the main thread. */
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Function instances (worker threads) alive. */
  readonly workerThreads: number;
  readonly connections: number;
}

export interface InvocationCount {
  readonly count: number;
  readonly durationMs: number;
  /** Sum of durations rounded up to the millisecond, as Lambda bills. */
  readonly billedMs: number;
}

export interface Counters {
  /** `<service>.<operation>` (and ` (<caller>)` for the pollers' calls) → requests the services answered (the pollers' without HTTP). */
  readonly requests: Readonly<Record<string, number>>;
  readonly invocations: Readonly<Record<string, InvocationCount>>;
  /** Client messages routed (API Gateway messages received). */
  readonly messagesIn: number;
  /** Frames sent to clients: route responses, error frames, Management API POSTs (API Gateway messages sent). */
  readonly messagesOut: number;
  /** Empty long polls that waited their whole wait time (the pollers' idle polling). */
  readonly idleReceives: number;
}

// An RpcApi is a type alias: an interface would not satisfy its index signature.
export type ServerHostApi = {
  startStack(params: StackParams): Promise<StackInfo>;
  startEcho(): Promise<{ url: string }>;
  startWsGetItem(): Promise<{ url: string }>;
  bundleFromScratch(): Promise<{ durationMs: number }>;
  memory(): Promise<MemorySample>;
  counters(params: { reset: boolean }): Promise<Counters>;
  connectionCount(): Promise<number>;
  problems(): Promise<string[]>;
  close(): Promise<void>;
};
