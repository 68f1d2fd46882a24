import {
  authorizedFrame,
  ERROR_CODES,
  ERROR_MESSAGES,
  errorFrame,
  frameByteLength,
  isErrorCode,
  notificationFrame,
  pongFrame,
  serializeFrame,
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

  it('writes every error code with its default message', () => {
    for (const code of ERROR_CODES) {
      expect(JSON.parse(serializeFrame(errorFrame(code)))).toEqual({ type: 'error', code, message: ERROR_MESSAGES[code] });
    }
    expect(errorFrame('bad_request', 'custom')).toEqual({ type: 'error', code: 'bad_request', message: 'custom' });
  });
});

describe('Function: frameByteLength', () => {
  it('counts UTF-8 bytes', () => {
    expect(frameByteLength(notificationFrame('n', 'é'))).toBe(Buffer.byteLength('{"type":"notification","id":"n","data":"é"}'));
  });
});

describe('Function: isErrorCode', () => {
  it("knows the protocol's codes only", () => {
    expect(ERROR_CODES).toHaveLength(10);
    expect(isErrorCode('token_expired')).toBe(true);
    expect(isErrorCode('too_many_connections')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(3)).toBe(false);
  });
});
