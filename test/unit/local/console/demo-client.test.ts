import { cursorKey, displayUrl, isWebSocketUrl, loggedOutgoingFrame, safeDownloadHref } from '../../../../src/console/demo-client';

describe('Function: safeDownloadHref', () => {
  it('keeps a path on the same origin and http(s) URLs', () => {
    expect(safeDownloadHref('/reports/42')).toBe('/reports/42');
    expect(safeDownloadHref('https://app.example.com/reports/42')).toBe('https://app.example.com/reports/42');
  });

  it.each(['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,<b>x</b>', '//evil.example/x', '/\\evil.example', 'reports/42', '', 42, null, undefined])(
    'refuses %p',
    (value) => {
      expect(safeDownloadHref(value)).toBeUndefined();
    },
  );
});

describe('Function: displayUrl', () => {
  it('drops the query string and fragment, where a token may be', () => {
    expect(displayUrl('wss://abc.execute-api.eu-west-1.amazonaws.com/prod?token=eyJabc.def.ghi')).toBe('wss://abc.execute-api.eu-west-1.amazonaws.com/prod');
    expect(displayUrl('ws://127.0.0.1:3001/local#x')).toBe('ws://127.0.0.1:3001/local');
  });
});

describe('Function: isWebSocketUrl', () => {
  it('accepts ws and wss URLs only', () => {
    expect(isWebSocketUrl('wss://abc.execute-api.eu-west-1.amazonaws.com/prod')).toBe(true);
    expect(isWebSocketUrl('ws://127.0.0.1:3001/local')).toBe(true);
    expect(isWebSocketUrl('https://example.com')).toBe(false);
    expect(isWebSocketUrl('not a url')).toBe(false);
  });
});

describe('Function: loggedOutgoingFrame', () => {
  it('hides the token of an authorize message and leaves other frames as they are', () => {
    expect(loggedOutgoingFrame('{"action":"authorize","token":"eyJabc.def.ghi"}')).toBe('{"action":"authorize","token":"[hidden]"}');
    expect(loggedOutgoingFrame('{"action":"resume","after":3}')).toBe('{"action":"resume","after":3}');
    expect(loggedOutgoingFrame('{"action":"ping"}')).toBe('{"action":"ping"}');
    expect(loggedOutgoingFrame('not json')).toBe('not json');
  });
});

describe('Function: cursorKey', () => {
  it('gives one key per stage URL and user, without the URL query', () => {
    expect(cursorKey('ws://127.0.0.1:3001/local', 'alice')).toBe('ws-notify-console:cursor:ws://127.0.0.1:3001/local:alice');
    expect(cursorKey('ws://127.0.0.1:3001/local?x=1', 'bob')).toBe('ws-notify-console:cursor:ws://127.0.0.1:3001/local:bob');
  });
});
