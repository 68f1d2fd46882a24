import type { FunctionInvoker, InvocationResult } from './invocation';

/**
 * Reserved concurrency, locally. On AWS a function's reserved concurrency is capacity no other
 * function can take: a burst of queue batches cannot slow the handshakes of an Authorizer or a
 * `$connect` that reserves some. Locally every function shares the machine's CPUs, so the runtime
 * gives the reservation its meaning by precedence: while a function the gateway invokes (the
 * authorizer, a route) and that reserves concurrency has an invocation in flight, waiting for an
 * instance or running, each queue mapping runs one batch at a time (QueuePoller's `yieldTo`).
 *
 * It wraps the gateway's invoker and counts those invocations.
 */
export class ReservedCapacity implements FunctionInvoker {
  #inFlight = 0;
  readonly #idleListeners = new Set<() => void>();

  /** `reserved`: logical ids of the functions that reserve concurrency (more than 0). */
  constructor(
    private readonly inner: FunctionInvoker,
    private readonly reserved: ReadonlySet<string>,
  ) {}

  /** True while an invocation of a reserving function is in flight. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  async invoke(functionId: string, event: unknown): Promise<InvocationResult> {
    if (!this.reserved.has(functionId)) return this.inner.invoke(functionId, event);
    this.#inFlight += 1;
    try {
      return await this.inner.invoke(functionId, event);
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const listener of [...this.#idleListeners]) listener();
    }
  }

  /** Calls `listener` each time the last invocation in flight ends; returns the unsubscribe. */
  onIdle(listener: () => void): () => void {
    this.#idleListeners.add(listener);
    return () => this.#idleListeners.delete(listener);
  }
}
