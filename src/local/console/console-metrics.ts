/**
 * The console's metrics panel (docs/console.md, "Metrics"): the metrics of every line a function
 * writes are added up, page or no page, and sent at most once per SEND_INTERVAL_MS while they change.
 */
import type { MetricsUpdate } from '../../console/console-api';
import { parseEmfLine } from '../metrics/emf-line';
import { MetricCounters } from '../metrics/metric-counters';
import type { EventStreamHub } from './event-stream';

/** Changes closer together than this are sent as one update. */
const SEND_INTERVAL_MS = 250;

export class ConsoleMetrics {
  readonly #counters = new MetricCounters();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly hub: EventStreamHub) {}

  get current(): MetricsUpdate {
    return this.#counters.snapshot();
  }

  /** Reads one line a function wrote; a line without metrics changes nothing. */
  observe(line: string): void {
    if (!this.#counters.add(parseEmfLine(line)) || this.hub.size === 0 || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.hub.send('metrics', this.#counters.snapshot());
    }, SEND_INTERVAL_MS);
  }

  /** Stops a pending send (the hub is closed first, so nothing is sent again). */
  close(): void {
    clearTimeout(this.#timer);
  }
}
