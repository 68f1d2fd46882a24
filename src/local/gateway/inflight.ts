/**
 * Counts work the gateway has started and not finished (handshakes, route invocations,
 * `$disconnect`s) so that `close()` can wait for all of it. A counter, not a set: tracking a
 * message costs one increment and one `then`.
 */
export class InflightWork {
  private count = 0;
  private waiters: (() => void)[] = [];
  private readonly settle = (): void => {
    this.count--;
    if (this.count === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  };

  get size(): number {
    return this.count;
  }

  /** Tracks a promise that never rejects. */
  track(work: Promise<unknown>): void {
    this.count++;
    void work.then(this.settle, this.settle);
  }

  /** Resolves once nothing is in flight (work tracked while waiting included). */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
