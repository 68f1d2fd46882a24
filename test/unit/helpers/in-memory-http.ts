/**
 * An HTTP/1.1 server in memory, for an unmodified SDK client: an `http.Agent` whose connections
 * are in-process streams instead of sockets. The SDK's NodeHttpHandler runs for real over it (its
 * connection and request timeouts included), and the test decides per request whether it is
 * answered or left hanging — accepted and never answered, as a hung AWS endpoint does.
 */
import { Agent } from 'node:http';
import { Duplex } from 'node:stream';

export interface InMemoryRequest {
  readonly method: string;
  /** The request target, as sent (`/test/%40connections/abc%3D`). */
  readonly path: string;
  readonly body: string;
}

export interface InMemoryResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A response, or `'hang'`: the request is read and never answered. */
export type InMemoryHandler = (request: InMemoryRequest) => InMemoryResponse | 'hang';

export interface InMemoryExchange {
  readonly request: InMemoryRequest;
  readonly response: InMemoryResponse | 'hang';
}

const HEADER_END = '\r\n\r\n';

/** One client connection: parses one request (a connection carries one; the agent does not keep them alive) and answers it. */
class InMemoryConnection extends Duplex {
  #received = '';
  #handled = false;

  constructor(private readonly onRequest: (request: InMemoryRequest) => InMemoryResponse | 'hang') {
    super();
  }

  override _read(): void {
    // Responses are pushed when a request is complete.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#received += chunk.toString('utf8');
    callback();
    this.#tryHandle();
  }

  // What http.ClientRequest and http.Agent call on a net.Socket.
  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  #tryHandle(): void {
    if (this.#handled) return;
    const headerEnd = this.#received.indexOf(HEADER_END);
    if (headerEnd === -1) return;
    const head = this.#received.slice(0, headerEnd).split('\r\n');
    const [method = '', path = ''] = (head[0] ?? '').split(' ');
    const lengthLine = head.find((line) => line.toLowerCase().startsWith('content-length:'));
    const length = lengthLine === undefined ? 0 : Number(lengthLine.slice(lengthLine.indexOf(':') + 1).trim());
    const body = this.#received.slice(headerEnd + HEADER_END.length);
    if (Buffer.byteLength(body) < length) return;
    this.#handled = true;
    const response = this.onRequest({ method, path, body });
    if (response === 'hang') return;
    const text = response.body ?? '';
    const headers = { 'Content-Type': 'application/json', ...response.headers, 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' };
    const lines = [`HTTP/1.1 ${response.status} Status`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
    this.push(`${lines.join('\r\n')}${HEADER_END}${text}`);
    this.push(null);
  }
}

/** Give it to a client as `requestHandler: { ...SDK_REQUEST_HANDLER, httpAgent }`; `exchanges` lists every request it got. */
export class InMemoryHttpAgent extends Agent {
  readonly exchanges: InMemoryExchange[] = [];

  constructor(private readonly handler: InMemoryHandler) {
    super({ keepAlive: false });
  }

  override createConnection(): Duplex {
    return new InMemoryConnection((request) => {
      const response = this.handler(request);
      this.exchanges.push({ request, response });
      return response;
    });
  }
}
