/**
 * Timers of the client. All of them go through one Scheduler per client, which can cancel every
 * pending one at once: stop() leaves no timer behind. The global timer functions are looked up at
 * each call, so fake timers installed after import are honoured.
 */

interface TimerGlobals {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globals = globalThis as unknown as TimerGlobals;

export class Scheduler {
  readonly #pending = new Set<unknown>();

  /** Runs `callback` after `ms`; the returned function cancels it (harmless once it ran). */
  after(ms: number, callback: () => void): () => void {
    const handle = globals.setTimeout(() => {
      this.#pending.delete(handle);
      callback();
    }, Math.max(0, ms));
    this.#pending.add(handle);
    return () => {
      if (this.#pending.delete(handle)) globals.clearTimeout(handle);
    };
  }

  /** Cancels every pending timer. */
  cancelAll(): void {
    for (const handle of this.#pending) globals.clearTimeout(handle);
    this.#pending.clear();
  }

  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }
}

/** Named timers of one owner: setting a name again replaces its timer. */
export class TimerSlots<Name extends string> {
  readonly #cancels = new Map<Name, () => void>();

  constructor(private readonly scheduler: Scheduler) {}

  set(name: Name, ms: number, callback: () => void): void {
    this.clear(name);
    this.#cancels.set(
      name,
      this.scheduler.after(ms, () => {
        this.#cancels.delete(name);
        callback();
      }),
    );
  }

  has(name: Name): boolean {
    return this.#cancels.has(name);
  }

  clear(name: Name): void {
    this.#cancels.get(name)?.();
    this.#cancels.delete(name);
  }

  clearAll(): void {
    for (const cancel of this.#cancels.values()) cancel();
    this.#cancels.clear();
  }
}
