/**
 * Redaction of secrets from anything that is about to be logged. Every log line of ws-notify
 * goes through `redact` (see logger.ts), so a token never reaches the logs.
 *
 * Secrets are found by what the text means once parsed, not by how it happens to be spelled:
 * - objects: the value of a sensitive key (`token`, `Authorization`, `*Token`, …), at any depth;
 * - JSON text held in a string (an `authorize` body, a queue message): every string literal is
 *   decoded — `\u0074oken` is the key `token`, `ey\u004a…` is a JWT — before its key or content is
 *   judged, also in JSON that is truncated or invalid, and in JSON nested in JSON;
 * - URLs and query strings: each parameter's name is percent-decoded before it is judged, and a
 *   value that decodes to a JWT is removed whatever its name;
 * - JWS/JWT compact serializations anywhere in text: a dotted run of base64url segments whose
 *   segment decodes to a JSON object (a JOSE header: `eyJ…`, but also `eyAi…`, `ewog…` when the
 *   header starts with whitespace) is removed from that segment on.
 * What is found is replaced by `[REDACTED]`; everything else is kept as it was written.
 */

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets wherever they appear (compared case-insensitively, ignoring `-`, `_` and spaces). */
const SENSITIVE_KEYS = new Set([
  'jwt',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'secwebsocketprotocol',
  'privatekey',
  'apikey',
  'xapikey',
  'secretaccesskey',
]);

/** …and keys ending like these (`token`, `idToken`, `access_token`, `sessionToken`, `clientSecret`, …). */
const SENSITIVE_KEY_ENDINGS = ['token', 'tokens', 'secret', 'password'];

const MAX_DEPTH = 32;

/** What is ignored when keys are compared. */
const KEY_SEPARATORS = /[-_\s]/g;

export function isSensitiveKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(KEY_SEPARATORS, '');
  return SENSITIVE_KEYS.has(normalized) || SENSITIVE_KEY_ENDINGS.some((ending) => normalized.endsWith(ending));
}

/** The words a sensitive key is made of: text without any of them (and without escapes) holds no sensitive key. */
const SENSITIVE_KEY_WORDS = [...SENSITIVE_KEYS, ...SENSITIVE_KEY_ENDINGS];

function mayHoldSensitiveKey(text: string): boolean {
  const folded = text.toLowerCase().replace(KEY_SEPARATORS, '');
  return SENSITIVE_KEY_WORDS.some((word) => folded.includes(word));
}

/** Removes secrets from a string. */
export function redactString(text: string): string {
  return redactText(text, 0);
}

function redactText(text: string, depth: number): string {
  if (text.length === 0) return text;
  // The JSON pass finds sensitive keys and what escapes hide; text with neither needs only the other passes.
  const jsonPass = depth < MAX_DEPTH && text.includes('"') && (text.includes('\\') || mayHoldSensitiveKey(text));
  const withoutJsonSecrets = jsonPass ? redactJsonStrings(text, depth) : text;
  return redactCompactSerializations(redactQueryParameters(withoutJsonSecrets));
}

// --- JSON text -----------------------------------------------------------------------------

/** A JSON string literal: its body, and its closing quote (missing when the text ends first). */
const STRING_LITERAL = /"((?:[^"\\]|\\[\s\S])*)("?)/y;
/** What separates a key from its value. */
const KEY_SEPARATOR = /\s*:\s*/y;
/** Control characters JSON does not allow raw inside a string (a hostile client sends them anyway). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL_CHARACTERS = /[\u0000-\u001f]/g;

/** The text of a literal's body with its escapes resolved, or undefined when they are not valid JSON escapes. */
function decodeStringBody(body: string): string | undefined {
  try {
    const escaped = body.replace(RAW_CONTROL_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return JSON.parse(`"${escaped}"`) as string;
  } catch {
    return undefined;
  }
}

/** Where the JSON value starting at `start` ends: a string, a balanced object or array, or a bare scalar. */
function endOfValue(text: string, start: number): number {
  const opening = text[start];
  if (opening === '"') {
    STRING_LITERAL.lastIndex = start;
    STRING_LITERAL.exec(text);
    return STRING_LITERAL.lastIndex;
  }
  if (opening !== '{' && opening !== '[') {
    const scalar = /[^\s,}\]]*/y;
    scalar.lastIndex = start;
    scalar.exec(text);
    return scalar.lastIndex;
  }
  let depth = 0;
  let index = start;
  while (index < text.length) {
    const character = text[index];
    if (character === '"') {
      STRING_LITERAL.lastIndex = index;
      STRING_LITERAL.exec(text);
      index = STRING_LITERAL.lastIndex;
      continue;
    }
    if (character === '{' || character === '[') depth += 1;
    if (character === '}' || character === ']') depth -= 1;
    index += 1;
    if (depth === 0) return index;
  }
  return text.length;
}

/**
 * Goes through the string literals of JSON(-like) text: the value of a sensitive key is replaced
 * whole (string, object, array or scalar; `null` is kept), and a literal whose decoded text holds a
 * secret is replaced by its redacted text, re-escaped. Everything else is kept as written.
 */
