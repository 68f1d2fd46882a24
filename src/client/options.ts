/** The options of a NotifyClient, their defaults, and their validation at construction. */
import { type RandomSource } from './backoff';
import { MemoryCursorStore, type CursorStore } from './cursor-store';
import { globalWebSocket, type WebSocketConstructor } from './websocket';

export type AuthMode = 'authorizer' | 'action';

/** What the client tells getToken(). */
export interface TokenRequest {
  /** True when the previous token was refused: do not answer from a cache. */
  readonly forceRefresh: boolean;
}

/** The stage's connection limits; the client keeps each connection within them. */
export interface ConnectionLimits {
  /** The service closes a connection this long after it opened (API Gateway: 7200). */
  readonly maxConnectionSeconds: number;
  /** The service closes a connection the client has sent nothing on for this long (API Gateway: 600). */
  readonly idleTimeoutSeconds: number;
}

export interface NotifyClientOptions {
  /** The stage's WebSocket URL (`wss://…/<stage>`), without a token. */
  readonly url: string;
  /** The stage's authentication mode. */
  readonly authMode: AuthMode;
  /** Returns a token (JWT) for the user; called for each connection and each renewal. */
  readonly getToken: (request: TokenRequest) => Promise<string>;
  /** The WebSocket constructor; default `globalThis.WebSocket`. */
  readonly WebSocket?: WebSocketConstructor;
  /** Where the resume position is kept; default in memory. */
  readonly cursorStore?: CursorStore;
  /** The stage's limits, when they differ from API Gateway's. */
  readonly limits?: Partial<ConnectionLimits>;
  /** The source of jitter; default Math.random. */
  readonly random?: RandomSource;
}

export interface ClientSettings {
  readonly url: string;
  readonly authMode: AuthMode;
  readonly getToken: (request: TokenRequest) => Promise<string>;
  readonly WebSocket: WebSocketConstructor;
  readonly cursorStore: CursorStore;
  readonly limits: ConnectionLimits;
  readonly random: RandomSource;
}

export const API_GATEWAY_LIMITS: ConnectionLimits = { maxConnectionSeconds: 7200, idleTimeoutSeconds: 600 };

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new TypeError(`${name} must be a positive number of seconds`);
  return value;
}

/** The options over their defaults; throws a TypeError naming the first invalid option. */
export function resolveOptions(options: NotifyClientOptions): ClientSettings {
  const { url, authMode, getToken } = options;
  if (typeof url !== 'string' || !/^wss?:\/\/[^/?#]/i.test(url) || url.includes('#')) {
    throw new TypeError('url must be a ws:// or wss:// URL without a fragment');
  }
  if (/[?&]token=/.test(url)) throw new TypeError('url must not carry a token: the client adds it');
  if (authMode !== 'authorizer' && authMode !== 'action') throw new TypeError("authMode must be 'authorizer' or 'action'");
  if (typeof getToken !== 'function') throw new TypeError('getToken must be a function returning a promise of a token');
  const WebSocket = options.WebSocket ?? globalWebSocket();
  if (typeof WebSocket !== 'function') throw new TypeError('no WebSocket here: pass options.WebSocket (for example from the ws package)');
  const limits = { ...API_GATEWAY_LIMITS, ...options.limits };
  return {
    url,
    authMode,
    getToken,
    WebSocket,
    cursorStore: options.cursorStore ?? new MemoryCursorStore(),
    limits: {
      maxConnectionSeconds: positive(limits.maxConnectionSeconds, 'limits.maxConnectionSeconds'),
      idleTimeoutSeconds: positive(limits.idleTimeoutSeconds, 'limits.idleTimeoutSeconds'),
    },
    random: options.random ?? Math.random,
  };
}

/** The URL of a connection: in mode `authorizer` it carries the token. */
export function connectionUrl(settings: ClientSettings, token: string): string {
  if (settings.authMode === 'action') return settings.url;
  return `${settings.url}${settings.url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
