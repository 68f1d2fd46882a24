/**
 * WebSocket load from the benchmark's process: opening many clients, sequential round trips
 * (latency), and closed-loop round trips on many connections at once (throughput).
 */
import { WebSocket } from 'ws';

/** Opens one client; rejects on a refused handshake or an error. */
export function openClient(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('unexpected-response', (_req, res) => {
      socket.terminate();
      reject(new Error(`handshake refused with ${res.statusCode ?? 0}`));
    });
    socket.once('error', reject);
  });
}

/** Opens `urls.length` clients with at most `concurrency` handshakes in flight. */
export async function openClients(urls: readonly string[], concurrency: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array<WebSocket>(urls.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const index = next++;
      sockets[index] = await openClient(urls[index] ?? '');
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  } catch (error) {
    for (const socket of sockets) socket?.terminate();
    throw error;
  }
  return sockets;
}

/** Closes the clients (close frame, then waits for the close), terminating those that do not answer in time. */
export async function closeClients(sockets: readonly WebSocket[], timeoutMs = 5000): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            socket.terminate();
            resolve();
          }, timeoutMs);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.close(1000);
        }),
    ),
  );
}

/** Sends `message` and resolves with the reply's text. */
export function roundTrip(socket: WebSocket, message: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: Buffer): void => {
      clearTimeout(timer);
      resolve(data.toString());
    };
    socket.once('message', onMessage);
    socket.send(message);
  });
}

/**
 * Sequential round trips on one connection: `warmup` untimed, then `samples` timed (ms each).
 * `check` validates each reply (a wrong reply is an error, not a sample).
 */
export async function sequentialLatencies(
  socket: WebSocket,
  message: string,
  options: { warmup: number; samples: number; check: (reply: string) => boolean },
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < options.warmup + options.samples; i += 1) {
    const started = performance.now();
    const reply = await roundTrip(socket, message);
    const elapsed = performance.now() - started;
    if (!options.check(reply)) throw new Error(`unexpected reply ${reply.slice(0, 200)}`);
    if (i >= options.warmup) latencies.push(elapsed);
  }
  return latencies;
}

export interface ThroughputResult {
  /** Replies per second during the measured window. */
  readonly perSecond: number;
  readonly replies: number;
  readonly windowMs: number;
  /** Round trips completed in the window, ms. */
  readonly latencies: number[];
}

/**
 * Closed loop: every connection keeps one message in flight and sends the next as soon as the
 * reply arrives. Replies during `warmupMs` are not counted; then replies are counted for `durationMs`.
 */
export function closedLoopThroughput(
  sockets: readonly WebSocket[],
  message: string,
  options: { warmupMs: number; durationMs: number; check: (reply: string) => boolean },
): Promise<ThroughputResult> {
  return new Promise((resolve, reject) => {
    let phase: 'warmup' | 'measure' | 'drain' = 'warmup';
    let windowStart = 0;
    let windowEnd = 0;
    let replies = 0;
    let inFlight = 0;
    let failed = false;
    const latencies: number[] = [];
    const cleanups: (() => void)[] = [];
    const finish = (error?: Error): void => {
      for (const cleanup of cleanups) cleanup();
      if (error !== undefined) reject(error);
      else resolve({ perSecond: (replies * 1000) / (windowEnd - windowStart), replies, windowMs: windowEnd - windowStart, latencies });
    };
    for (const socket of sockets) {
      let sentAt = 0;
      const send = (): void => {
        sentAt = performance.now();
        inFlight += 1;
        socket.send(message);
      };
      const onMessage = (data: Buffer): void => {
        const now = performance.now();
        inFlight -= 1;
        if (failed) return;
        if (!options.check(data.toString())) {
          failed = true;
          finish(new Error(`unexpected reply ${data.toString().slice(0, 200)}`));
          return;
        }
        if (phase === 'measure') {
          replies += 1;
          latencies.push(now - sentAt);
        }
        if (phase !== 'drain') send();
        else if (inFlight === 0) finish();
      };
      socket.on('message', onMessage);
      cleanups.push(() => socket.off('message', onMessage));
      send();
    }
    setTimeout(() => {
      phase = 'measure';
      windowStart = performance.now();
      setTimeout(() => {
        phase = 'drain';
        windowEnd = performance.now();
        if (inFlight === 0) finish();
      }, options.durationMs);
    }, options.warmupMs);
  });
}
