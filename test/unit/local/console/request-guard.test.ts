import { checkConsoleRequest, isLoopbackAddress, type GuardedRequest } from '../../../../src/local/console/request-guard';

const PORT = 3001;

/** A request of the console page itself: loopback, its own Host and Origin, the console header, JSON. */
function pageRequest(overrides: { remoteAddress?: string; headers?: Record<string, string | undefined> } = {}): GuardedRequest {
  return {
    socket: { remoteAddress: overrides.remoteAddress ?? '127.0.0.1', localPort: PORT },
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

describe('Function: checkConsoleRequest of a mutation', () => {
  it("accepts the console page's own request", () => {
    expect(checkConsoleRequest(pageRequest(), true)).toBeUndefined();
  });

  it('accepts a local tool that sends no Origin and no Sec-Fetch-Site but the console header', () => {
    expect(checkConsoleRequest(pageRequest({ headers: { origin: undefined, 'sec-fetch-site': undefined } }), true)).toBeUndefined();
  });

  it('refuses a request from a page on another origin', () => {
    expect(checkConsoleRequest(pageRequest({ headers: { origin: 'https://attacker.example' } }), true)).toMatchObject({ status: 403, code: 'cross_origin' });
    expect(checkConsoleRequest(pageRequest({ headers: { origin: 'http://localhost:3001' } }), true)).toMatchObject({ code: 'cross_origin' });
    expect(checkConsoleRequest(pageRequest({ headers: { origin: 'null' } }), true)).toMatchObject({ code: 'cross_origin' });
  });

  it('refuses a request the browser marks as cross-site or same-site', () => {
    expect(checkConsoleRequest(pageRequest({ headers: { origin: undefined, 'sec-fetch-site': 'cross-site' } }), true)).toMatchObject({ status: 403, code: 'cross_origin' });
    expect(checkConsoleRequest(pageRequest({ headers: { 'sec-fetch-site': 'same-site' } }), true)).toMatchObject({ code: 'cross_origin' });
  });

  it('refuses a request without the console header (a plain form post cannot set it)', () => {
    expect(checkConsoleRequest(pageRequest({ headers: { 'x-ws-notify-console': undefined } }), true)).toMatchObject({ status: 403, code: 'missing_console_header' });
  });

  it('refuses a body that is not JSON', () => {
    expect(checkConsoleRequest(pageRequest({ headers: { 'content-type': 'text/plain' } }), true)).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect(checkConsoleRequest(pageRequest({ headers: { 'content-type': 'application/json; charset=utf-8' } }), true)).toBeUndefined();
  });

  it('refuses what it refuses to any request', () => {
    expect(checkConsoleRequest(pageRequest({ remoteAddress: '10.1.1.1' }), true)).toMatchObject({ code: 'not_loopback' });
  });
});
