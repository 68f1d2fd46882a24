/**
 * When a function pool starts another instance while every instance of the function is busy.
 *
 * Lambda gives each instance CPUs of its own; here every instance is a thread sharing this
 * machine's CPUs with the others, with the gateway and the embedded services on the main thread,
 * and with the clients. A busy instance spends part of each invocation waiting for the main thread
 * (its AWS calls go to the gateway and the embedded services), so one instance more than there are
 * CPUs keeps them busy; beyond that, another instance cannot add throughput: it adds a cold start,
 * and every invocation gets slower as the threads take turns on the CPUs, evict each other's
 * caches, and each V8 isolate compiles the same hot code again on a share of the traffic
 * (measured on 2 CPUs, docs/performance.md: 100 clients pinging, up to 3 Ping instances at once
 * ~2,020–2,075 pings/s against ~1,790–1,840/s with up to 2; a warm fan-out to 1,000 connections
 * ~345 ms against ~385 ms; 5–9 NotifyConnection instances ~1,900–2,000 µs of CPU per delivery
 * against ~1,000–1,300 µs with 2). So a pool starts another instance:
 *
 * - at once while the function has fewer instances than `parallelism` (by default the CPUs + 1;
 *   a second concurrent invocation gets its own instance, as on Lambda);
 * - beyond that, at most one per SCALE_OUT_INTERVAL_MS, so that each decision sees the effect of
 *   the instance started before it, and only when waiting would be long: an invocation has run
 *   for `longInvocationMs`, or the busy instances are blocked — their threads neither ran nor
 *   waited for a CPU for most of the last BLOCKED_CHECK_MS (they await a timer or a remote
 *   service) while the main thread, which runs the embedded services and the gateway they may be
 *   awaiting, is not saturated itself. Another instance then adds throughput, as on Lambda.
 *
 * Lambda's semantics are kept: one invocation per instance, the concurrency limit, reserved
 * concurrency. Only how soon an instance beyond the CPU count starts differs.
 */
import type { ThreadTimes } from './thread-times';

/** At most one instance beyond the CPU count is started per interval, ms. */
export const SCALE_OUT_INTERVAL_MS = 100;

/** Busy instances whose threads ran or waited for a CPU less than this share of the time are blocked (on I/O, a timer). */
export const BLOCKED_BUSY_SHARE = 0.25;

/** A main thread that ran or waited for a CPU more than this share of the time may be what the instances wait for. */
export const SATURATED_MAIN_THREAD_SHARE = 0.5;

/** The busy instances' threads are judged at most this often, over at least this long, ms. */
export const BLOCKED_CHECK_MS = 100;

/** Readings older than this (taken before an idle spell) say nothing about the current invocations, ms. */
export const MAX_READING_AGE_MS = 4 * BLOCKED_CHECK_MS;

export interface ScaleOutState {
  /** Instances that count against the concurrency limit (starting, idle or busy). */
  readonly live: number;
  /** Instances that start at once (FunctionRunnerOptions.parallelism: by default the CPUs + 1). */
  readonly parallelism: number;
  /** Since the last instance started while others were busy, ms. */
  readonly sinceLastScaleOutMs: number;
  /** How long the longest invocation in flight has been running, ms (0 when none). */
  readonly longestInvocationMs: number;
  readonly longInvocationMs: number;
  /** Whether the busy instances are blocked (read lazily: it reads the scheduler statistics). */
  readonly instancesBlocked: () => boolean;
}

/** See the module comment. */
export function mayStartInstance(state: ScaleOutState): boolean {
  if (state.live < Math.max(1, state.parallelism)) return true;
  if (state.sinceLastScaleOutMs < SCALE_OUT_INTERVAL_MS) return false;
  if (state.longestInvocationMs >= state.longInvocationMs) return true;
  return state.instancesBlocked();
}

/**
 * The share of the time between two readings of a thread it ran or waited for a CPU, when those
 * readings can tell: undefined without a previous reading, when the previous reading is older than
 * MAX_READING_AGE_MS, or when the thread's invocation started after it (an instance idle for part of
 * the window would look blocked).
 */
export function windowShare(previous: ThreadTimes | undefined, current: ThreadTimes, busySince: number): number | undefined {
  if (previous === undefined || current.at - previous.at > MAX_READING_AGE_MS || busySince > previous.at) return undefined;
  return busyShare(previous, current);
}

/** True when the instances judged were mostly blocked and the main thread had room. Undefined shares mean "cannot tell": not blocked. */
export function areBlocked(instanceShares: readonly number[], mainShare: number | undefined): boolean {
  if (instanceShares.length === 0 || mainShare === undefined) return false;
  const mean = instanceShares.reduce((sum, value) => sum + value, 0) / instanceShares.length;
  return mean < BLOCKED_BUSY_SHARE && mainShare < SATURATED_MAIN_THREAD_SHARE;
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
