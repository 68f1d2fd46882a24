/**
 * The console's HTTP side: who may ask (request-guard.ts), which path does what, reading a POST
 * body, and JSON answers. What each route does is the LocalConsole's (local-console.ts).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { CONSOLE_PATHS, type ConsoleErrorBody } from '../../console/console-api';
import { checkConsoleMutation, checkConsoleRequest } from './request-guard';

/** Largest POST body the console reads. */
export const MAX_BODY_BYTES = 4096;

export const BASE_HEADERS: OutgoingHttpHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** What the console answers, path by path. */
export interface ConsoleRoutes {
  page(res: ServerResponse, asDownload: boolean): Promise<void>;
  /** `/api/info`, `/api/events` and the actions answer 503 until a stack is attached. */
  info(res: ServerResponse): void;
  events(res: ServerResponse): Promise<void>;
  token(res: ServerResponse, body: string): Promise<void>;
  reportReady(res: ServerResponse, body: string): Promise<void>;
}

class RequestBodyTooLargeError extends Error {
  override readonly name = 'RequestBodyTooLargeError';
  readonly code = 'payload_too_large';
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, error: string, message: string, extra?: OutgoingHttpHeaders): void {
  const body: ConsoleErrorBody = { error, message };
  sendJson(res, status, body, extra);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new RequestBodyTooLargeError(`the body is over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendReport(res: ServerResponse, id: string): void {
  if (!/^\d{1,9}$/.test(id)) {
    sendError(res, 404, 'not_found', 'no such report');
    return;
  }
  const text = `Report ${id}\n\nA stand-in for the download your application's REST API would serve; the local console answers it so the demo link works.\n`;
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers one console request: the guard, then the route. */
export async function routeConsoleRequest(req: IncomingMessage, res: ServerResponse, routes: ConsoleRoutes): Promise<void> {
  const request = { remoteAddress: req.socket.remoteAddress, localPort: req.socket.localPort, headers: req.headers };
  const refused = checkConsoleRequest(request);
  if (refused !== undefined) {
    req.resume();
    sendError(res, refused.status, refused.code, refused.message);
    return;
  }
  const path = new URL(req.url ?? '/', 'http://console.invalid').pathname;
  const method = req.method ?? 'GET';

  if (method === 'POST' && (path === CONSOLE_PATHS.token || path === CONSOLE_PATHS.reportReady)) {
    const mutation = checkConsoleMutation(request);
    if (mutation !== undefined) {
      req.resume();
      sendError(res, mutation.status, mutation.code, mutation.message);
      return;
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError) {
        sendError(res, 413, error.code, error.message, { Connection: 'close' });
        return;
      }
      throw error;
    }
    await (path === CONSOLE_PATHS.token ? routes.token(res, body) : routes.reportReady(res, body));
    return;
  }
  req.resume();
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(res, 405, 'method_not_allowed', `${method} is not allowed here`, { Allow: 'GET' });
    return;
  }
  if (path === CONSOLE_PATHS.page || path === CONSOLE_PATHS.staticPage) {
    await routes.page(res, path === CONSOLE_PATHS.staticPage);
  } else if (path.startsWith(CONSOLE_PATHS.reportsPrefix)) {
    sendReport(res, path.slice(CONSOLE_PATHS.reportsPrefix.length));
  } else if (path === '/favicon.ico') {
    res.writeHead(204, BASE_HEADERS).end();
  } else if (path === CONSOLE_PATHS.events && method !== 'GET') {
    sendError(res, 405, 'method_not_allowed', `${method} is not allowed here`, { Allow: 'GET' });
  } else if (path === CONSOLE_PATHS.info) {
    routes.info(res);
  } else if (path === CONSOLE_PATHS.events) {
    await routes.events(res);
  } else {
    sendError(res, 404, 'not_found', `nothing at ${path}`);
  }
}
