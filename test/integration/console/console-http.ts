/**
 * HTTP helpers for the console's integration tests: plain requests with chosen headers, and an
 * event-stream reader that keeps every raw byte (to search it for tokens) and every parsed event.
 */
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export function httpRequest(url: string, options: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The headers the console page sends with its POSTs (same origin as `consoleUrl`). */
export function pageHeaders(consoleUrl: string): Record<string, string> {
  const origin = new URL(consoleUrl).origin;
  return { 'Content-Type': 'application/json', 'x-ws-notify-console': '1', Origin: origin, 'Sec-Fetch-Site': 'same-origin' };
}

export function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<HttpResult> {
  return httpRequest(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

export interface StreamEvent {
  readonly event: string;
  readonly data: unknown;
}

/** An open `text/event-stream` response. */
export class EventStreamReader {
  /** Everything received, as sent. */
  raw = '';
  readonly events: StreamEvent[] = [];
  private buffer = '';
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly req: ReturnType<typeof request>,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.raw += chunk;
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\n\n')) !== -1) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) this.events.push({ event, data: JSON.parse(data) as unknown });
      }
      for (const wake of this.waiters) wake();
    });
  }

  static open(url: string): Promise<EventStreamReader> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { Accept: 'text/event-stream' } }, (res) => resolve(new EventStreamReader(req, res)));
      req.on('error', reject);
      req.end();
    });
  }

  /** The first event (from the start of the stream) named `event` whose data passes `test`. */
  waitFor<T>(event: string, test: (data: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    const find = () => this.events.find((candidate) => candidate.event === event && test(candidate.data as T))?.data as T | undefined;
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no "${event}" event matching within ${timeoutMs} ms (got ${this.events.map((e) => e.event).join(', ')})`));
      }, timeoutMs);
      const check = () => {
        const value = find();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
    });
  }

  /** Resolves when the server ends the stream. */
  ended(): Promise<void> {
    return new Promise((resolve) => {
      if (this.response.complete) resolve();
      else this.response.once('end', () => resolve());
    });
  }

  close(): void {
    this.req.destroy();
  }
}
