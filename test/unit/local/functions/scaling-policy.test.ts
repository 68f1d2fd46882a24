import {
  areBlocked,
  busyShare,
  MAX_READING_AGE_MS,
  mayStartInstance,
  SCALE_OUT_INTERVAL_MS,
  windowShare,
  type ScaleOutState,
} from '../../../../src/local/functions/scaling-policy';
import { MAIN_THREAD_ID, threadTimes } from '../../../../src/local/functions/thread-times';

/** A pool at its CPU count, last scale-out long ago, nothing running long, not blocked. */
function state(overrides: Partial<ScaleOutState> = {}): ScaleOutState {
  return {
    live: 2,
    parallelism: 2,
    sinceLastScaleOutMs: 10_000,
    longestInvocationMs: 5,
    longInvocationMs: 1000,
    instancesBlocked: () => false,
    ...overrides,
  };
}

describe('Function: mayStartInstance', () => {
  it('starts instances at once up to one per CPU, without reading the threads', () => {
    // Prepare
    const instancesBlocked = jest.fn(() => false);

    // Act + Assess
    expect(mayStartInstance(state({ live: 0, parallelism: 2, sinceLastScaleOutMs: 0, instancesBlocked }))).toBe(true);
    expect(mayStartInstance(state({ live: 1, parallelism: 2, sinceLastScaleOutMs: 0, instancesBlocked }))).toBe(true);
    expect(mayStartInstance(state({ live: 0, parallelism: 0, instancesBlocked }))).toBe(true);
    expect(instancesBlocked).not.toHaveBeenCalled();
  });

  it('keeps busy CPU-bound instances at one per CPU', () => {
    expect(mayStartInstance(state())).toBe(false);
    expect(mayStartInstance(state({ live: 3, parallelism: 2 }))).toBe(false);
  });

  it('starts another when an invocation has run long or the instances are blocked, at most one per interval', () => {
    // Act + Assess
    expect(mayStartInstance(state({ longestInvocationMs: 1000 }))).toBe(true);
    expect(mayStartInstance(state({ instancesBlocked: () => true }))).toBe(true);
    expect(mayStartInstance(state({ longestInvocationMs: 5000, sinceLastScaleOutMs: SCALE_OUT_INTERVAL_MS - 1 }))).toBe(false);
    expect(mayStartInstance(state({ instancesBlocked: () => true, sinceLastScaleOutMs: SCALE_OUT_INTERVAL_MS - 1 }))).toBe(false);
  });
});

describe('Function: windowShare', () => {
  const previous = { runningNs: 0, waitingNs: 0, at: 1000 };
  const current = { runningNs: 20e6, waitingNs: 0, at: 1100 };

  it('is the busy share since the previous reading for a thread busy all along', () => {
    expect(windowShare(previous, current, 900)).toBeCloseTo(0.2);
    expect(windowShare(previous, current, 1000)).toBeCloseTo(0.2);
  });

  it('cannot tell without a previous reading, from a stale one, or for an invocation that started after it', () => {
    expect(windowShare(undefined, current, 900)).toBeUndefined();
    expect(windowShare(previous, { ...current, at: previous.at + MAX_READING_AGE_MS + 1 }, 900)).toBeUndefined();
    expect(windowShare(previous, current, 1001)).toBeUndefined();
  });
});

describe('Function: areBlocked', () => {
  it('needs mostly blocked instances and a main thread with room', () => {
    expect(areBlocked([0.1, 0.2], 0.3)).toBe(true);
    expect(areBlocked([0.1, 0.6], 0.3)).toBe(false);
    expect(areBlocked([0.1], 0.7)).toBe(false);
  });

  it('is false when nothing could be judged', () => {
    expect(areBlocked([], 0.1)).toBe(false);
    expect(areBlocked([0.1], undefined)).toBe(false);
  });
});

describe('Function: busyShare', () => {
  it('is the share of the elapsed time a thread ran or waited for a CPU', () => {
    const from = { runningNs: 0, waitingNs: 0, at: 0 };

    expect(busyShare(from, { runningNs: 30e6, waitingNs: 20e6, at: 100 })).toBeCloseTo(0.5);
    expect(busyShare(from, { runningNs: 1e6, waitingNs: 0, at: 100 })).toBeCloseTo(0.01);
    expect(busyShare(from, { runningNs: 300e6, waitingNs: 0, at: 100 })).toBe(1);
    expect(busyShare(from, { runningNs: 0, waitingNs: 0, at: 0 })).toBe(1);
  });
});

describe('Function: threadTimes', () => {
  it('reads the main thread where the system has scheduler statistics, and nothing for an unknown thread', () => {
    const times = threadTimes(MAIN_THREAD_ID);

    if (process.platform === 'linux') expect(times?.runningNs).toBeGreaterThan(0);
    else expect(times).toBeUndefined();
    expect(threadTimes(2 ** 31 - 1)).toBeUndefined();
  });
});
