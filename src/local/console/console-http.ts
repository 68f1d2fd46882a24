/**
 * The console's HTTP side: who may ask (request-guard.ts), which path does what, reading a POST
 * body, the page and JSON answers. The API routes are the LocalConsole's (local-console.ts).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { CONSOLE_PATHS, type ConsoleErrorBody } from '../../console/console-api';
import type { ConsolePage } from './console-page';
import { checkConsoleRequest } from './request-guard';

/** Largest POST body the console reads. */
const MAX_BODY_BYTES = 4096;

const BASE_HEADERS: OutgoingHttpHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Answers `/api/info`, `/api/events` and the two actions (`body` is an action's POST body, '' otherwise). */
export type ConsoleApi = (path: string, res: ServerResponse, body: string) => Promise<void>;

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, error: string, message: string, extra?: OutgoingHttpHeaders): void {
  sendJson(res, status, { error, message } satisfies ConsoleErrorBody, extra);
}

/** The body as text, or undefined once it is over MAX_BODY_BYTES (the rest is drained unread). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendPage(res: ServerResponse, page: ConsolePage, asDownload: boolean): void {
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': page.html.length,
    'Content-Security-Policy': page.contentSecurityPolicy,
    'X-Frame-Options': 'DENY',
    ...(asDownload ? { 'Content-Disposition': 'attachment; filename="ws-notify-console.html"' } : {}),
  });
  res.end(page.html);
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

/** Answers one console request: the guard (with the stricter one for the two actions), then the route. */
export async function routeConsoleRequest(req: IncomingMessage, res: ServerResponse, page: Promise<ConsolePage>, api: ConsoleApi): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://console.invalid').pathname;
  const method = req.method ?? 'GET';
  const action = method === 'POST' && (path === CONSOLE_PATHS.token || path === CONSOLE_PATHS.reportReady);
  const refused = checkConsoleRequest(req, action);
  if (refused !== undefined) {
    req.resume();
    sendError(res, refused.status, refused.code, refused.message);
    return;
  }
  if (action) {
    const body = await readBody(req);
    if (body === undefined) sendError(res, 413, 'payload_too_large', `the body is over ${MAX_BODY_BYTES} bytes`, { Connection: 'close' });
    else await api(path, res, body);
    return;
  }
  req.resume();
  if (method !== 'GET' && !(method === 'HEAD' && path !== CONSOLE_PATHS.events)) {
    sendError(res, 405, 'method_not_allowed', `${method} is not allowed here`, { Allow: 'GET' });
  } else if (path === CONSOLE_PATHS.page || path === CONSOLE_PATHS.staticPage) {
    sendPage(res, await page, path === CONSOLE_PATHS.staticPage);
  } else if (path.startsWith(CONSOLE_PATHS.reportsPrefix)) {
    sendReport(res, path.slice(CONSOLE_PATHS.reportsPrefix.length));
  } else if (path === '/favicon.ico') {
    res.writeHead(204, BASE_HEADERS).end();
  } else if (path === CONSOLE_PATHS.info || path === CONSOLE_PATHS.events) {
    await api(path, res, '');
  } else {
    sendError(res, 404, 'not_found', `nothing at ${path}`);
  }
}
