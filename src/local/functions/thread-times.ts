import { readFileSync } from 'node:fs';

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
