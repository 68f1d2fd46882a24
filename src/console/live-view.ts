/**
 * The live view: one EventSource on the local console's `/api/events`, pushed updates of the
 * connection table, the queue depths, the event feed and the metrics (no polling; the browser reconnects a
 * dropped stream by itself).
 */
import {
  CONSOLE_PATHS,
  type ConnectionRow,
  type ConnectionsUpdate,
  type ConsoleSnapshot,
  type FeedEvent,
  type MetricsUpdate,
  type QueuesUpdate,
} from './console-api';
import { byId, el } from './dom';
import { ago, clock, expiry } from './format';

/** The most feed items the page keeps. */
const FEED_LIMIT = 200;

function parse<T>(event: Event): T | undefined {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    return undefined;
  }
}

export class LiveView {
  readonly #status = byId('live-status');
  readonly #connectionsBody = byId<HTMLTableSectionElement>('connections-body');
  readonly #connectionsCount = byId('connections-count');
  readonly #connectionsError = byId('connections-error');
  readonly #queuesBody = byId<HTMLTableSectionElement>('queues-body');
  readonly #queuesError = byId('queues-error');
  readonly #feed = byId<HTMLOListElement>('feed');
  readonly #metricsBody = byId<HTMLTableSectionElement>('metrics-body');
  #rows: readonly ConnectionRow[] = [];
  #lastSeq = 0;

  start(): void {
    byId('live-off').hidden = true;
    byId('live-on').hidden = false;
    const source = new EventSource(CONSOLE_PATHS.events);
    this.#setStatus('connecting…', 'badge-wait');
    source.addEventListener('open', () => this.#setStatus('live', 'badge-on'));
    source.addEventListener('error', () => this.#setStatus(source.readyState === EventSource.CLOSED ? 'live view stopped' : 'reconnecting…', 'badge-wait'));
    source.addEventListener('snapshot', (event) => {
      const snapshot = parse<ConsoleSnapshot>(event);
      if (snapshot === undefined) return;
      this.#setConnections(snapshot);
      this.#setQueues(snapshot.queues);
      this.#setMetrics(snapshot.metrics);
      // After a reconnect the snapshot repeats events the page already has.
      for (const item of snapshot.events) if (item.seq > this.#lastSeq) this.#addFeed(item);
    });
    source.addEventListener('connections', (event) => {
      const update = parse<ConnectionsUpdate>(event);
      if (update !== undefined) this.#setConnections(update);
    });
    source.addEventListener('queues', (event) => {
      const update = parse<QueuesUpdate>(event);
      if (update !== undefined) this.#setQueues(update);
    });
    source.addEventListener('metrics', (event) => {
      const update = parse<MetricsUpdate>(event);
      if (update !== undefined) this.#setMetrics(update);
    });
    source.addEventListener('feed', (event) => {
      const item = parse<FeedEvent>(event);
      if (item !== undefined) this.#addFeed(item);
    });
    // "12 s ago" and "in 59 min" move on without new data.
    setInterval(() => this.#renderConnections(), 1000);
  }

  #setStatus(text: string, className: string): void {
    this.#status.textContent = text;
    this.#status.className = `badge ${className}`;
  }

  #setConnections(update: ConnectionsUpdate): void {
    this.#rows = update.connections;
    this.#connectionsError.textContent = update.error ?? '';
    this.#renderConnections();
  }

  #renderConnections(): void {
    const now = Date.now();
    this.#connectionsCount.textContent = `(${this.#rows.length})`;
    if (this.#rows.length === 0) {
      this.#connectionsBody.replaceChildren(el('tr', { className: 'empty' }, cell('no connections: connect a demo client', 7)));
      return;
    }
    this.#connectionsBody.replaceChildren(
      ...this.#rows.map((row) =>
        el(
          'tr',
          { testId: 'connection-row', dataset: { connectionId: row.connectionId, state: row.state, user: row.userId ?? '' } },
          el('td', { className: 'mono', text: row.connectionId, ...(row.sourceIp === undefined ? {} : { title: `from ${row.sourceIp}` }) }),
          el('td', { text: row.userId ?? '—' }),
          el('td', {}, el('span', { className: `state state-${row.state}`, text: row.state })),
          el('td', { text: row.authMode ?? '—' }),
          el('td', { text: row.expiresAt === undefined ? '—' : expiry(row.expiresAt, now) }),
          el('td', { text: ago(row.connectedAt, now), title: new Date(row.connectedAt).toISOString() }),
          el('td', { text: row.lastActiveAt === undefined ? '—' : ago(row.lastActiveAt, now) }),
        ),
      ),
    );
  }

  #setQueues(update: QueuesUpdate): void {
    this.#queuesError.textContent = update.error ?? '';
    this.#queuesBody.replaceChildren(
      ...update.queues.map((queue) => {
        const dlq = queue.deadLetterOf !== undefined;
        const total = queue.visible + queue.inFlight + queue.delayed;
        const className = dlq ? (total > 0 ? 'dlq dlq-full' : 'dlq') : '';
        return el(
          'tr',
          { className, testId: 'queue-row', dataset: { queue: queue.name } },
          el('td', { text: dlq ? `↳ ${queue.name} (DLQ)` : queue.name }),
          el('td', { className: 'num', text: String(queue.visible), testId: 'queue-visible' }),
          el('td', { className: 'num', text: String(queue.inFlight) }),
          el('td', { className: 'num', text: String(queue.delayed) }),
        );
      }),
    );
  }

  #setMetrics(update: MetricsUpdate): void {
    const row = (label: string, value: string, name: string) =>
      el('tr', { testId: 'metric-row', dataset: { metric: name } }, el('td', { text: label }), el('td', { className: 'num', text: value, testId: 'metric-value' }));
    this.#metricsBody.replaceChildren(
      ...update.counters.map((counter) => {
        const own = Object.entries(counter.dimensions).map(([key, value]) => `${key}: ${value}`);
        const label = own.length === 0 ? counter.name : `${counter.name} (${own.join(', ')})`;
        return row(label, String(counter.total), [counter.name, ...Object.values(counter.dimensions)].join(':'));
      }),
      ...update.timings.map((timing) =>
        row(`${timing.name} (${timing.count})`, timing.count === 0 ? '—' : `p50 ${Math.round(timing.p50)} · p99 ${Math.round(timing.p99)} · max ${Math.round(timing.max)} ms`, timing.name),
      ),
    );
  }

  #addFeed(item: FeedEvent): void {
    this.#lastSeq = Math.max(this.#lastSeq, item.seq);
    this.#feed.prepend(
      el(
        'li',
        { className: `level-${item.level}`, testId: 'feed-item', dataset: { kind: item.kind } },
        el('time', { text: clock(item.at) }),
        el('span', { className: 'kind', text: item.kind }),
        el('span', { className: 'text', text: item.text }),
      ),
    );
    while (this.#feed.children.length > FEED_LIMIT) this.#feed.lastElementChild?.remove();
  }
}

function cell(text: string, span: number): HTMLTableCellElement {
  const td = el('td', { text });
  td.colSpan = span;
  return td;
}
