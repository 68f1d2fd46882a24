import type { FunctionInvoker, InvocationResult } from './invocation';

/**
 * Reserved concurrency, locally, given its meaning by precedence (docs/local.md): wraps the
 * gateway's invoker and counts the invocations in flight of the functions that reserve
 * concurrency; while there are any, each queue mapping runs one batch at a time (`yieldTo`).
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
