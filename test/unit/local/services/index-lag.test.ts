import { IndexLag, validateIndexLagMs, type IndexLagClock } from '../../../../src/local/services/index-lag';

/** jest's fake timers as the lag's clock. */
const fakeClock: IndexLagClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** A change that records when it ran, and resolves when `finish` is called (or at once). */
function recorder(log: string[]) {
  return (name: string, finish?: Promise<void>) => async () => {
    log.push(`start ${name} at ${Date.now()}`);
    await finish;
    log.push(`end ${name}`);
  };
}

/** Lets the promise callbacks queued so far run (fake timers do not run them). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

describe('Class: IndexLag', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('Method: enqueue', () => {
    it('applies a change no earlier than the lag after it was queued', async () => {
      // Prepare
      const log: string[] = [];
      const lag = new IndexLag(500, fakeClock);

      // Act
      lag.enqueue(recorder(log)('put'));
      await jest.advanceTimersByTimeAsync(499);
      const before = [...log];
      await jest.advanceTimersByTimeAsync(1);
      await flush();

      // Assess
      expect(before).toEqual([]);
      expect(log).toEqual(['start put at 1000500', 'end put']);
      expect(lag.counts()).toEqual({ delayed: 1, applied: 1, failed: 0 });
    });

    it('applies changes one at a time in the order they were queued, each when due', async () => {
      // Prepare: the first change takes a while; the second is due meanwhile.
      const log: string[] = [];
      let finishFirst: () => void = () => undefined;
      const first = new Promise<void>((resolve) => (finishFirst = resolve));
      const lag = new IndexLag(100, fakeClock);
      const change = recorder(log);

      // Act
      lag.enqueue(change('put A', first));
      await jest.advanceTimersByTimeAsync(50);
      lag.enqueue(change('update A→B'));
      await jest.advanceTimersByTimeAsync(200);
      const whileFirstRuns = [...log];
      finishFirst();
      await flush();

      // Assess: the update waits for the put, even though it was due at 1000150.
      expect(whileFirstRuns).toEqual(['start put A at 1000100']);
      expect(log).toEqual(['start put A at 1000100', 'end put A', 'start update A→B at 1000250', 'end update A→B']);
    });

    it('counts a change that failed and goes on with the next', async () => {
      // Prepare
      const log: string[] = [];
      const lag = new IndexLag(10, fakeClock);

      // Act
      lag.enqueue(() => Promise.reject(new Error('store closed')));
      lag.enqueue(recorder(log)('next'));
      await jest.advanceTimersByTimeAsync(10);
      await flush();

      // Assess
      expect(log).toEqual(['start next at 1000010', 'end next']);
      expect(lag.counts()).toEqual({ delayed: 2, applied: 1, failed: 1 });
    });
  });

  describe('Property: delaying', () => {
    it('is false with no lag and nothing queued: writes then update their indexes as they always do', () => {
      // Act & Assess
      expect(new IndexLag(0, fakeClock).delaying).toBe(false);
      expect(new IndexLag(1, fakeClock).delaying).toBe(true);
    });

    it('stays true after the lag is set to 0 until the changes already queued are applied, so that order is kept', async () => {
      // Prepare
      const log: string[] = [];
      const lag = new IndexLag(1000, fakeClock);
      lag.enqueue(recorder(log)('old'));

      // Act
      lag.setLag(0);
      const whilePending = lag.delaying;
      lag.enqueue(recorder(log)('new'));
      await jest.advanceTimersByTimeAsync(999);
      const beforeOldIsDue = [...log];
      await jest.advanceTimersByTimeAsync(1);
      await flush();

      // Assess: the change queued with no lag still comes after the one before it.
      expect(whilePending).toBe(true);
      expect(beforeOldIsDue).toEqual([]);
      expect(log).toEqual(['start old at 1001000', 'end old', 'start new at 1001000', 'end new']);
      expect(lag.delaying).toBe(false);
    });
  });

  describe('Method: idle', () => {
    it('resolves at once when nothing is queued, and once every queued change is applied otherwise', async () => {
      // Prepare
      const lag = new IndexLag(300, fakeClock);
      let idle = false;
      await lag.idle();
      lag.enqueue(() => Promise.resolve());
      lag.enqueue(() => Promise.resolve());

      // Act
      void lag.idle().then(() => (idle = true));
      await jest.advanceTimersByTimeAsync(299);
      const early = idle;
      await jest.advanceTimersByTimeAsync(1);
      await flush();

      // Assess
      expect(early).toBe(false);
      expect(idle).toBe(true);
      expect(lag.counts()).toEqual({ delayed: 2, applied: 2, failed: 0 });
    });
  });

  describe('Method: close', () => {
    it('drops the changes not yet applied, cancels its timer and ends the waits', async () => {
      // Prepare
      const applied: string[] = [];
      const lag = new IndexLag(100, fakeClock);
      lag.enqueue(() => Promise.resolve(void applied.push('dropped')));
      const idle = lag.idle();

      // Act
      lag.close();
      lag.close();
      lag.enqueue(() => Promise.resolve(void applied.push('after close')));
      await jest.advanceTimersByTimeAsync(1000);

      // Assess
      await expect(idle).resolves.toBeUndefined();
      expect(applied).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
      expect(lag.delaying).toBe(false);
    });
  });
});

describe('Function: validateIndexLagMs', () => {
  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 600_001])('refuses %p', (lagMs) => {
    expect(() => validateIndexLagMs(lagMs)).toThrow(TypeError);
  });

  it.each([0, 1.5, 600_000])('accepts %p', (lagMs) => {
    expect(() => validateIndexLagMs(lagMs)).not.toThrow();
  });
});
