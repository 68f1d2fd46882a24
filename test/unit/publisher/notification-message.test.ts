import fc from 'fast-check';
import { decode, NotifyConnectionBody, NotifyUserBody } from '../../../src/commons/codecs';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../../../src/commons/constants';
import { InvalidNotificationError } from '../../../src/publisher/errors';
import { connectionNotificationMessage, userNotificationMessage } from '../../../src/publisher/notification-message';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The largest frame a client can receive for a user notification: replayed, with a 16-digit seq. */
function largestUserFrame(id: string, data: unknown): string {
  return JSON.stringify({ type: 'notification', id, seq: 9_007_199_254_740_991, data, replayed: true });
}

function connectionFrame(id: string, data: unknown): string {
  return JSON.stringify({ type: 'notification', id, data });
}

function refusal(act: () => unknown): InvalidNotificationError {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidNotificationError) return error;
    throw error;
  }
  throw new Error('the notification was accepted');
}

/** 1–40 characters, any code point (lone surrogates included), often one JSON or SQS has to escape. */
const userIds = fc
  .array(fc.oneof(fc.constantFrom('\uffff', '\ufffe', '\u0000', '"', '\\', '€', '😀'), fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code))), {
    minLength: 1,
    maxLength: 40,
  })
  .map((characters) => characters.join(''));

describe('Function: userNotificationMessage', () => {
  it('builds the NotifyUser body with the given id', () => {
    const message = userNotificationMessage('1234', { download: '/reports/42' }, { id: 'report-42' });

    expect(message.id).toBe('report-42');
    expect(decode(NotifyUserBody, JSON.parse(message.body))).toEqual({
      ok: true,
      value: { userId: '1234', data: { download: '/reports/42' }, id: 'report-42' },
    });
  });

  it('makes a new UUID for every notification without an id, and puts it in the body', () => {
    const first = userNotificationMessage('1234', 1);
    const second = userNotificationMessage('1234', 1);

    expect(first.id).toMatch(UUID);
    expect(second.id).toMatch(UUID);
    expect(second.id).not.toBe(first.id);
    expect(JSON.parse(first.body)).toEqual({ userId: '1234', data: 1, id: first.id });
  });

  it('takes null and strings as data', () => {
    expect(JSON.parse(userNotificationMessage('u', null).body)).toEqual(expect.objectContaining({ data: null }));
    expect(JSON.parse(userNotificationMessage('u', 'hello').body)).toEqual(expect.objectContaining({ data: 'hello' }));
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'u'.repeat(129)],
    ['not a string', 1234 as unknown as string],
  ])('refuses a user id that is %s', (_label, userId) => {
    const error = refusal(() => userNotificationMessage(userId, 1));

    expect(error.code).toBe('invalid_user_id');
    expect(error.message).toBe('userId must be a string of 1 to 128 characters');
  });

  it('counts the user id in characters: 128 emoji are a valid user id', () => {
    expect(userNotificationMessage('😀'.repeat(128), 1).id).toMatch(UUID);
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'n'.repeat(129)],
  ])('refuses an id that is %s', (_label, id) => {
    expect(refusal(() => userNotificationMessage('u', 1, { id })).code).toBe('invalid_id');
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a BigInt', { count: 10n }],
    ['NaN', { ratio: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
  ])('refuses data that is (or holds) %s', (_label, data) => {
    const error = refusal(() => userNotificationMessage('u', data));

    expect(error.code).toBe('invalid_data');
    expect(error.message).toMatch(/^data is not JSON-serialisable: /);
  });

  it('refuses data with a cycle, with the JSON error as cause', () => {
    const data: Record<string, unknown> = {};
    data.self = data;

    const error = refusal(() => userNotificationMessage('u', data));

    expect(error.code).toBe('invalid_data');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("sends what JSON.stringify makes of data: toJSON honoured, undefined properties left out", () => {
    const message = userNotificationMessage('u', { at: new Date(Date.UTC(2025, 0, 2)), note: undefined });

    expect(JSON.parse(message.body)).toEqual({ userId: 'u', data: { at: '2025-01-02T00:00:00.000Z' }, id: message.id });
  });

  it('accepts data whose largest frame is exactly 131,072 bytes and refuses one byte more', () => {
    const id = 'n-1';
    const room = MAX_WEBSOCKET_MESSAGE_BYTES - Buffer.byteLength(largestUserFrame(id, ''));

    const fits = userNotificationMessage('u', 'x'.repeat(room), { id });
    const error = refusal(() => userNotificationMessage('u', 'x'.repeat(room + 1), { id }));

    expect(fits.frameBytes).toBe(MAX_WEBSOCKET_MESSAGE_BYTES);
    expect(Buffer.byteLength(largestUserFrame(id, 'x'.repeat(room)))).toBe(MAX_WEBSOCKET_MESSAGE_BYTES);
    expect(error.code).toBe('notification_too_large');
    expect(error.frameBytes).toBe(MAX_WEBSOCKET_MESSAGE_BYTES + 1);
    expect(error.message).toBe('the notification would be a 131073-byte frame, over the 131072-byte WebSocket message limit');
  });

  it('counts bytes, not characters, and counts the generated id', () => {
    // '€' is 3 bytes in UTF-8; a generated id is 36 characters.
    const room = MAX_WEBSOCKET_MESSAGE_BYTES - Buffer.byteLength(largestUserFrame('x'.repeat(36), ''));
    const euros = Math.floor(room / 3);

    expect(userNotificationMessage('u', '€'.repeat(euros)).frameBytes).toBe(MAX_WEBSOCKET_MESSAGE_BYTES - (room - euros * 3));
    expect(refusal(() => userNotificationMessage('u', '€'.repeat(euros + 1))).code).toBe('notification_too_large');
  });

  it('escapes U+FFFE and U+FFFF, which SQS refuses in a body, without changing the data', () => {
    const message = userNotificationMessage('u\uffff', { '\ufffe': 'a\uffffb' }, { id: 'n-1' });

    expect(message.body).not.toMatch(/[\ufffe\uffff]/);
    expect(JSON.parse(message.body)).toEqual({ userId: 'u\uffff', data: { '\ufffe': 'a\uffffb' }, id: 'n-1' });
  });

  it('property: the body decodes to the notification, and frameBytes is the size of its largest frame', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }), userIds, (data, userId) => {
        const message = userNotificationMessage(userId, data);
        const body = JSON.parse(message.body) as { data: unknown };

        expect(decode(NotifyUserBody, body)).toEqual({ ok: true, value: { userId, data: JSON.parse(JSON.stringify(data)) as unknown, id: message.id } });
        expect(message.frameBytes).toBe(Buffer.byteLength(largestUserFrame(message.id, body.data)));
      }),
    );
  });
});

