/**
 * A demo client of the console: the client library's NotifyClient, as an application's page uses
 * it (docs/client.md), and what a demo shows around it: its state, its connection id, its cursor
 * (the saved resume position) and the frames it exchanges. The library makes and keeps the
 * connections; the frames are watched through the WebSocket constructor the library is given.
 * Tokens are shown nowhere: the frame log shows `"token":"[hidden]"` and URLs without their query.
 */
import {
  LocalStorageCursorStore,
  MemoryCursorStore,
  NotifyClient,
  type ClientState,
  type ConnectionLimits,
  type CursorStore,
  type StorageLike,
  type TokenRequest,
  type WebSocketConstructor,
} from '../client';
import type { ConsoleAuthMode } from './console-api';

export interface DemoTarget {
  /** `ws://…/<stage>` or `wss://…/<stage>`, without a token. */
  readonly url: string;
  readonly mode: ConsoleAuthMode;
  /** Called for each connection and each renewal. */
  readonly getToken: (request: TokenRequest) => Promise<string>;
  /** The stage's limits, when the console knows them. */
  readonly limits?: ConnectionLimits;
  /** Where the cursor persists (localStorage), under `key`; default in memory (a reload starts at the inbox's end). */
  readonly cursor?: { readonly storage: StorageLike; readonly key: string };
}

export interface FrameLogEntry {
  readonly direction: 'in' | 'out' | 'note';
  readonly text: string;
}

export interface ReceivedNotification {
  readonly id: string;
  readonly seq?: number;
  readonly data: unknown;
  /** `data.download`, when it is a safe link (a path on this origin, or http(s)). */
  readonly download?: string;
}

/** The most frames a client's log keeps. */
const FRAME_LOG_LIMIT = 100;
const HIDDEN = '[hidden]';

/** The localStorage key of a demo client's cursor: one per stage URL and user. */
export function cursorKey(websocketUrl: string, userId: string): string {
  return `ws-notify-console:cursor:${displayUrl(websocketUrl)}:${userId}`;
}

/** A link target that cannot run script: a path (not `//host`), or an http(s) URL. */
export function safeDownloadHref(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return value;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The URL as it may be shown: without query string or fragment (which may hold a token). */
export function displayUrl(url: string): string {
  return url.replace(/[?#].*$/, '');
}

export function isWebSocketUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'ws:' || url.protocol === 'wss:';
  } catch {
    return false;
  }
}

/** A frame the client sends, as the log shows it: an `authorize` message's token hidden. */
export function loggedOutgoingFrame(text: string): string {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof message !== 'object' || message === null || !('token' in message)) return text;
  return JSON.stringify({ ...message, token: HIDDEN });
}

/** A cursor store that also tells the card the position it holds. */
class ShownCursorStore implements CursorStore {
  position: number | null = null;

  constructor(
    private readonly store: CursorStore,
    private readonly changed: () => void,
  ) {}

  load(): number | null | Promise<number | null> {
    const loaded = this.store.load();
    if (typeof loaded === 'number') this.position = loaded;
    return loaded;
  }

  save(seq: number): void {
    this.store.save(seq);
    this.position = seq;
    this.changed();
  }
}

/**
 * The browser's WebSocket, with every connection's frames and closes told to `log`. Connections are
 * numbered (#1, #2, …), so that a roll-over's two connections can be told apart.
 */
function watchedWebSocket(log: (direction: FrameLogEntry['direction'], text: string) => void): WebSocketConstructor {
  let made = 0;
  return class WatchedWebSocket extends WebSocket {
    readonly #label: string;

    constructor(url: string) {
      super(url);
      made += 1;
      const label = `#${made}`;
      this.#label = label;
      const withToken = new URL(url).searchParams.has('token');
      log('note', `${label} connecting to ${displayUrl(url)}${withToken ? `?token=${HIDDEN}` : ' (anonymous, then authorize)'}`);
      let opened = false;
      this.addEventListener('open', () => {
        opened = true;
        log('note', `${label} open${withToken ? ': the REQUEST authorizer allowed the token' : ''}`);
      });
      this.addEventListener('message', (event: MessageEvent<unknown>) => log('in', `${label} ${typeof event.data === 'string' ? event.data : '(binary frame)'}`));
      this.addEventListener('close', (event) => {
        if (!opened) log('note', `${label} handshake refused (browsers hide the HTTP status: 401 = no token, 403 = token refused; the events feed shows it)`);
        else log('note', `${label} closed: ${event.code}${event.reason === '' ? '' : ` ${event.reason}`}`);
      });
    }

    override send(data: string): void {
      log('out', `${this.#label} ${loggedOutgoingFrame(data)}`);
      super.send(data);
    }
  };
}

export class DemoClient {
  readonly client: NotifyClient;
  readonly notifications: ReceivedNotification[] = [];
  readonly frames: FrameLogEntry[] = [];
  /** The last error the client reported, as `code: message`. */
  lastError: string | undefined;
  readonly #cursor: ShownCursorStore;
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly target: DemoTarget,
    /** The user id, when the console issues the tokens (undefined for a pasted token). */
    readonly userId?: string,
  ) {
    const store = target.cursor === undefined ? new MemoryCursorStore() : new LocalStorageCursorStore(target.cursor.key, target.cursor.storage);
    this.#cursor = new ShownCursorStore(store, () => this.#emit());
    this.client = new NotifyClient({
      url: target.url,
      authMode: target.mode,
      getToken: target.getToken,
      WebSocket: watchedWebSocket((direction, text) => this.#log(direction, text)),
      cursorStore: this.#cursor,
      ...(target.limits === undefined ? {} : { limits: target.limits }),
    });
    this.client.on('state', (state) => {
      // Mode authorizer: the handshake names no connection id; a ping's pong does.
      if (state === 'authorized' && this.client.connectionId === undefined) this.client.ping();
      this.#emit();
    });
    this.client.on('connection', (connectionId) => {
      if (connectionId === undefined && this.client.state === 'authorized') this.client.ping();
      this.#emit();
    });
    this.client.on('notification', ({ id, seq, data }) => {
      const download = typeof data === 'object' && data !== null ? safeDownloadHref((data as Record<string, unknown>).download) : undefined;
      this.notifications.push({ id, ...(seq === undefined ? {} : { seq }), data, ...(download === undefined ? {} : { download }) });
      this.#emit();
    });
    this.client.on('truncated', () => this.#log('note', 'truncated: some notifications are past the inbox retention (an application reloads its state)'));
    this.client.on('error', (error) => {
      this.lastError = `${error.code}: ${error.message}`;
      this.#log('note', `error ${this.lastError}`);
    });
  }

  get state(): ClientState {
    return this.client.state;
  }

  get connectionId(): string | undefined {
    return this.client.connectionId;
  }

  /** The saved resume position: null until the first notification (the client then started at the inbox's end). */
  get cursor(): number | null {
    return this.#cursor.position;
  }

  /** Called after every change. */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  start(): void {
    this.lastError = undefined;
    this.client.start();
  }

  stop(): Promise<void> {
    const stopped = this.client.stop();
    this.#log('note', 'stopped');
    return stopped;
  }

  ping(): void {
    this.client.ping();
  }

  /** A note of the card's own in the frame log. */
  note(text: string): void {
    this.#log('note', text);
  }

  #log(direction: FrameLogEntry['direction'], text: string): void {
    this.frames.push({ direction, text });
    if (this.frames.length > FRAME_LOG_LIMIT) this.frames.splice(0, this.frames.length - FRAME_LOG_LIMIT);
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
