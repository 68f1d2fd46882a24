/**
 * fast-check arbitraries of hostile client text frames (docs/security.md): random text, JSON that is not an
 * object, deep nesting, strings up to the 128 KB message limit (in UTF-8 bytes, multi-byte
 * characters included), wrong types, prototype-named actions and keys, duplicate keys, truncated
 * JSON. Each frame carries a `kind` so a run can show what it covered.
 */
import fc from 'fast-check';

export const KB = 1024;
/** API Gateway's limits: one frame ≤ 32 KB, one message ≤ 128 KB. */
export const MAX_FRAME_BYTES = 32 * KB;
export const MAX_MESSAGE_BYTES = 128 * KB;

export interface HostileFrame {
  readonly kind: string;
  readonly text: string;
}

const frame = (kind: string) => (text: string): HostileFrame => ({ kind, text });

/** Names that look up something on Object.prototype, or near-misses of the real routes. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', 'isPrototypeOf'];
const ROUTE_LOOKALIKES = ['ping', 'authorize', '$default', '$connect', '$disconnect', '', 'PING', 'ping ', ' ping', 'authorize\u0000', 'Authorize', 'pong', 'notify'];

/** `[[[…]]]` or `{"a":{"a":…}}`, `depth` levels, as JSON text (never built as a value: too deep for JSON.stringify). */
const deepJson = fc
  .record({
    depth: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: 3_000, max: 12_000 }) }),
    kind: fc.constantFrom('array', 'object'),
  })
  .map(({ depth, kind }) => (kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));

/** A JSON string literal whose UTF-8 size is about `bytes`, made of one repeated character of 1–4 bytes. */
const hugeStringLiteral = (minBytes: number, maxBytes: number) =>
  fc.record({ bytes: fc.integer({ min: minBytes, max: maxBytes }), unit: fc.constantFrom('x', 'é', '€', '😀', '"', '\\') }).map(({ bytes, unit }) => {
    const encoded = JSON.stringify(unit).slice(1, -1); // `"` and `\` take two bytes once escaped
    const count = Math.max(1, Math.floor(bytes / Buffer.byteLength(encoded)));
    return `"${encoded.repeat(count)}"`;
  });

/** Any JSON value as text, including the awkward ones. */
const jsonValueText = fc.oneof(
  { weight: 20, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 6, arbitrary: fc.constantFrom('null', 'true', '0', '-0', '1e400', '-1e400', '1.0', '""', '[]', '{}', '"\\ud800"', '"\\u0000"') },
  { weight: 2, arbitrary: deepJson },
  { weight: 1, arbitrary: hugeStringLiteral(4 * KB, 30 * KB) },
);

const stringText = (arbitrary: fc.Arbitrary<string>) => arbitrary.map((text) => JSON.stringify(text));

/** A `name` for ping: valid, at or just over the 100-character bound (astral characters count once), or wrong. */
const nameText = fc.oneof(
  { weight: 4, arbitrary: stringText(fc.string({ unit: 'binary', minLength: 1, maxLength: 100 })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ count: fc.constantFrom(0, 1, 99, 100, 101, 200), unit: fc.constantFrom('a', 'é', '😀', '\ud800', '\u0000') })
      .map(({ count, unit }) => JSON.stringify(unit.repeat(count))),
  },
  { weight: 3, arbitrary: jsonValueText },
);

/** A `token` for authorize: strings (forged JWTs among them, some over 4096 characters) or other types. */
const tokenText = (forgedTokens: readonly string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: stringText(fc.string({ unit: 'binary', maxLength: 300 })) },
    { weight: 3, arbitrary: stringText(fc.constantFrom(...forgedTokens)) },
    { weight: 1, arbitrary: stringText(fc.constantFrom('', 'x'.repeat(4097), 'eyJhbGciOiJub25lIn0.e30.', '.'.repeat(5000))) },
    { weight: 3, arbitrary: jsonValueText },
  );

const actionText = fc.oneof(
  { weight: 5, arbitrary: stringText(fc.constantFrom(...ROUTE_LOOKALIKES)) },
  { weight: 3, arbitrary: stringText(fc.constantFrom(...PROTOTYPE_NAMES)) },
  { weight: 2, arbitrary: stringText(fc.string({ unit: 'binary', maxLength: 40 })) },
  { weight: 2, arbitrary: fc.constantFrom('1', '0', '-1', '1.5', '1e21', 'true', 'false', 'null', '[]', '{}', '["ping"]', '{"ping":1}') },
  { weight: 1, arbitrary: jsonValueText },
);

const keyName = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, 'action', 'name', 'token', 'type', 'connectionId'), fc.string({ maxLength: 12 }));

/**
 * A JSON object as text from key/value entries, so keys like `__proto__` really appear in the
 * text and keys may repeat (JSON.parse keeps the last).
 */
