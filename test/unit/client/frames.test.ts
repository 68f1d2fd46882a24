import { authorizeMessage, KEEP_ALIVE_MESSAGE, parseServerFrame, resumeMessage } from '../../../src/client/frames';

describe('Messages', () => {
  it('are the protocol text frames', () => {
    expect(JSON.parse(KEEP_ALIVE_MESSAGE)).toEqual({ action: 'keepalive' });
    expect(JSON.parse(authorizeMessage('a.b.c'))).toEqual({ action: 'authorize', token: 'a.b.c' });
    expect(JSON.parse(resumeMessage(17))).toEqual({ action: 'resume', after: 17 });
  });
});

describe('Function: parseServerFrame', () => {
  const parse = (frame: unknown) => parseServerFrame(JSON.stringify(frame));

  it('reads notifications, live and replayed, with and without seq', () => {
    expect(parse({ type: 'notification', id: 'n1', seq: 3, data: { a: 1 } })).toEqual({ type: 'notification', id: 'n1', seq: 3, data: { a: 1 }, replayed: false });
    expect(parse({ type: 'notification', id: 'n1', seq: 3, data: null, replayed: true })).toEqual({ type: 'notification', id: 'n1', seq: 3, data: null, replayed: true });
    expect(parse({ type: 'notification', id: 'n2', data: 'x' })).toEqual({ type: 'notification', id: 'n2', data: 'x', replayed: false });
  });

  it('reads resumed, authorized, pong and error frames', () => {
    expect(parse({ type: 'resumed', after: 0, latest: 5, count: 5, more: false, truncated: false })).toEqual({
      type: 'resumed',
      after: 0,
      latest: 5,
      count: 5,
      more: false,
      truncated: false,
    });
    expect(parse({ type: 'authorized', userId: 'u1', expiresAt: 1765624667, connectionId: 'c' })).toEqual({ type: 'authorized', expiresAt: 1765624667, connectionId: 'c' });
    expect(parse({ type: 'pong', connectionId: 'c' })).toEqual({ type: 'pong', connectionId: 'c' });
    expect(parse({ type: 'pong', name: 'n' })).toEqual({ type: 'pong' });
    expect(parse({ type: 'pong', connectionId: 7 })).toEqual({ type: 'pong' });
    expect(parse({ type: 'authorized', expiresAt: 1765624667, connectionId: '' })).toEqual({ type: 'authorized', expiresAt: 1765624667 });
    expect(parse({ type: 'error', code: 'invalid_token', message: 'No.' })).toEqual({ type: 'error', code: 'invalid_token', message: 'No.' });
    expect(parse({ type: 'error', code: 'internal_error' })).toEqual({ type: 'error', code: 'internal_error', message: 'internal_error' });
  });

  it('marks a frame of an unknown type as other', () => {
    expect(parse({ type: 'presence', users: [] })).toEqual({ type: 'other' });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['null', 'null'],
    ['no type', '{"id":"x"}'],
    ['a notification with an empty id', '{"type":"notification","id":"","data":1}'],
    ['a notification with seq 0', '{"type":"notification","id":"n","seq":0,"data":1}'],
    ['a notification with a fractional seq', '{"type":"notification","id":"n","seq":1.5,"data":1}'],
    ['resumed without more', '{"type":"resumed","after":0,"latest":0,"count":0,"truncated":false}'],
    ['resumed with a negative latest', '{"type":"resumed","after":0,"latest":-1,"count":0,"more":false,"truncated":false}'],
    ['authorized without expiresAt', '{"type":"authorized","userId":"u"}'],
    ['an error with an unknown code', '{"type":"error","code":"teapot","message":"x"}'],
  ])('refuses %s', (_name, text) => {
    expect(parseServerFrame(text)).toBeUndefined();
  });
});
