import { Worker } from 'node:worker_threads';
import { timeoutMessage } from './lambda-log-lines';
import type { InvokeMessage, SerializedError, WorkerInit, WorkerMessage } from './worker-protocol';

/** Lambda gives the init phase 10 seconds. */
const INIT_TIMEOUT_MS = 10_000;

/** How the init phase ended: `error` when it failed. */
type InitOutcome = Omit<Extract<WorkerMessage, { type: 'init' }>, 'type'>;

export type InstanceOutcome =
  /** The handler returned; `payload` is its JSON-serialized value, parsed. */
  | { readonly kind: 'ok'; readonly payload: unknown; readonly durationMs: number }
  /**
   * `error`: the handler threw or rejected, the instance stays warm; `timeout`: the invocation ran past
   * the timeout (`Sandbox.Timedout`), the instance has been terminated; `crash`: the worker died during it.
   */
  | { readonly kind: 'error' | 'timeout' | 'crash'; readonly error: SerializedError; readonly durationMs: number };

interface FunctionInstanceOptions {
  readonly bootstrapFile: string;
  readonly init: WorkerInit;
  readonly environment: Readonly<Record<string, string>>;
  /** Everything the function writes, with the request it belongs to (undefined during init). */
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string, requestId: string | undefined) => void;
}

interface PendingInvocation {
  readonly requestId: string;
  readonly started: number;
  readonly resolve: (outcome: InstanceOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

function exitError(code: number, fatal: SerializedError | undefined): SerializedError {
  return fatal ?? { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: exit status ${code}` };
}

function workerError(error: unknown): SerializedError {
  if (error instanceof Error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return { errorType: 'Runtime.OutOfMemory', errorMessage: `Runtime exited with error: ${error.message}` };
    }
    return { errorType: error.name, errorMessage: error.message };
  }
  return { errorType: typeof error, errorMessage: String(error) };
}

/**
 * One warm Lambda instance: a worker thread that has loaded the function's bundle and runs one
 * invocation at a time. It is discarded after a timeout or a crash.
 */
export class FunctionInstance {
  /** Resolves when the init phase has finished (successfully or not); never rejects. */
  readonly ready: Promise<InitOutcome>;
  /** Resolves when the worker thread has exited. */
  readonly exited: Promise<void>;
  private readonly worker: Worker;
  private alive = true;
  private pending: PendingInvocation | undefined;
  private fatal: SerializedError | undefined;
  private resolveReady!: (outcome: InitOutcome) => void;
  private readonly initTimer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private maxMemoryBytes = 0;

  constructor(private readonly options: FunctionInstanceOptions) {
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
    this.worker = new Worker(options.bootstrapFile, {
      workerData: options.init,
      env: { ...options.environment },
      // The parent may run under tsx or jest loaders; the bundles are plain CommonJS and need none.
      execArgv: [],
      argv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(options.init.memorySizeMb, 64) },
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.stdout.setEncoding('utf8').on('data', (text: string) => options.onOutput('stdout', text, this.pending?.requestId));
    this.worker.stderr.setEncoding('utf8').on('data', (text: string) => options.onOutput('stderr', text, this.pending?.requestId));
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error) => {
      this.fatal ??= workerError(error);
    });
    this.worker.on('exit', (code) => this.onExit(code));
    this.initTimer = setTimeout(() => {
      const error = { errorType: 'Sandbox.Timedout', errorMessage: `Init timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds` };
      this.resolveReady({ initDurationMs: performance.now() - this.startedAt, error });
      void this.terminate();
    }, INIT_TIMEOUT_MS);
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Highest heap use reported by the instance, in bytes. */
  get maxMemoryUsedBytes(): number {
    return this.maxMemoryBytes;
  }

  /** Runs one invocation. Call only after `ready` resolved ok, one at a time. Never rejects. */
  invoke(requestId: string, event: unknown, timeoutMs: number): Promise<InstanceOutcome> {
    if (!this.alive) {
      return Promise.resolve({ kind: 'crash', error: exitError(1, this.fatal), durationMs: 0 });
    }
    return new Promise((resolve) => {
      const started = performance.now();
      const timer = setTimeout(() => {
        this.pending = undefined;
        const error = { errorType: 'Sandbox.Timedout', errorMessage: timeoutMessage(timeoutMs / 1000) };
        resolve({ kind: 'timeout', error, durationMs: performance.now() - started });
        void this.terminate();
      }, timeoutMs);
      this.pending = { requestId, started, resolve, timer };
      const message: InvokeMessage = { type: 'invoke', requestId, event, deadline: Date.now() + timeoutMs };
      try {
        this.worker.postMessage(message);
      } catch (error) {
        // The event could not be cloned (it is not plain data): the invocation fails, the instance is fine.
        clearTimeout(timer);
        this.pending = undefined;
        resolve({ kind: 'error', error: { errorType: 'Runtime.InvalidEvent', errorMessage: workerError(error).errorMessage }, durationMs: 0 });
      }
    });
  }

  /** Stops the worker; resolves once it has exited. Safe to call more than once. */
  async terminate(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
    await this.exited;
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'log':
        this.options.onOutput(message.stream, message.text, message.requestId);
        return;
      case 'init':
        clearTimeout(this.initTimer);
        this.resolveReady(message);
        if (message.error !== undefined) void this.terminate();
        return;
      case 'fatal':
        this.fatal = message.error;
        return;
      case 'result': {
        const pending = this.pending;
        if (pending === undefined || pending.requestId !== message.requestId) return;
        clearTimeout(pending.timer);
        this.pending = undefined;
        this.maxMemoryBytes = Math.max(this.maxMemoryBytes, message.memoryUsedBytes);
        if (message.error !== undefined) pending.resolve({ kind: 'error', error: message.error, durationMs: message.durationMs });
        else pending.resolve({ kind: 'ok', payload: JSON.parse(message.payloadJson ?? 'null'), durationMs: message.durationMs });
        return;
      }
    }
  }

  private onExit(code: number): void {
    this.alive = false;
    clearTimeout(this.initTimer);
    const error = exitError(code, this.fatal);
    this.resolveReady({ initDurationMs: performance.now() - this.startedAt, error });
    const pending = this.pending;
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      this.pending = undefined;
      pending.resolve({ kind: 'crash', error, durationMs: performance.now() - pending.started });
    }
  }
}
