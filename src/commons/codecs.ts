/**
 * io-ts codecs for everything that crosses a trust boundary: client messages, queue bodies, the
 * authorizer context, token claims and stored records. Decoding never throws; failures carry a
 * short message naming the field, never the offending value (it may be a token).
 */
// `fp-ts/Either`, not `fp-ts/lib/Either`: esbuild then takes fp-ts's ES module build, the one io-ts
// itself imports, instead of adding a second, CommonJS copy of fp-ts (~26 KB, ~3 ms at a cold start).
import { isLeft } from 'fp-ts/Either';
import * as t from 'io-ts';
import {
  MAX_CONNECTION_ID_LENGTH,
  MAX_NOTIFICATION_ID_LENGTH,
  MAX_PING_NAME_LENGTH,
  MAX_USER_ID_LENGTH,
} from './constants';

/** Length in characters (Unicode code points), not UTF-16 units. */
function characterLength(value: string): number {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
}

/** A string of `min`–`max` characters. */
export function boundedString(name: string, min: number, max: number): t.Type<string, string, unknown> {
  const is = (input: unknown): input is string => {
    if (typeof input !== 'string' || input.length > max * 2) return false;
    const length = characterLength(input);
    return length >= min && length <= max;
  };
  return new t.Type<string, string, unknown>(
    name,
    is,
    (input, context) =>
      is(input) ? t.success(input) : t.failure(input, context, `must be a string of ${min} to ${max} characters`),
    t.identity,
  );
}

/** Any value that is present (JSON `null` included); only a missing key fails. */
export const JsonValue = new t.Type<unknown, unknown, unknown>(
  'JsonValue',
  (input): input is unknown => input !== undefined,
  (input, context) => (input !== undefined ? t.success(input) : t.failure(input, context, 'is required')),
  t.identity,
);

/** A plain JSON object (not an array, not null). */
export const JsonObject = new t.Type<Record<string, unknown>, Record<string, unknown>, unknown>(
  'JsonObject',
  (input): input is Record<string, unknown> => typeof input === 'object' && input !== null && !Array.isArray(input),
  (input, context) =>
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? t.success(input as Record<string, unknown>)
      : t.failure(input, context, 'must be a JSON object'),
  t.identity,
);

/** Unix seconds as a number, or as a numeric string (API Gateway may stringify authorizer context values). */
export const UnixSecondsFromUnknown = new t.Type<number, number, unknown>(
  'UnixSeconds',
  (input): input is number => typeof input === 'number' && Number.isFinite(input) && input > 0,
  (input, context) => {
    const value = typeof input === 'string' && /^\d+(\.\d+)?$/.test(input.trim()) ? Number(input) : input;
    return typeof value === 'number' && Number.isFinite(value) && value > 0
      ? t.success(value)
      : t.failure(input, context, 'must be a positive number of seconds');
  },
  t.identity,
);

/** A whole number from `min` to the largest safe integer (JSON numbers only, never numeric strings). */
export function safeIntegerFrom(name: string, min: number): t.Type<number, number, unknown> {
  const is = (input: unknown): input is number => typeof input === 'number' && Number.isSafeInteger(input) && input >= min;
  return new t.Type<number, number, unknown>(
    name,
    is,
    (input, context) => (is(input) ? t.success(input) : t.failure(input, context, `must be an integer of ${min} or more`)),
    t.identity,
  );
}

/** A notification's place in its user's inbox: an integer ≥ 1. */
export const Seq = safeIntegerFrom('Seq', 1);
/** The highest `seq` a client holds, or 0: an integer ≥ 0. */
export const ResumeCursor = safeIntegerFrom('ResumeCursor', 0);

export const UserId = boundedString('UserId', 1, MAX_USER_ID_LENGTH);
export const ConnectionId = boundedString('ConnectionId', 1, MAX_CONNECTION_ID_LENGTH);
export const NotificationId = boundedString('NotificationId', 1, MAX_NOTIFICATION_ID_LENGTH);
export const PingName = boundedString('PingName', 1, MAX_PING_NAME_LENGTH);

