import { randomBytes, randomUUID } from 'node:crypto';
import type { InvocationFailure, InvocationResult } from './invocation';
import type { FunctionInvocationEvent, FunctionLogEntry, FunctionPoolStats } from './function-events';
import { FunctionInstance } from './function-instance';
import { endLine, initStartLine, reportLine, startLine, timeoutLine } from './lambda-log-lines';
import type { SerializedError, WorkerInit } from './worker-protocol';

/** Everything a pool needs about its function, resolved by the runner. */
export interface PoolFunction {
  readonly logicalId: string;
  /** The file the worker thread starts with (worker-bootstrap-file.ts). */
  readonly bootstrapFile: string;
  /** Every instance's `workerData` but its log stream. */
  readonly init: Omit<WorkerInit, 'logStreamName'>;
  /** Environment without the per-instance variables (log stream name). */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  /** Reserved concurrency, else the runner's default: 0 throttles every invocation. */
  readonly concurrencyLimit: number;
  /** Most instances at once: the concurrency limit, capped at what this machine's CPUs can run. */
  readonly maxInstances: number;
}

export interface PoolHooks {
  readonly onLog: (entry: FunctionLogEntry) => void;
  readonly onInvocation: (event: FunctionInvocationEvent) => void;
}

interface Lease {
  readonly instance: FunctionInstance;
  readonly cold: boolean;
}

type Waiter = (lease: Lease | undefined) => void;

const MIB = 1024 * 1024;

/** What an invocation gets once the runner is closing. */
const CLOSED: SerializedError = { errorType: 'Runtime.Shutdown', errorMessage: 'the local function runner is shutting down' };

function logStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

function failure(error: SerializedError, durationMs: number, coldStart: boolean): InvocationFailure {
  return { status: 'error', errorType: error.errorType, errorMessage: error.errorMessage, durationMs, coldStart };
}

/**
 * The instances of one function, with Lambda's concurrency rules: an invocation goes to an idle
 * warm instance, else a new instance is started while the function has fewer than `maxInstances`,
 * else it waits (first come, first served) for an instance to become free.
 */
export class FunctionPool {
  private readonly idle: FunctionInstance[] = [];
  /** Instances that count against the limit (starting, idle or busy). */
  private readonly live = new Set<FunctionInstance>();
  /** Every worker that has not exited yet, terminating ones included. */
  private readonly workers = new Set<FunctionInstance>();
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly fn: PoolFunction,
    private readonly hooks: PoolHooks,
  ) {}

  stats(): FunctionPoolStats {
    return {
      workers: this.workers.size,
      idle: this.idle.length,
      busy: this.live.size - this.idle.length,
      waiting: this.waiters.length,
      concurrencyLimit: this.fn.concurrencyLimit,
      maxInstances: this.fn.maxInstances,
    };
  }

  async invoke(event: unknown): Promise<InvocationResult> {
    const requestId = randomUUID();
    if (this.fn.concurrencyLimit === 0) {
      return failure({ errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded. (reserved concurrency is 0)' }, 0, false);
    }
    const lease = await this.acquire();
    if (lease === undefined) return failure(CLOSED, 0, false);
    const { instance, cold } = lease;
    const init = cold ? await instance.ready : undefined;
    this.log('platform', startLine(requestId), requestId);
    this.hooks.onInvocation({ type: 'start', functionId: this.fn.logicalId, requestId, coldStart: cold, timestamp: Date.now() });
    let result: InvocationResult;
    let status: 'timeout' | 'error' | undefined;
    if (init?.error !== undefined) {
      result = failure(init.error, 0, true);
      status = 'error';
    } else {
      const outcome = await instance.invoke(requestId, event, this.fn.timeoutSeconds * 1000);
      result =
        outcome.kind === 'ok'
          ? { status: 'ok', payload: outcome.payload, durationMs: outcome.durationMs, coldStart: cold }
          : // close() terminates busy workers too: say so rather than report a crash.
            failure(outcome.kind === 'crash' && this.closed ? CLOSED : outcome.error, outcome.durationMs, cold);
      if (outcome.kind === 'timeout') this.log('platform', timeoutLine(requestId, this.fn.timeoutSeconds), requestId);
      status = outcome.kind === 'timeout' ? 'timeout' : outcome.kind === 'crash' ? 'error' : undefined;
    }
    this.emitEnd(requestId, result, instance, init?.initDurationMs, status);
    this.release(instance);
    return result;
  }

  /** Terminates every worker and fails the invocations still waiting for one. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    this.idle.length = 0;
    await Promise.all([...this.workers].map((instance) => instance.terminate()));
  }

  private acquire(): Promise<Lease | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const warm = this.idle.pop();
    if (warm !== undefined) return Promise.resolve({ instance: warm, cold: false });
    if (this.live.size < this.fn.maxInstances) return Promise.resolve({ instance: this.spawn(), cold: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(instance: FunctionInstance): void {
    if (this.closed) return;
    if (!instance.isAlive) this.live.delete(instance);
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(instance.isAlive ? { instance, cold: false } : { instance: this.spawn(), cold: true });
    else if (instance.isAlive) this.idle.push(instance);
  }

  private spawn(): FunctionInstance {
    const stream = logStreamName();
    this.log('platform', initStartLine(process.versions.node), undefined);
    const instance = new FunctionInstance({
      bootstrapFile: this.fn.bootstrapFile,
      environment: { ...this.fn.environment, AWS_LAMBDA_LOG_STREAM_NAME: stream },
      init: { ...this.fn.init, logStreamName: stream },
      onOutput: (outputStream, text, requestId) => {
        for (const line of text.split('\n')) {
          if (line !== '') this.log(outputStream, line, requestId);
        }
      },
    });
    this.live.add(instance);
    this.workers.add(instance);
    void instance.exited.then(() => {
      this.workers.delete(instance);
      this.live.delete(instance);
      const index = this.idle.indexOf(instance);
      if (index !== -1) this.idle.splice(index, 1);
    });
    return instance;
  }

  private log(stream: FunctionLogEntry['stream'], line: string, requestId: string | undefined): void {
    this.hooks.onLog({ functionId: this.fn.logicalId, line, stream, ...(requestId !== undefined ? { requestId } : {}) });
  }

  /** END and REPORT (`status` when the instance failed: a timeout, a crash or a failed init), then the `end` event. */
  private emitEnd(requestId: string, result: InvocationResult, instance: FunctionInstance, initDurationMs: number | undefined, status?: 'timeout' | 'error'): void {
    const errorType = status === 'error' && result.status === 'error' ? result.errorType : undefined;
    const maxMemoryUsedMb = Math.ceil(instance.maxMemoryUsedBytes / MIB);
    this.log('platform', endLine(requestId), requestId);
    this.log('platform', reportLine({ requestId, durationMs: result.durationMs, memorySizeMb: this.fn.init.memorySizeMb, maxMemoryUsedMb, initDurationMs, status, errorType }), requestId);
    // The result without the payload: the event reports how the invocation went, not what it returned.
    const outcome = result.status === 'error' ? result : { status: result.status, durationMs: result.durationMs, coldStart: result.coldStart };
    const init = initDurationMs !== undefined ? { initDurationMs } : {};
    this.hooks.onInvocation({ type: 'end', functionId: this.fn.logicalId, requestId, timestamp: Date.now(), ...init, ...outcome });
  }
}
