import type { FunctionInvoker, InvocationResult } from '../../../../src/local/functions/invocation';
import { ReservedCapacity } from '../../../../src/local/functions/reserved-capacity';

const OK: InvocationResult = { status: 'ok', payload: null, durationMs: 1, coldStart: false };

/** Holds every invocation until the test ends it. */
class HeldInvoker implements FunctionInvoker {
  readonly calls: string[] = [];
  readonly #pending: (() => void)[] = [];

  invoke(functionId: string): Promise<InvocationResult> {
    this.calls.push(functionId);
    return new Promise((resolve) => this.#pending.push(() => resolve(OK)));
  }

  /** Ends the oldest invocation still held. */
  endOne(): void {
    this.#pending.shift()?.();
  }
}

describe('Class: ReservedCapacity', () => {
  it('is busy while an invocation of a reserving function is in flight, and idle after the last one', async () => {
    // Prepare
    const inner = new HeldInvoker();
    const capacity = new ReservedCapacity(inner, new Set(['Connect']));
    let idle = 0;
    capacity.onIdle(() => (idle += 1));

    // Act
    const first = capacity.invoke('Connect', {});
    const second = capacity.invoke('Connect', {});

    // Assess
    expect(capacity.busy).toBe(true);
    inner.endOne();
    await first;
    expect(capacity.busy).toBe(true);
    expect(idle).toBe(0);
    inner.endOne();
    await expect(second).resolves.toBe(OK);
    expect(capacity.busy).toBe(false);
    expect(idle).toBe(1);
    expect(inner.calls).toEqual(['Connect', 'Connect']);
  });

  it('passes other functions through without counting them', async () => {
    const inner = new HeldInvoker();
    const capacity = new ReservedCapacity(inner, new Set(['Connect']));
    let idle = 0;
    capacity.onIdle(() => (idle += 1));

    const result = capacity.invoke('NotifyConnection', {});

    expect(capacity.busy).toBe(false);
    inner.endOne();
    await expect(result).resolves.toBe(OK);
    expect(idle).toBe(0);
    expect(inner.calls).toEqual(['NotifyConnection']);
  });

  it('is idle again after an invoker that rejects, and stops calling an unsubscribed listener', async () => {
    const failing: FunctionInvoker = { invoke: () => Promise.reject(new Error('worker gone')) };
    const capacity = new ReservedCapacity(failing, new Set(['Authorizer']));
    const heard: string[] = [];
    const unsubscribe = capacity.onIdle(() => heard.push('first'));
    capacity.onIdle(() => heard.push('second'));

    await expect(capacity.invoke('Authorizer', {})).rejects.toThrow('worker gone');
    unsubscribe();
    await expect(capacity.invoke('Authorizer', {})).rejects.toThrow('worker gone');

    expect(capacity.busy).toBe(false);
    expect(heard).toEqual(['first', 'second', 'second']);
  });
});