// --- client messages (docs/protocol.md) ------------------------------------------------------

/** `{"action":"authorize","token":"…"}`: `token` must be a string (its content is the verifier's job). */
export const AuthorizeMessage = t.type({ token: t.string }, 'AuthorizeMessage');
export type AuthorizeMessage = t.TypeOf<typeof AuthorizeMessage>;

/** `{"action":"ping","name"?:…}`: other fields are ignored. */
export const PingMessage = t.partial({ name: PingName }, 'PingMessage');
export type PingMessage = t.TypeOf<typeof PingMessage>;

/** `{"action":"resume","after":N}`: N the highest `seq` the client holds, or 0. */
export const ResumeMessage = t.type({ after: ResumeCursor }, 'ResumeMessage');
export type ResumeMessage = t.TypeOf<typeof ResumeMessage>;

// --- queue bodies (docs/protocol.md) ---------------------------------------------------------

export const NotifyUserBody = t.intersection(
  [t.type({ userId: UserId, data: JsonValue }), t.partial({ id: NotificationId })],
  'NotifyUserBody',
);
export type NotifyUserBody = t.TypeOf<typeof NotifyUserBody>;

/** `seq` is set by the NotifyUser fan-out; applications leave it out. */
export const NotifyConnectionBody = t.intersection(
  [t.type({ connectionId: ConnectionId, data: JsonValue }), t.partial({ id: NotificationId, seq: Seq })],
  'NotifyConnectionBody',
);
export type NotifyConnectionBody = t.TypeOf<typeof NotifyConnectionBody>;

export const AuthorizeDeadlineBody = t.type({ connectionId: ConnectionId }, 'AuthorizeDeadlineBody');
export type AuthorizeDeadlineBody = t.TypeOf<typeof AuthorizeDeadlineBody>;

// --- authorizer output, token claims ---------------------------------------------------------

/** `requestContext.authorizer` on `$connect` in mode `authorizer` (values may arrive as strings). */
export const AuthorizerContext = t.type({ userId: UserId, expiresAt: UnixSecondsFromUnknown }, 'AuthorizerContext');
export type AuthorizerContext = t.TypeOf<typeof AuthorizerContext>;

/** A JWT NumericDate: seconds since the epoch, a finite number. */
const NumericDate = new t.Type<number, number, unknown>(
  'NumericDate',
  (input): input is number => typeof input === 'number' && Number.isFinite(input),
  (input, context) =>
    typeof input === 'number' && Number.isFinite(input) ? t.success(input) : t.failure(input, context, 'must be a number'),
  t.identity,
);

/** The claims ws-notify relies on, after jose has checked signature, iss, aud, exp, iat and nbf. */
export const TokenClaims = t.type({ sub: UserId, exp: NumericDate, iat: NumericDate }, 'TokenClaims');
export type TokenClaims = t.TypeOf<typeof TokenClaims>;

// --- decoding --------------------------------------------------------------------------------

export type Decoded<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly message: string };

/** Decodes with a codec; the failure message names the first invalid field, never its value. */
export function decode<A, O>(codec: t.Type<A, O, unknown>, input: unknown): Decoded<A> {
  const result = codec.decode(input);
  if (!isLeft(result)) return { ok: true, value: result.right };
  const [first] = result.left;
  if (first === undefined) return { ok: false, message: `invalid ${codec.name}` };
  const path = first.context
    .map((entry) => entry.key)
    .filter((key) => key !== '' && !/^\d+$/.test(key))
    .join('.');
  const detail = first.message ?? (first.value === undefined ? 'is required' : 'has the wrong type');
  return { ok: false, message: path === '' ? `message ${detail}` : `${path} ${detail}` };
}

/** Parses JSON text without throwing. */
export function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