function redactJsonStrings(text: string, depth: number): string {
  const edits = new TextEdits(text);
  let index = text.indexOf('"');
  while (index !== -1) {
    STRING_LITERAL.lastIndex = index;
    const [literal = '', body = '', closing = ''] = STRING_LITERAL.exec(text) ?? [];
    const start = index;
    index += literal.length;
    // Without escapes a literal says what it shows, and the passes over the whole text see it as is.
    const escaped = body.includes('\\');
    const decoded = escaped ? decodeStringBody(body) : body;
    if (escaped) {
      const replacement = redactLiteral(literal, closing, decoded, depth);
      if (replacement !== literal) edits.replace(start, index, replacement);
    }
    KEY_SEPARATOR.lastIndex = index;
    const separator = KEY_SEPARATOR.exec(text)?.[0];
    if (separator !== undefined && decoded !== undefined && isSensitiveKey(decoded)) {
      // A sensitive key: its value goes, whatever its type.
      index += separator.length;
      const valueEnd = endOfValue(text, index);
      const value = text.slice(index, valueEnd);
      if (value !== '' && value !== 'null') edits.replace(index, valueEnd, `"${REDACTED}"`);
      index = valueEnd;
    }
    index = text.indexOf('"', index);
  }
  return edits.apply();
}

/** Replacements of ranges of a text, applied in order at the end; the text itself when there are none. */
class TextEdits {
  readonly #text: string;
  readonly #pieces: string[] = [];
  #copied = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** Replaces [start, end); ranges must come in order and not overlap. */
  replace(start: number, end: number, replacement: string): void {
    this.#pieces.push(this.#text.slice(this.#copied, start), replacement);
    this.#copied = end;
  }

  apply(): string {
    if (this.#pieces.length === 0) return this.#text;
    return this.#pieces.join('') + this.#text.slice(this.#copied);
  }
}

function redactLiteral(literal: string, closing: string, decoded: string | undefined, depth: number): string {
  if (decoded === undefined) return literal;
  const redacted = redactText(decoded, depth + 1);
  if (redacted === decoded) return literal;
  const encoded = JSON.stringify(redacted);
  return closing === '' ? encoded.slice(0, -1) : encoded;
}

// --- URLs and query strings ------------------------------------------------------------------

/** `name=value` after `?`, `&`, `;`, `#`, whitespace or at the start: a query or form parameter. */
const QUERY_PARAMETER = /(^|[?&;#\s])([^=&;#\s?"'<>]+)=([^&;#\s"'<>]*)/g;

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function redactQueryParameters(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(QUERY_PARAMETER, (parameter, separator: string, name: string, value: string) => {
    if (value === '') return parameter;
    if (isSensitiveKey(percentDecoded(name))) return `${separator}${name}=${REDACTED}`;
    const decodedValue = percentDecoded(value);
    return decodedValue !== value && redactCompactSerializations(decodedValue) !== decodedValue ? `${separator}${name}=${REDACTED}` : parameter;
  });
}

// --- JWS / JWT compact serializations ----------------------------------------------------------

/**
 * A segment that may be a JOSE header, followed by a dot: base64url whose first byte is `{`
 * (`e` then one of `w`–`z`, a digit, `-`, `_`) or JSON whitespace (` ` `I`, tab or newline `C`,
 * carriage return `D`), starting a base64url run.
 */
const HEADER_CANDIDATE = /(?<![A-Za-z0-9_-])(?:e[w-z0-9_-]|[ICD][A-Za-z0-9_-])[A-Za-z0-9_-]{2,}(?=\.)/g;
/** The rest of a dotted run of base64url segments. */
const DOTTED_TAIL = /(?:\.[A-Za-z0-9_-]*)+/y;

/** True when the segment is base64url for a JSON object: a JOSE header. */
function isJoseHeader(segment: string): boolean {
  const decoded = Buffer.from(segment, 'base64url').toString('utf8');
  if (!/^\s*\{/.test(decoded)) return false;
  try {
    const header: unknown = JSON.parse(decoded);
    return typeof header === 'object' && header !== null && !Array.isArray(header);
  } catch {
    return false;
  }
}

/** Replaces every compact serialization (JWS, JWT, JWE), from its header segment to the end of its dotted run. */
function redactCompactSerializations(text: string): string {
  if (!text.includes('.')) return text;
  const edits = new TextEdits(text);
  HEADER_CANDIDATE.lastIndex = 0;
  for (let match = HEADER_CANDIDATE.exec(text); match !== null; match = HEADER_CANDIDATE.exec(text)) {
    if (!isJoseHeader(match[0])) continue;
    DOTTED_TAIL.lastIndex = HEADER_CANDIDATE.lastIndex;
    DOTTED_TAIL.exec(text);
    edits.replace(match.index, DOTTED_TAIL.lastIndex, REDACTED);
    HEADER_CANDIDATE.lastIndex = DOTTED_TAIL.lastIndex;
  }
  return edits.apply();
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
