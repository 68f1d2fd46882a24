/**
 * Redaction of secrets from anything that is about to be logged. Every log line of ws-notify
 * goes through `redact` (see logger.ts), so a token never reaches the logs: not as a value of a
 * `token` key, not inside a URL's query string, not inside a JSON body held as a string, not as a
 * bare JWT inside an error message or stack.
 */

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets wherever they appear (compared case-insensitively, ignoring `-` and `_`). */
const SENSITIVE_KEYS = new Set(['token', 'accesstoken', 'idtoken', 'refreshtoken', 'jwt', 'authorization', 'cookie', 'setcookie', 'secwebsocketprotocol', 'privatekey', 'password', 'secret']);

/**
 * A base64url segment that starts like a JSON object (`{"` → `eyJ`), with up to two more dotted
 * segments: a JWS/JWT, whole or in part.
 */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*){0,2}/g;
/** `token=…` in a query string or form body, up to the next separator. */
const QUERY_TOKEN_PATTERN = /([?&;#]|^|\s)((?:access_|id_|refresh_)?token=)[^&;#\s"'<>]*/gi;
/** `"token":"…"` inside JSON text (e.g. an `authorize` message body), also when that JSON is itself escaped. */
const JSON_TOKEN_PATTERN = /(\\*"(?:access_|id_|refresh_)?token\\*"\s*:\s*\\*")[^"\\]*(?:\\[^"][^"\\]*)*/gi;

const MAX_DEPTH = 32;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

/** Removes tokens from a string. */
export function redactString(text: string): string {
  if (text.length === 0) return text;
  return text
    .replace(JSON_TOKEN_PATTERN, `$1${REDACTED}`)
    .replace(QUERY_TOKEN_PATTERN, `$1$2${REDACTED}`)
    .replace(JWT_PATTERN, REDACTED);
}

/**
 * A deep copy of `value` with secrets replaced by `[REDACTED]`. Errors become plain objects
 * (name, message, stack, cause, own fields) so their text is redacted too; cycles become
 * `[Circular]`; Maps, Sets and class instances are copied as plain data.
 */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  return redactValue(value, { ancestors: new WeakSet(), formatError: options.formatError }, 0);
}

export interface RedactOptions {
  /** Turns an Error into loggable data before it is redacted (the logger passes its formatter's). */
  readonly formatError?: (error: Error) => unknown;
}

interface RedactState {
  readonly ancestors: WeakSet<object>;
  readonly formatError: ((error: Error) => unknown) | undefined;
}

function redactValue(value: unknown, state: RedactState, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  const { ancestors } = state;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  ancestors.add(value);
  try {
    if (value instanceof Error) {
      return state.formatError === undefined ? redactError(value, state, depth) : redactValue(state.formatError(value), state, depth + 1);
    }
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((item: unknown) => redactValue(item, state, depth + 1));
    if (value instanceof Map) {
      return redactEntries([...value.entries()].map(([key, item]) => [String(key), item] as const), state, depth);
    }
    if (value instanceof Set) return [...value].map((item: unknown) => redactValue(item, state, depth + 1));
    if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
    return redactEntries(Object.entries(value), state, depth);
  } finally {
    ancestors.delete(value);
  }
}

function redactEntries(entries: readonly (readonly [string, unknown])[], state: RedactState, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of entries) {
    const safeKey = redactString(key);
    result[safeKey] = isSensitiveKey(key) && item !== undefined && item !== null ? REDACTED : redactValue(item, state, depth + 1);
  }
  return { ...result };
}

function redactError(error: Error, state: RedactState, depth: number): Record<string, unknown> {
  const own: [string, unknown][] = Object.entries(error).filter(([key]) => !['name', 'message', 'stack', 'cause'].includes(key));
  const result: Record<string, unknown> = {
    name: error.name,
    message: redactString(error.message),
    ...(error.stack === undefined ? {} : { stack: redactString(error.stack) }),
    ...(error.cause === undefined ? {} : { cause: redactValue(error.cause, state, depth + 1) }),
  };
  Object.assign(result, redactEntries(own, state, depth));
  return result;
}
