/**
 * The service's metrics as the local console shows them (docs/console.md, "Metrics"), added up from
 * the functions' EMF lines: a total per counter and per value of its own dimensions (`service` and
 * `stage`, the same on every line, are left out), and p50 / p99 / max of each timing (unit
 * `Milliseconds`). The service's counters are there from the start at 0.
 */
import type { MetricCounter, MetricsUpdate, MetricTiming } from '../../console/console-api';
import { HANDSHAKE_REFUSAL_REASONS, METRIC_NAMES, REFUSAL_REASON_DIMENSION, SERVICE_DIMENSION, STAGE_DIMENSION } from '../../commons/metric-names';
import type { EmfMetric } from './emf-line';

/** The values a timing's percentiles are taken over: the most recent ones. */
export const TIMING_WINDOW = 1000;

const COMMON_DIMENSIONS = new Set([SERVICE_DIMENSION, STAGE_DIMENSION]);

type Counter = { -readonly [K in keyof MetricCounter]: MetricCounter[K] };

/** The value at `fraction` of the sorted values (nearest rank). */
function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

export class MetricCounters {
  /** By name and own dimensions, in the order first seen (the service's first). */
  readonly #counters = new Map<string, Counter>();
  /** By name: the last TIMING_WINDOW values, oldest first, and how many there were in all. */
  readonly #timings = new Map<string, { values: number[]; count: number }>();

  constructor() {
    for (const name of Object.values(METRIC_NAMES)) {
      if (name === METRIC_NAMES.deliveryLatency) this.#timings.set(name, { values: [], count: 0 });
      else if (name === METRIC_NAMES.handshakesRefused) for (const reason of HANDSHAKE_REFUSAL_REASONS) this.#counter(name, { [REFUSAL_REASON_DIMENSION]: reason });
      else this.#counter(name, {});
    }
  }

  /** Adds a line's metrics; true when any was added. */
  add(metrics: readonly EmfMetric[]): boolean {
    for (const metric of metrics) {
      if (metric.unit === 'Milliseconds') {
        const timing = this.#timings.get(metric.name) ?? { values: [], count: 0 };
        this.#timings.set(metric.name, timing);
        timing.values.push(...metric.values);
        timing.count += metric.values.length;
        if (timing.values.length > TIMING_WINDOW) timing.values.splice(0, timing.values.length - TIMING_WINDOW);
      } else {
        const own = Object.fromEntries(Object.entries(metric.dimensions).filter(([key]) => !COMMON_DIMENSIONS.has(key)));
        this.#counter(metric.name, own).total += metric.values.reduce((sum, value) => sum + value, 0);
      }
    }
    return metrics.length > 0;
  }

  snapshot(): MetricsUpdate {
    const counters: MetricCounter[] = [...this.#counters.values()].map((counter) => ({ ...counter }));
    const timings: MetricTiming[] = [...this.#timings].map(([name, { values, count }]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { name, count, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 };
    });
    return { counters, timings };
  }

  #counter(name: string, dimensions: Readonly<Record<string, string>>): Counter {
    const key = JSON.stringify([name, Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b))]);
    const counter = this.#counters.get(key) ?? { name, dimensions, total: 0 };
    this.#counters.set(key, counter);
    return counter;
  }
}
