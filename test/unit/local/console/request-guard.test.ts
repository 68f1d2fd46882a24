import { checkConsoleMutation, checkConsoleRequest, isLoopbackAddress, type GuardedRequest } from '../../../../src/local/console/request-guard';

const PORT = 3001;

/** A request of the console page itself: loopback, its own Host and Origin, the console header, JSON. */
function pageRequest(overrides: Partial<GuardedRequest> & { headers?: Record<string, string | undefined> } = {}): GuardedRequest {
  return {
    remoteAddress: overrides.remoteAddress ?? '127.0.0.1',
    localPort: overrides.localPort ?? PORT,
    headers: {
      host: `127.0.0.1:${PORT}`,
      origin: `http://127.0.0.1:${PORT}`,
      'sec-fetch-site': 'same-origin',
      'x-ws-notify-console': '1',
      'content-type': 'application/json',
      ...overrides.headers,
    },
  };
}

describe('Function: isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('accepts %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.0.0.1', '192.168.1.20', '::ffff:10.0.0.1', 'fe80::1', '128.0.0.1', '', undefined])('refuses %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('Function: checkConsoleRequest', () => {
  it('accepts loopback requests naming 127.0.0.1, localhost or [::1] with the port', () => {
    for (const host of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`, `LOCALHOST:${PORT}`]) {
      expect(checkConsoleRequest(pageRequest({ headers: { host } }))).toBeUndefined();
    }
  });

  it('refuses a peer that is not loopback', () => {
    expect(checkConsoleRequest(pageRequest({ remoteAddress: '192.168.1.20' }))).toMatchObject({ status: 403, code: 'not_loopback' });
  });

  it('refuses another host name (DNS rebinding), another port and a missing Host', () => {
    expect(checkConsoleRequest(pageRequest({ headers: { host: `attacker.example:${PORT}` } }))).toMatchObject({ status: 403, code: 'bad_host' });
    expect(checkConsoleRequest(pageRequest({ headers: { host: '127.0.0.1:9999' } }))).toMatchObject({ code: 'bad_host' });
    expect(checkConsoleRequest(pageRequest({ headers: { host: undefined } }))).toMatchObject({ code: 'bad_host' });
  });
});

describe('Function: checkConsoleMutation', () => {
  it("accepts the console page's own request", () => {
    expect(checkConsoleMutation(pageRequest())).toBeUndefined();
  });

  it('accepts a local tool that sends no Origin and no Sec-Fetch-Site but the console header', () => {
    expect(checkConsoleMutation(pageRequest({ headers: { origin: undefined, 'sec-fetch-site': undefined } }))).toBeUndefined();
  });

  it('refuses a request from a page on another origin', () => {
    expect(checkConsoleMutation(pageRequest({ headers: { origin: 'https://attacker.example' } }))).toMatchObject({ status: 403, code: 'cross_origin' });
    expect(checkConsoleMutation(pageRequest({ headers: { origin: 'http://localhost:3001' } }))).toMatchObject({ code: 'cross_origin' });
    expect(checkConsoleMutation(pageRequest({ headers: { origin: 'null' } }))).toMatchObject({ code: 'cross_origin' });
  });

  it('refuses a request the browser marks as cross-site or same-site', () => {
    expect(checkConsoleMutation(pageRequest({ headers: { origin: undefined, 'sec-fetch-site': 'cross-site' } }))).toMatchObject({ status: 403, code: 'cross_origin' });
    expect(checkConsoleMutation(pageRequest({ headers: { 'sec-fetch-site': 'same-site' } }))).toMatchObject({ code: 'cross_origin' });
  });

  it('refuses a request without the console header (a plain form post cannot set it)', () => {
    expect(checkConsoleMutation(pageRequest({ headers: { 'x-ws-notify-console': undefined } }))).toMatchObject({ status: 403, code: 'missing_console_header' });
  });

  it('refuses a body that is not JSON', () => {
    expect(checkConsoleMutation(pageRequest({ headers: { 'content-type': 'text/plain' } }))).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect(checkConsoleMutation(pageRequest({ headers: { 'content-type': 'application/json; charset=utf-8' } }))).toBeUndefined();
  });

  it('refuses what checkConsoleRequest refuses', () => {
    expect(checkConsoleMutation(pageRequest({ remoteAddress: '10.1.1.1' }))).toMatchObject({ code: 'not_loopback' });
  });
});
