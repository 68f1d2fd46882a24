/**
 * The test's own oracle of the client protocol (docs/protocol.md): from the text of a client frame alone, the route API Gateway
 * selects and the one reply ws-notify owes, on a connection that may act and on one that may not.
 * Written from the protocol reference, not from the code: it shares nothing with src/.
 */

export type Route = 'ping' | 'authorize' | '$default';

/** What a reply must be, in a comparable form (see canonicalReply). */
export type ExpectedReply = string;

/** The text the server receives: the client encodes the string as UTF-8 (a lone surrogate becomes U+FFFD). */
export function wireText(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `$request.body.action`: a JSON object's own `action`; a string is the route key, a non-string
 * is stringified (no number, boolean, object or array stringifies to `ping` or `authorize`).
 * Anything else → `$default`.
 */
export function routeOf(text: string): Route {
  const parsed = parse(wireText(text));
  if (!parsed.ok || !plainObject(parsed.value) || !Object.hasOwn(parsed.value, 'action')) return '$default';
  const action = parsed.value.action;
  return action === 'ping' ? 'ping' : action === 'authorize' ? 'authorize' : '$default';
}

const codePoints = (text: string): number => [...text].length;

export const errorReply = (code: string): ExpectedReply => `error:${code}`;
export const pongReply = (connectionId: string, name?: string): ExpectedReply =>
  JSON.stringify(name === undefined ? { type: 'pong', connectionId } : { type: 'pong', name, connectionId });

/**
 * The reply to a frame routed to `ping` or `$default`. `mayAct`: the connection is authorized and
 * unexpired; otherwise every such frame, whatever it holds, gets `unauthorized`.
 */
export function expectedReply(text: string, connectionId: string, mayAct: boolean): ExpectedReply {
  const route = routeOf(text);
  if (route === 'authorize') throw new Error('authorize replies depend on the attempt count: use expectedAuthorizeCode');
  if (!mayAct) return errorReply('unauthorized');
  const parsed = parse(wireText(text));
  if (!parsed.ok || !plainObject(parsed.value)) return errorReply('bad_request');
  if (route === '$default') return errorReply('not_implemented');
  if (!Object.hasOwn(parsed.value, 'name')) return pongReply(connectionId);
  const name = parsed.value.name;
  if (typeof name !== 'string' || codePoints(name) < 1 || codePoints(name) > 100) return errorReply('bad_request');
  return pongReply(connectionId, name);
}

/** An `authorize` frame that is never valid: `token` missing or not a string → bad_request, else invalid_token. */
export function expectedAuthorizeCode(text: string): 'bad_request' | 'invalid_token' {
  const parsed = parse(wireText(text));
  if (!parsed.ok || !plainObject(parsed.value)) throw new Error('not an authorize frame');
  return typeof parsed.value.token === 'string' && Object.hasOwn(parsed.value, 'token') ? 'invalid_token' : 'bad_request';
}

/**
 * A received frame in the comparable form, after checking its shape: an error frame has exactly
 * `type`, `code`, `message` (a one-line human text); a pong has `type`, `connectionId` and maybe
 * `name`. Anything else (an API Gateway `Internal server error` frame, …) stays recognisable.
 */
export function canonicalReply(raw: string): ExpectedReply {
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return `not-json:${raw.slice(0, 200)}`;
  }
  if (!plainObject(frame)) return `unexpected:${raw.slice(0, 200)}`;
  const keys = Object.keys(frame).sort().join(',');
  if (frame.type === 'error' && keys === 'code,message,type' && typeof frame.code === 'string') {
    const message = frame.message;
    if (typeof message !== 'string' || message === '' || /[\n\r]|\bat \S+:\d+/.test(message)) return `bad-message:${raw.slice(0, 200)}`;
    return errorReply(frame.code);
  }
  if (frame.type === 'pong' && (keys === 'connectionId,type' || keys === 'connectionId,name,type') && typeof frame.connectionId === 'string') {
    return pongReply(frame.connectionId, frame.name as string | undefined);
  }
  return `unexpected:${raw.slice(0, 200)}`;
}
