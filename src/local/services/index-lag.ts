/**
 * `--index-lag MS` (docs/local.md): AWS copies each write to the table's global secondary indexes
 * asynchronously. Here every change a write makes to a global index is queued at the moment of the
 * write (dynamodb-engine.ts hands it over) and applied `lagMs` later, in the order of the writes;
 * tables and local indexes are not delayed.
 */

/** One write's changes to the global indexes of its table, applied when due. */
export type IndexChange = () => Promise<void>;

/** What the lag has done since the service started. */
export interface IndexLagCounts {
  /** Writes whose global-index changes were delayed. */
  readonly delayed: number;
  /** Of those, the ones applied to the indexes so far. */
  readonly applied: number;
  /** Of those, the ones whose application failed (the index then misses that change). */
  readonly failed: number;
}

/** Timers the queue runs on; tests pass fake ones. */
export interface IndexLagClock {
  readonly now: () => number;
  readonly setTimeout: (callback: () => void, ms: number) => unknown;
  readonly clearTimeout: (timer: unknown) => void;
}

const SYSTEM_CLOCK: IndexLagClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** Validates a lag; throws a TypeError naming the option. */
export function validateIndexLagMs(lagMs: number): void {
  if (!(Number.isFinite(lagMs) && lagMs >= 0 && lagMs <= 600_000)) throw new TypeError(`indexLagMs must be a number of milliseconds from 0 to 600000, got ${lagMs}`);
}

interface Pending {
  readonly dueAt: number;
  readonly change: IndexChange;
}

/**
 * The global-index changes not yet applied, oldest first. A change is applied no earlier than
 * `lagMs` after it was queued, and only after every change queued before it (same-key writes must
 * reach the index in their order).
 */
export class IndexLag {
  #lagMs: number;
  readonly #clock: IndexLagClock;
  readonly #pending: Pending[] = [];
  #running = false;
  #timer: unknown;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  #delayed = 0;
  #applied = 0;
  #failed = 0;

  constructor(lagMs: number, clock: IndexLagClock = SYSTEM_CLOCK) {
    validateIndexLagMs(lagMs);
    this.#lagMs = lagMs;
    this.#clock = clock;
  }

  get lagMs(): number {
    return this.#lagMs;
  }

  /**
   * Changes the lag for the writes from now on (0 stops delaying them once the changes already
   * queued have been applied). TypeError for an invalid lag.
   */
  setLag(lagMs: number): void {
    validateIndexLagMs(lagMs);
    this.#lagMs = lagMs;
  }

  /** True when a write's global-index changes must be queued: a lag is set, or earlier changes wait (order). */
  get delaying(): boolean {
    return !this.#closed && (this.#lagMs > 0 || this.#pending.length > 0 || this.#running);
  }

  /** Queues a write's global-index changes, due `lagMs` from now. */
  enqueue(change: IndexChange): void {
    if (this.#closed) return;
    this.#delayed += 1;
    this.#pending.push({ dueAt: this.#clock.now() + this.#lagMs, change });
    this.#schedule();
  }

  /** Resolves once every change queued so far (and any queued meanwhile) has been applied. */
  idle(): Promise<void> {
    if (this.#pending.length === 0 && !this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  counts(): IndexLagCounts {
    return { delayed: this.#delayed, applied: this.#applied, failed: this.#failed };
  }

  /** Drops the changes not yet applied (the store is closing with them). Safe to call twice. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.length = 0;
    this.#wakeIdle();
  }

  #schedule(): void {
    if (this.#running || this.#timer !== undefined || this.#closed) return;
    const next = this.#pending[0];
    if (next === undefined) {
      this.#wakeIdle();
      return;
    }
    const wait = next.dueAt - this.#clock.now();
    if (wait > 0) {
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, wait);
      return;
    }
    this.#pending.shift();
    this.#running = true;
    void next.change().then(
      () => {
        this.#applied += 1;
      },
      () => {
        this.#failed += 1;
      },
    ).finally(() => {
      this.#running = false;
      this.#schedule();
    });
  }

  #wakeIdle(): void {
    if (this.#running || this.#pending.length > 0) return;
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }
}
