import { MemoryCursorStore } from '../../../src/client/cursor-store';
import { API_GATEWAY_LIMITS, connectionUrl, resolveOptions, type NotifyClientOptions } from '../../../src/client/options';
import { FakeSockets } from './fake-websocket';

const WebSocket = new FakeSockets().WebSocket;
const valid: NotifyClientOptions = { url: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod', authMode: 'authorizer', getToken: () => Promise.resolve('t'), WebSocket };

describe('Function: resolveOptions', () => {
  const globals = globalThis as { WebSocket?: unknown };
  const original = globals.WebSocket;

  afterEach(() => {
    globals.WebSocket = original;
  });

  it("fills in API Gateway's limits, an in-memory store and Math.random", () => {
    const settings = resolveOptions(valid);

    expect(settings.limits).toEqual({ maxConnectionSeconds: 7200, idleTimeoutSeconds: 600 });
    expect(settings.limits).toEqual(API_GATEWAY_LIMITS);
    expect(settings.cursorStore).toBeInstanceOf(MemoryCursorStore);
    expect(settings.random).toBe(Math.random);
  });

  it('takes partial limits over the defaults', () => {
    expect(resolveOptions({ ...valid, limits: { maxConnectionSeconds: 10 } }).limits).toEqual({ maxConnectionSeconds: 10, idleTimeoutSeconds: 600 });
  });

  it('uses globalThis.WebSocket when none is given, looked up at construction', () => {
    globals.WebSocket = WebSocket;
    expect(resolveOptions({ ...valid, WebSocket: undefined }).WebSocket).toBe(WebSocket);
  });

  it.each([
    ['url', { url: 'https://example.com/prod' }, 'url must be a ws:// or wss:// URL without a fragment'],
    ['url', { url: 'wss://' }, 'url must be a ws:// or wss:// URL without a fragment'],
    ['url', { url: 'wss://example.com/prod#x' }, 'url must be a ws:// or wss:// URL without a fragment'],
    ['url', { url: 'wss://example.com/prod?token=abc' }, 'url must not carry a token: the client adds it'],
    ['authMode', { authMode: 'cookie' }, "authMode must be 'authorizer' or 'action'"],
    ['getToken', { getToken: 'abc' }, 'getToken must be a function returning a promise of a token'],
    ['limits', { limits: { maxConnectionSeconds: 0 } }, 'limits.maxConnectionSeconds must be a positive number of seconds'],
    ['limits', { limits: { idleTimeoutSeconds: Number.NaN } }, 'limits.idleTimeoutSeconds must be a positive number of seconds'],
    ['limits', { limits: { idleTimeoutSeconds: Number.POSITIVE_INFINITY } }, 'limits.idleTimeoutSeconds must be a positive number of seconds'],
  ])('refuses an invalid %s with a TypeError', (_name, change, message) => {
    expect(() => resolveOptions({ ...valid, ...(change as Partial<NotifyClientOptions>) })).toThrow(new TypeError(message));
  });

  it('refuses to start without any WebSocket implementation', () => {
    delete globals.WebSocket;
    expect(() => resolveOptions({ ...valid, WebSocket: undefined })).toThrow(/pass options.WebSocket/);
  });
});

describe('Function: connectionUrl', () => {
  it('adds the token, URL-encoded, in mode authorizer', () => {
    const settings = resolveOptions(valid);
    expect(connectionUrl(settings, 'a.b+c/d=')).toBe('wss://abc.execute-api.eu-west-1.amazonaws.com/prod?token=a.b%2Bc%2Fd%3D');
    expect(connectionUrl(resolveOptions({ ...valid, url: 'ws://127.0.0.1:3001/local?v=1' }), 't')).toBe('ws://127.0.0.1:3001/local?v=1&token=t');
  });

  it('leaves the URL alone in mode action', () => {
    expect(connectionUrl(resolveOptions({ ...valid, authMode: 'action' }), 'secret')).toBe(valid.url);
  });
});
