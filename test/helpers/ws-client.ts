/**
 * A real `ws` client for tests: it queues what it receives so a test can await the next frame or
 * the close, and turns a refused handshake into a HandshakeRejectedError carrying the HTTP status.
 */
import { WebSocket, type ClientOptions } from 'ws';

export class HandshakeRejectedError extends Error {
  override readonly name = 'HandshakeRejectedError';
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string | string[] | undefined>,
  ) {
    super(`handshake refused with ${status}`);
  }
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** A `ws` client that queues what it receives, so tests can await the next frame or the close. */
export class TestClient {
  private readonly received: string[] = [];
  private readonly waiting: { readonly resolve: (message: string) => void }[] = [];
  readonly closed: Promise<CloseInfo>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      const waiter = this.waiting.shift();
      if (waiter === undefined) this.received.push(text);
      else waiter.resolve(text);
    });
    this.closed = new Promise((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  }

  send(data: string | Buffer, options: { binary?: boolean; fin?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, options, (error) => (error ? reject(error) : resolve())));
  }

  /**
   * The next frame the client receives; rejects after `timeoutMs`. The default bounds a hang and
   * measures nothing: on a busy 2-core machine a reply can take seconds.
   */
  next(timeoutMs = 10_000): Promise<string> {
    const queued = this.received.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (message: string): void => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      // Unref: a wait nobody awaits any more (the losing side of a race) must not keep the process alive.
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(waiter);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs).unref();
      this.waiting.push(waiter);
    });
  }

  /** Frames received and not yet read. */
  get pending(): readonly string[] {
    return this.received;
  }

  /** Sends a message and returns the next frame (a route response). */
  async request(data: string, timeoutMs?: number): Promise<string> {
    await this.send(data);
    return this.next(timeoutMs);
  }

  close(code?: number, reason?: string): Promise<CloseInfo> {
    this.socket.close(code, reason);
    return this.closed;
  }
}

/** Resolves with the client once the socket is open; rejects with HandshakeRejectedError when the handshake is refused. */
export function openClient(socket: WebSocket): Promise<TestClient> {
  const client = new TestClient(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        socket.terminate();
        reject(new HandshakeRejectedError(res.statusCode ?? 0, Buffer.concat(chunks).toString(), res.headers));
      });
    });
    socket.once('error', reject);
  });
}

/** Opens a client on the URL (see openClient). */
export function connectClient(url: string, options?: ClientOptions): Promise<TestClient> {
  return openClient(new WebSocket(url, options));
}

/** The refusal of a handshake that is expected to be refused; fails the test when it is accepted. */
export async function refusedHandshake(url: string, options?: ClientOptions): Promise<HandshakeRejectedError> {
  try {
    const client = await connectClient(url, options);
    client.socket.terminate();
  } catch (error) {
    if (error instanceof HandshakeRejectedError) return error;
    throw error;
  }
  throw new Error(`the handshake on ${url.replace(/\?.*$/, '')} was accepted`);
}

/** Waits for `ms` (for things that must NOT happen within a window; never to measure speed). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
