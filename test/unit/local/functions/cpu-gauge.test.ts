import { busyShare, CpuGauge, MAIN_THREAD_ID, threadTimes } from '../../../../src/local/functions/cpu-gauge';

describe('Class: CpuGauge', () => {
  describe('Method: machineBusy', () => {
    it('reads the busy share of all CPUs since the previous reading, at most once per window', () => {
      // Prepare
      const samples = [
        { busy: 0, total: 0 },
        { busy: 90, total: 100 },
        { busy: 100, total: 200 },
      ];
      let next = 0;
      const gauge = new CpuGauge(0, () => samples[Math.min(next++, samples.length - 1)]!);

      // Act
      const first = gauge.machineBusy();
      const second = gauge.machineBusy();

      // Assess
      expect(first).toBeCloseTo(0.9);
      expect(second).toBeCloseTo(0.1);
      expect(new CpuGauge(0, () => ({ busy: 0, total: 0 })).saturated()).toBe(false);
    });

    it('keeps the previous reading inside a window and when no time was counted', () => {
      // Prepare
      let busy = 0;
      const gauge = new CpuGauge(60_000, () => ({ busy: (busy += 95), total: busy / 0.95 }));
      const quick = new CpuGauge(0, () => ({ busy: 5, total: 10 }));

      // Act + Assess
      expect(gauge.machineBusy()).toBe(0);
      expect(gauge.saturated()).toBe(false);
      expect(quick.machineBusy()).toBe(0);
    });
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
