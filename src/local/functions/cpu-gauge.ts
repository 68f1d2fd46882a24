import { cpus } from 'node:os';

/** How long a reading stays valid: the gauge is read on scale-out decisions, which come in bursts. */
export const GAUGE_WINDOW_MS = 100;

/** The machine counts as saturated when its CPUs were busy at least this fraction of the last window. */
export const SATURATED_BUSY_FRACTION = 0.8;

interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

function machineTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

/**
 * How busy this machine's CPUs are — with the local runtime's threads and with every other process
 * — from the `os.cpus()` times the system keeps per CPU. Readings are at most one window old.
 */
export class CpuGauge {
  private last: CpuTimes;
  private readAt = performance.now();
  private busy = 0;

  constructor(
    /** How long a reading stays valid, ms. */
    readonly windowMs: number = GAUGE_WINDOW_MS,
    private readonly sample: () => CpuTimes = machineTimes,
  ) {
    this.last = sample();
  }

  /** Busy fraction of all the machine's CPUs over the last window. */
  machineBusy(): number {
    const now = performance.now();
    if (now - this.readAt < this.windowMs) return this.busy;
    const current = this.sample();
    const total = current.total - this.last.total;
    // The system's counters tick every 10 ms: a window without a tick keeps the previous reading.
    if (total > 0) {
      this.busy = (current.busy - this.last.busy) / total;
      this.last = current;
      this.readAt = now;
    }
    return this.busy;
  }

  /** True when the machine's CPUs are (nearly) all busy: another thread would only take turns with the ones running. */
  saturated(): boolean {
    return this.machineBusy() >= SATURATED_BUSY_FRACTION;
  }
}
