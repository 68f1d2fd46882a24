import { displayUrl, isWebSocketUrl, safeDownloadHref } from '../../../../src/console/demo-client';

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
