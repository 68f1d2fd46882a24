import fc from 'fast-check';
import {
  authorizedFrame,
  ERROR_CODES,
  ERROR_MESSAGES,
  errorFrame,
  frameByteLength,
  isErrorCode,
  notificationFrame,
  pongFrame,
  resumedFrame,
  serializeFrame,
  serializeNotificationFrame,
} from '../../../src/commons/frames';

describe('Function: serializeFrame', () => {
  it('writes a pong with and without name, in the documented key order', () => {
    expect(serializeFrame(pongFrame('c1', 'Stepan'))).toBe('{"type":"pong","name":"Stepan","connectionId":"c1"}');
    expect(serializeFrame(pongFrame('c1'))).toBe('{"type":"pong","connectionId":"c1"}');
  });

  it('writes authorized and notification frames', () => {
    expect(serializeFrame(authorizedFrame('1234', 1765624667, 'c1'))).toBe(
      '{"type":"authorized","userId":"1234","expiresAt":1765624667,"connectionId":"c1"}',
    );
    expect(serializeFrame(notificationFrame('n1', { download: '/reports/42' }))).toBe(
      '{"type":"notification","id":"n1","data":{"download":"/reports/42"}}',
    );
  });

  it('writes a notification with seq, and a replayed one, in the documented key order', () => {
    expect(serializeFrame(notificationFrame('n1', 'hi', { seq: 7 }))).toBe('{"type":"notification","id":"n1","seq":7,"data":"hi"}');
    expect(serializeFrame(notificationFrame('n1', 'hi', { seq: 7, replayed: true }))).toBe(
      '{"type":"notification","id":"n1","seq":7,"data":"hi","replayed":true}',
    );
    expect(serializeFrame(notificationFrame('n1', 'hi', { replayed: false }))).toBe('{"type":"notification","id":"n1","data":"hi"}');
  });

  it('writes the resumed frame in the documented key order', () => {
    expect(serializeFrame(resumedFrame({ after: 4, latest: 9, count: 5, more: false, truncated: true }))).toBe(
      '{"type":"resumed","after":4,"latest":9,"count":5,"more":false,"truncated":true}',
    );
  });

  it('writes every error code with its default message', () => {
    for (const code of ERROR_CODES) {
      expect(JSON.parse(serializeFrame(errorFrame(code)))).toEqual({ type: 'error', code, message: ERROR_MESSAGES[code] });
    }
    expect(errorFrame('bad_request', 'custom')).toEqual({ type: 'error', code: 'bad_request', message: 'custom' });
  });
});

describe('Function: serializeNotificationFrame', () => {
  it('writes the same text as serializeFrame(notificationFrame(…)) from data that is already JSON text', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 128 }),
        fc.jsonValue(),
        fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
        fc.boolean(),
        (id, data, seq, replayed) => {
          const options = { ...(seq === undefined ? {} : { seq }), replayed };
          expect(serializeNotificationFrame(id, JSON.stringify(data), options)).toBe(serializeFrame(notificationFrame(id, data, options)));
        },
      ),
    );
  });
});

describe('Function: frameByteLength', () => {
  it('counts UTF-8 bytes', () => {
    expect(frameByteLength(notificationFrame('n', 'é'))).toBe(Buffer.byteLength('{"type":"notification","id":"n","data":"é"}'));
  });
});

describe('Function: isErrorCode', () => {
  it('knows the documented error codes only', () => {
    expect(ERROR_CODES).toHaveLength(10);
    expect(isErrorCode('token_expired')).toBe(true);
    expect(isErrorCode('too_many_connections')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(3)).toBe(false);
  });
});