const objectText = (forgedTokens: readonly string[]) =>
  fc
    .record(
      {
        action: actionText,
        name: nameText,
        token: tokenText(forgedTokens),
        extra: fc.array(fc.tuple(keyName, jsonValueText), { maxLength: 3 }),
        order: fc.integer({ min: 0, max: 5 }),
      },
      { requiredKeys: ['extra', 'order'] },
    )
    .map(({ action, name, token, extra, order }) => {
      const entries: [string, string][] = [];
      if (action !== undefined) entries.push(['action', action]);
      if (name !== undefined) entries.push(['name', name]);
      if (token !== undefined) entries.push(['token', token]);
      entries.push(...extra);
      // Rotate so the fixed keys are not always first.
      const rotated = [...entries.slice(order % Math.max(1, entries.length)), ...entries.slice(0, order % Math.max(1, entries.length))];
      return `{${rotated.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
    });

/** A message of up to 128 KB (sent in 32 KB frames when over 32 KB): non-JSON filler, a ping name, a token, a padding field. */
const hugeMessage = fc
  .record({
    bytes: fc.oneof(fc.constantFrom(MAX_FRAME_BYTES, MAX_FRAME_BYTES + 1, MAX_MESSAGE_BYTES), fc.integer({ min: 20 * KB, max: MAX_MESSAGE_BYTES })),
    shape: fc.constantFrom('text', 'ping-name', 'token', 'padding', 'default-padding'),
    unit: fc.constantFrom('x', 'é', '😀'),
  })
  .map(({ bytes, shape, unit }) => {
    const prefix = { text: '', 'ping-name': '{"action":"ping","name":"', token: '{"action":"authorize","token":"', padding: '{"action":"ping","pad":"', 'default-padding': '{"action":"upload","data":"' }[shape];
    const suffix = shape === 'text' ? '' : '"}';
    const room = bytes - Buffer.byteLength(prefix) - Buffer.byteLength(suffix);
    const filler = unit.repeat(Math.floor(room / Buffer.byteLength(unit)));
    // Pad with ASCII to hit the exact byte size (boundaries: exactly 32 KB, 32 KB + 1, exactly 128 KB).
    const text = `${prefix}${filler}${'x'.repeat(room - Buffer.byteLength(filler))}${suffix}`;
    return text;
  });

/** Every kind of hostile frame; `forgedTokens` are attack-set JWTs to use as `token` values. */
export function hostileFrames(forgedTokens: readonly string[]): fc.Arbitrary<HostileFrame> {
  const object = objectText(forgedTokens);
  return fc.oneof(
    { weight: 30, arbitrary: object.map(frame('object')) },
    { weight: 8, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map(frame('random-text')) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 100 }).map(frame('graphemes')) },
    { weight: 6, arbitrary: jsonValueText.filter((text) => !text.startsWith('{')).map(frame('json-not-object')) },
    { weight: 3, arbitrary: object.map((text) => `[${text}]`).map(frame('object-in-array')) },
    { weight: 3, arbitrary: deepJson.map((text) => `{"action":${text}}`).map(frame('deep-action')) },
    { weight: 2, arbitrary: deepJson.map((text) => `{"action":"ping","name":${text}}`).map(frame('deep-name')) },
    { weight: 2, arbitrary: deepJson.map((text) => `{"action":"authorize","token":${text}}`).map(frame('deep-token')) },
    { weight: 2, arbitrary: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 30_000 })).map((depth) => '['.repeat(depth)).map(frame('unbalanced-nesting')) },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(' ', '\n\t\r ', '\uFEFF', '\u00a0', '\u2028'), object).map(([prefix, text]) => `${prefix}${text}`).map(frame('prefixed-object')),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(object, fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))).map(frame('truncated-json')),
    },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(
          '{"__proto__":{"action":"ping"}}',
          '{"constructor":{"prototype":{"action":"ping"}}}',
          '{"action":"ping","__proto__":{"name":"x"}}',
          '{"action":"authorize","__proto__":{"token":"x"}}',
          '{"action":"ping","action":"authorize"}',
          '{"action":"authorize","action":"ping","name":"dup"}',
          '{"action":"ping","name":"a","name":{"x":1}}',
          '{"action":{"toString":"ping"}}',
          '{"action":["ping"]}',
          '{"action":"ping","name":null}',
          '{"action":"authorize","token":null}',
          '{"action":"authorize"}',
          '{"action":"ping","name":"\\ud83d"}',
          '{"action":"ping","name":"\\u0000"}',
          '',
          ' ',
          'null',
          '"ping"',
          '{}',
          '[]',
        )
        .map(frame('crafted')),
    },
    { weight: 1, arbitrary: hugeMessage.map(frame('huge')) },
  ).filter((hostile) => Buffer.byteLength(hostile.text) <= MAX_MESSAGE_BYTES);
}
