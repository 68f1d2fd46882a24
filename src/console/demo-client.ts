/**
 * A demo WebSocket client in the browser, as an application's page would be (docs/auth.md, docs/protocol.md):
 * mode `authorizer` connects with `?token=`; mode `action` connects, then sends `authorize`.
 * The token is used once, inside connect(), and kept nowhere: the frame log shows
 * `"token":"[hidden]"` and the URL without its query.
 */
import type { ConsoleAuthMode } from './console-api';

export type DemoClientState = 'connecting' | 'pending' | 'authorizing' | 'authorized' | 'closed' | 'failed';

export interface DemoTarget {
  /** `ws://…/<stage>` or `wss://…/<stage>`. */
  readonly url: string;
  readonly mode: ConsoleAuthMode;
  /** Called once per connect. */
  readonly token: () => Promise<string>;
}

export interface FrameLogEntry {
  readonly direction: 'in' | 'out' | 'note';
  readonly text: string;
}

export interface ReceivedNotification {
  readonly id: string;
  readonly data: unknown;
  /** `data.download`, when it is a safe link (a path on this origin, or http(s)). */
  readonly download?: string;
}

/** The most frames a client's log keeps. */
const FRAME_LOG_LIMIT = 100;
const HIDDEN = '[hidden]';

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

function parseFrame(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class DemoClient {
  state: DemoClientState = 'connecting';
  connectionId: string | undefined;
  /** From the `authorized` frame (mode action), or the user id asked for. */
  userId: string | undefined;
  /** The token's `exp` (unix seconds), from the `authorized` frame. */
  expiresAt: number | undefined;
  readonly notifications: ReceivedNotification[] = [];
  readonly frames: FrameLogEntry[] = [];

  #socket: WebSocket | undefined;
  #opened = false;
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly target: DemoTarget,
    userId?: string,
  ) {
    this.userId = userId;
  }

  /** Called after every change. */
  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  async connect(): Promise<void> {
    let token: string;
    try {
      token = await this.target.token();
    } catch (error) {
      this.#note(`no token: ${error instanceof Error ? error.message : String(error)}`);
      this.#setState('failed');
      return;
    }
    const { mode } = this.target;
    let url = this.target.url;
    if (mode === 'authorizer') {
      const withToken = new URL(url);
      withToken.searchParams.set('token', token);
      url = withToken.href;
      this.#note(`connecting to ${displayUrl(url)}?token=${HIDDEN}`);
    } else {
      this.#note(`connecting to ${displayUrl(url)} (anonymous, then authorize)`);
    }
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      this.#note(`cannot connect: ${error instanceof Error ? error.message.replace(/[?#]\S*/g, '') : 'invalid URL'}`);
      this.#setState('failed');
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#opened = true;
      if (mode === 'authorizer') {
        this.#note('handshake accepted: the REQUEST authorizer allowed the token');
        this.#setState('authorized');
        return;
      }
      this.#setState('pending');
      socket.send(JSON.stringify({ action: 'authorize', token }));
      this.#log('out', JSON.stringify({ action: 'authorize', token: HIDDEN }));
      this.#setState('authorizing');
    });
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') this.#receive(event.data);
      else this.#note('binary frame received');
    });
    socket.addEventListener('close', (event) => {
      if (!this.#opened) {
        this.#note('handshake refused (browsers hide the HTTP status: 401 = no token, 403 = token refused; the events feed shows it)');
        this.#setState('failed');
        return;
      }
      this.#note(`closed: ${event.code}${event.reason === '' ? '' : ` ${event.reason}`}`);
      this.#setState('closed');
    });
  }

  get open(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  ping(name?: string): void {
    this.#send(name === undefined ? { action: 'ping' } : { action: 'ping', name });
  }

  close(): void {
    this.#socket?.close(1000, 'closed in the console');
  }

  #send(message: Record<string, unknown>): void {
    if (this.#socket === undefined || !this.open) return;
    const text = JSON.stringify(message);
    this.#socket.send(text);
    this.#log('out', text);
    this.#emit();
  }

  #receive(text: string): void {
    this.#log('in', text);
    const frame = parseFrame(text);
    if (frame === undefined) {
      this.#emit();
      return;
    }
    if (typeof frame.connectionId === 'string') this.connectionId = frame.connectionId;
    switch (frame.type) {
      case 'authorized':
        if (typeof frame.userId === 'string') this.userId = frame.userId;
        if (typeof frame.expiresAt === 'number') this.expiresAt = frame.expiresAt;
        this.#setState('authorized');
        return;
      case 'notification': {
        const id = typeof frame.id === 'string' ? frame.id : '';
        if (this.notifications.some((seen) => seen.id === id && id !== '')) {
          this.#note(`duplicate notification ${id} dropped`);
          return;
        }
        const data = frame.data;
        const download = typeof data === 'object' && data !== null ? safeDownloadHref((data as Record<string, unknown>).download) : undefined;
        this.notifications.push({ id, data, ...(download === undefined ? {} : { download }) });
        this.#emit();
        return;
      }
      case 'error':
        if (frame.code === 'unauthorized' && this.state === 'authorizing') this.#setState('pending');
        else if (frame.code === 'invalid_token' && this.state === 'authorizing') this.#setState('pending');
        else this.#emit();
        return;
      default:
        this.#emit();
    }
  }

  #log(direction: FrameLogEntry['direction'], text: string): void {
    this.frames.push({ direction, text });
    if (this.frames.length > FRAME_LOG_LIMIT) this.frames.splice(0, this.frames.length - FRAME_LOG_LIMIT);
  }

  #note(text: string): void {
    this.#log('note', text);
    this.#emit();
  }

  #setState(state: DemoClientState): void {
    this.state = state;
    this.#emit();
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}