describe('Function: connectionNotificationMessage', () => {
  it('builds the NotifyConnection body, with a new UUID when no id is given', () => {
    const message = connectionNotificationMessage('XfGLwdrQtjMCJvw=', 'hello');

    expect(message.id).toMatch(UUID);
    expect(decode(NotifyConnectionBody, JSON.parse(message.body))).toEqual({
      ok: true,
      value: { connectionId: 'XfGLwdrQtjMCJvw=', data: 'hello', id: message.id },
    });
  });

  it.each([['empty', ''], ['129 characters', 'c'.repeat(129)]])('refuses a connection id that is %s', (_label, connectionId) => {
    expect(refusal(() => connectionNotificationMessage(connectionId, 1)).code).toBe('invalid_connection_id');
  });

  it('measures the frame a connection receives, which has no seq: never stored, never replayed', () => {
    const id = 'n-1';
    const room = MAX_WEBSOCKET_MESSAGE_BYTES - Buffer.byteLength(connectionFrame(id, ''));

    expect(connectionNotificationMessage('c', 'x'.repeat(room), { id }).frameBytes).toBe(MAX_WEBSOCKET_MESSAGE_BYTES);
    expect(refusal(() => connectionNotificationMessage('c', 'x'.repeat(room + 1), { id })).frameBytes).toBe(MAX_WEBSOCKET_MESSAGE_BYTES + 1);
  });
});
