/**
 * What API Gateway does with a Lambda proxy integration's return value on a WebSocket API
 * (README.md, Route responses and Handshake). A proxy response has only the keys below; any other,
 * or a `body` that is not a string, makes it malformed (middyjs/middy#1219).
 */

const PROXY_RESPONSE_KEYS = new Set(['statusCode', 'body', 'headers', 'multiValueHeaders', 'isBase64Encoded']);

export type RouteResponse =
  | { readonly kind: 'none' }
  | { readonly kind: 'text'; readonly body: string }
  | { readonly kind: 'binary'; readonly body: Buffer }
  | { readonly kind: 'malformed'; readonly reason: string };

export type ConnectResponse =
  | { readonly kind: 'accept'; readonly protocol: string | undefined }
  | { readonly kind: 'reject'; readonly status: number }
  | { readonly kind: 'malformed'; readonly reason: string };

const NONE: RouteResponse = { kind: 'none' };

type ProxyResponse = { readonly statusCode: number | undefined; readonly body: unknown; readonly headers: unknown; readonly isBase64Encoded: unknown };

function readProxyResponse(payload: object): ProxyResponse | string {
  if (Array.isArray(payload)) return 'the function returned an array';
  const record = payload as Record<string, unknown>;
  for (const key in record) {
    if (!PROXY_RESPONSE_KEYS.has(key)) return `unexpected key "${key}" in the proxy response`;
  }
  let statusCode: number | undefined;
  const rawStatus = record.statusCode;
  if (rawStatus !== undefined && rawStatus !== null) {
    statusCode = typeof rawStatus === 'string' && /^\d{3}$/.test(rawStatus) ? Number(rawStatus) : (rawStatus as number);
    if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      return 'statusCode is not an HTTP status code';
    }
  }
  return { statusCode, body: record.body, headers: record.headers, isBase64Encoded: record.isBase64Encoded };
}

/** Interprets a route function's result; the caller sends `text`/`binary` only on routes with a route response. */
export function interpretRouteResult(payload: unknown): RouteResponse {
  if (payload === undefined || payload === null) return NONE;
  if (typeof payload === 'string') return payload === '' ? NONE : { kind: 'text', body: payload };
  if (typeof payload !== 'object') return { kind: 'malformed', reason: `the function returned a ${typeof payload}` };
  const response = readProxyResponse(payload);
  if (typeof response === 'string') return { kind: 'malformed', reason: response };
  const { body } = response;
  if (body === undefined || body === null) return NONE;
  if (typeof body !== 'string') return { kind: 'malformed', reason: 'body is not a string' };
  if (body === '') return NONE;
  if (response.isBase64Encoded === true) return { kind: 'binary', body: Buffer.from(body, 'base64') };
  return { kind: 'text', body };
}

/** Interprets the `$connect` function's result. */
export function interpretConnectResult(payload: unknown): ConnectResponse {
  if (payload === undefined || payload === null || typeof payload === 'string') return { kind: 'accept', protocol: undefined };
  if (typeof payload !== 'object') return { kind: 'malformed', reason: `the function returned a ${typeof payload}` };
  const response = readProxyResponse(payload);
  if (typeof response === 'string') return { kind: 'malformed', reason: response };
  const status = response.statusCode ?? 200;
  if (status >= 200 && status < 300) {
    const headers = typeof response.headers === 'object' && response.headers !== null ? Object.entries(response.headers) : [];
    const protocol = headers.find(([key, value]) => key.toLowerCase() === 'sec-websocket-protocol' && typeof value === 'string');
    return { kind: 'accept', protocol: protocol?.[1] as string | undefined };
  }
  if (status < 300) return { kind: 'malformed', reason: `statusCode ${status} cannot answer a handshake` };
  return { kind: 'reject', status };
}
