/**
 * Drives code that waits on timers (the SDK's request timeouts and retry back-off) under jest's
 * fake timers, while in-memory I/O (test/unit/helpers/in-memory-http.ts) runs on the real event
 * loop: install with `useFakeTimersForIo()`, then `settle(promise)`.
 */

/** Fake setTimeout, setInterval and Date; the real process.nextTick, setImmediate and microtasks that streams run on. */
export function useFakeTimersForIo(): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
}

const realTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface Settled<T> {
  readonly value: T;
  /** Fake time from the call to its settling, ms. */
  readonly elapsedMs: number;
}

/**
 * Lets `promise` run, moving fake time forward `stepMs` at a time (with real event-loop turns in
 * between for the I/O), until it settles; rejects when it has not settled after `limitMs` of fake time.
 */
export async function settle<T>(promise: Promise<T>, limitMs: number, stepMs = 10): Promise<Settled<T>> {
  const started = Date.now();
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  while (outcome === undefined) {
    if (Date.now() - started > limitMs) throw new Error(`not settled after ${limitMs} ms of fake time`);
    for (let turn = 0; turn < 3 && outcome === undefined; turn += 1) await realTurn();
    if (outcome === undefined) await jest.advanceTimersByTimeAsync(stepMs);
  }
  const elapsedMs = Date.now() - started;
  if (!outcome.ok) throw outcome.error;
  return { value: outcome.value, elapsedMs };
}
