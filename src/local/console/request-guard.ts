/**
 * Who may talk to the console (docs/console.md, "Security of the token endpoint"): every request
 * comes from loopback and names the console's own host (a DNS-rebinding page reaches 127.0.0.1
 * under its own host name); a request that changes something is also the console page's own.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CONSOLE_REQUEST_HEADER } from '../../console/console-api';

/** What the guard reads of a request: its headers, its peer and the port it arrived on. */
export type GuardedRequest = Pick<IncomingMessage, 'headers'> & { readonly socket: Pick<Socket, 'remoteAddress' | 'localPort'> };

export interface GuardRefusal {
  readonly status: 403 | 415;
  readonly code: 'not_loopback' | 'bad_host' | 'cross_origin' | 'missing_console_header' | 'unsupported_media_type';
  readonly message: string;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

function header(request: GuardedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a console request: loopback peer and the console's own `Host`. A request that changes
 * something (`mutation`, a POST) also needs the console header, `Content-Type: application/json`,
 * an `Origin` (when present) equal to the console's own origin and a `Sec-Fetch-Site` (when
 * present) of `same-origin`.
 */
export function checkConsoleRequest(request: GuardedRequest, mutation = false): GuardRefusal | undefined {
  if (!isLoopbackAddress(request.socket.remoteAddress)) {
    return { status: 403, code: 'not_loopback', message: 'the console answers requests from this machine only' };
  }
  const host = header(request, 'host')?.toLowerCase();
  const port = request.socket.localPort;
  if (port === undefined || host === undefined || ![`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host)) {
    return { status: 403, code: 'bad_host', message: 'the console answers only to 127.0.0.1, localhost or [::1] with its port' };
  }
  if (!mutation) return undefined;
  const origin = header(request, 'origin');
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
    return { status: 403, code: 'cross_origin', message: 'requests from another origin are refused' };
  }
  const fetchSite = header(request, 'sec-fetch-site');
  if (fetchSite !== undefined && fetchSite !== 'same-origin') {
    return { status: 403, code: 'cross_origin', message: 'requests from another site are refused' };
  }
  if (header(request, CONSOLE_REQUEST_HEADER) !== '1') {
    return { status: 403, code: 'missing_console_header', message: `the console page sends ${CONSOLE_REQUEST_HEADER}: 1` };
  }
  const contentType = header(request, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    return { status: 415, code: 'unsupported_media_type', message: 'the body must be application/json' };
  }
  return undefined;
}
