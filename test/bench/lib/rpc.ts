/**
 * Request/response calls between the benchmark and the processes it forks (server hosts, client
 * hosts) over Node's IPC channel. A child serves an object of async methods; the parent calls them
 * by name with one JSON-serializable argument.
 */
import { fork, type ChildProcess } from 'node:child_process';

type Method = (params: never) => Promise<unknown>;
export type RpcApi = Record<string, Method>;

interface RpcRequest {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

interface RpcResponse {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

export class RpcError extends Error {
  override readonly name = 'RpcError';
}

export interface ForkOptions {
  /** Extra environment, over the parent's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags (`--expose-gc`). */
  readonly nodeFlags?: readonly string[];
  /** Label for the child's stderr lines and errors. */
  readonly label: string;
}

/** A forked child serving an RpcApi. Its stderr is passed on, prefixed with its label: anything there is a real problem. */
export class RpcChild<Api extends RpcApi> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exitError: Error | undefined;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly process: ChildProcess,
    readonly label: string,
  ) {
    process.on('message', (message: RpcResponse) => {
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new RpcError(`${label}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        this.exitError = new RpcError(`${label} exited (${signal ?? `code ${code}`})`);
        for (const waiter of this.pending.values()) waiter.reject(this.exitError);
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  static start<Api extends RpcApi>(file: string, options: ForkOptions): RpcChild<Api> {
    const child = fork(file, [], {
      execArgv: [...process.execArgv, ...(options.nodeFlags ?? [])],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim() !== '') process.stderr.write(`[${options.label}] ${line}\n`);
    });
    return new RpcChild<Api>(child, options.label);
  }

  call<M extends keyof Api & string>(method: M, ...params: Parameters<Api[M]>): Promise<Awaited<ReturnType<Api[M]>>> {
    if (this.exitError !== undefined) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const request: RpcRequest = { id, method, params: params[0] };
      this.process.send(request);
    });
  }

  /** Asks the child to stop (`close` method), then waits for it to exit; kills it if it does not within `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    try {
      await new Promise<void>((resolve) => {
        // A raw request: `close` is part of every child's API (serveRpc ends the process after answering it).
        this.process.send({ id: this.nextId++, method: 'close', params: undefined } satisfies RpcRequest, () => resolve());
      });
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Serves `api` on this process's IPC channel. A `close` method, when called, ends the process after answering. */
export function serveRpc(api: RpcApi): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('serveRpc needs an IPC channel (start this file with RpcChild.start)');
  process.on('message', (request: RpcRequest) => {
    const method = api[request.method];
    if (method === undefined) {
      send({ id: request.id, error: `no method ${request.method}` } satisfies RpcResponse);
      return;
    }
    (method as (params: unknown) => Promise<unknown>)(request.params).then(
      (result) => {
        send({ id: request.id, result } satisfies RpcResponse, () => {
          if (request.method === 'close') process.exit(0);
        });
      },
      (error: unknown) => send({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RpcResponse),
    );
  });
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
}
