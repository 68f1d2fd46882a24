/** What the function runner reports to the local runtime: log lines and invocation events. */

/**
 * One log line. `stream` is `platform` for the lines Lambda itself writes (INIT_START, START, END,
 * REPORT, timeouts) and `stdout`/`stderr` for what the function writes.
 */
export interface FunctionLogEntry {
  readonly functionId: string;
  /** The invocation the line belongs to; absent for lines written during init or between invocations. */
  readonly requestId?: string;
  readonly line: string;
  readonly stream: 'stdout' | 'stderr' | 'platform';
}

export interface InvocationStartEvent {
  readonly type: 'start';
  readonly functionId: string;
  readonly requestId: string;
  readonly coldStart: boolean;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

export interface InvocationEndEvent extends Omit<InvocationStartEvent, 'type'> {
  readonly type: 'end';
  /** Handler duration, as in the REPORT line. */
  readonly durationMs: number;
  /** Init phase duration, on a cold start. */
  readonly initDurationMs?: number;
  readonly status: 'ok' | 'error';
  readonly errorType?: string;
  readonly errorMessage?: string;
}

export type FunctionInvocationEvent = InvocationStartEvent | InvocationEndEvent;

/** Instances of one function, for a console or a test. */
export interface FunctionPoolStats {
  /** Worker threads that have not exited yet (idle, busy, starting or being terminated). */
  readonly workers: number;
  readonly idle: number;
  readonly busy: number;
  /** Invocations waiting for an instance because the function has `maxInstances` busy. */
  readonly waiting: number;
  /** Reserved concurrency, else the runner's default. */
  readonly concurrencyLimit: number;
  /** Most instances at once: the concurrency limit, at most the CPUs + 1 (docs/local.md). */
  readonly maxInstances: number;
}
