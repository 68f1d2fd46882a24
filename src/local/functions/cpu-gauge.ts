import { readFileSync } from 'node:fs';
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

/** A thread's scheduler times (Linux `/proc/self/task/<tid>/schedstat`), nanoseconds. */
export interface ThreadTimes {
  /** Time on a CPU. */
  readonly runningNs: number;
  /** Time runnable but waiting for a CPU. */
  readonly waitingNs: number;
  /** performance.now() of the reading. */
  readonly at: number;
}

/** This process's main thread: on Linux its thread id is the process id. */
export const MAIN_THREAD_ID = process.pid;

/** The scheduler times of a thread of this process, or undefined where the system does not tell them. */
export function threadTimes(threadId: number): ThreadTimes | undefined {
  try {
    const [running, waiting] = readFileSync(`/proc/self/task/${threadId}/schedstat`, 'utf8').split(' ').map(Number);
    if (running === undefined || waiting === undefined || !Number.isFinite(running) || !Number.isFinite(waiting)) return undefined;
    return { runningNs: running, waitingNs: waiting, at: performance.now() };
  } catch {
    return undefined;
  }
}

/**
 * The share of the time between two readings a thread was running or waiting for a CPU: near 1
 * for a thread that computes (or would, given a CPU), near 0 for one blocked on I/O or a timer.
 */
export function busyShare(from: ThreadTimes, to: ThreadTimes): number {
  const elapsedNs = (to.at - from.at) * 1e6;
  if (elapsedNs <= 0) return 1;
  return Math.min(1, (to.runningNs - from.runningNs + to.waitingNs - from.waitingNs) / elapsedNs);
}
