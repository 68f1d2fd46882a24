/**
 * The console's metrics panel: every line a function writes is read as CloudWatch Logs reads it
 * (parseEmfLine), its metrics are added up (MetricCounters), and the totals go to the pages at most
 * once per SEND_INTERVAL_MS while they change. Lines are counted whether or not a page is open, so
 * a page opened later sees the totals since the stack started.
 */
import type { MetricsUpdate } from '../../console/console-api';
import { parseEmfLine } from '../metrics/emf-line';
import { MetricCounters } from '../metrics/metric-counters';
import type { EventStreamHub } from './event-stream';

/** Changes closer together than this are sent as one update. */
export const SEND_INTERVAL_MS = 250;

export class ConsoleMetrics {
  readonly #counters = new MetricCounters();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly hub: EventStreamHub) {}

  /** The totals now. */
  get current(): MetricsUpdate {
    return this.#counters.snapshot();
  }

  /** Reads one line a function wrote; a line without metrics changes nothing. */
  observe(line: string): void {
    if (this.#closed || !this.#counters.add(parseEmfLine(line))) return;
    if (this.hub.size === 0 || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.hub.send('metrics', this.#counters.snapshot());
    }, SEND_INTERVAL_MS);
  }

  /** Stops sending. Safe to call twice. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
