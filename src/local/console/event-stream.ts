/** Server-Sent Events to the console pages: one `text/event-stream` response per page, named events with JSON data. */
import type { ServerResponse } from 'node:http';
import type { ConsoleStreamEvents } from '../../console/console-api';

/** A comment this often keeps an idle stream open. */
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before it reconnects a dropped stream. */
const RETRY_MS = 1_000;

/** One SSE message: `event:` line, one `data:` line (JSON has no raw newlines), blank line. */
function formatEvent<K extends keyof ConsoleStreamEvents>(event: K, data: ConsoleStreamEvents[K]): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class EventStreamHub {
  readonly #streams = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  get size(): number {
    return this.#streams.size;
  }

  /** Starts a stream on the response and sends `first` (the snapshot) on it; nothing once the hub is closed. */
  open<K extends keyof ConsoleStreamEvents>(res: ServerResponse, event: K, first: ConsoleStreamEvents[K]): void {
    if (this.#closed) return;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'keep-alive',
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: ${RETRY_MS}\n\n${formatEvent(event, first)}`);
    this.#streams.add(res);
    res.on('close', () => this.#streams.delete(res));
    this.#heartbeat ??= setInterval(() => this.#write(': keep-alive\n\n'), HEARTBEAT_MS).unref();
  }

  send<K extends keyof ConsoleStreamEvents>(event: K, data: ConsoleStreamEvents[K]): void {
    if (this.#streams.size > 0) this.#write(formatEvent(event, data));
  }

  /** Ends every stream; later `open` calls open nothing. Safe to call twice. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }

  #write(text: string): void {
    for (const res of this.#streams) {
      if (!res.writableEnded) res.write(text);
    }
  }
}
