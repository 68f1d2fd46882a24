/**
 * Test harness of NotifyClient: a client on fake sockets, its recorded events, a token source that
 * issues JWTs with a known expiry, a cursor store that records saves, and a fake user inbox that
 * answers `resume` like the service.
 */
import type { CursorStore } from '../../../src/client/cursor-store';
import type { ClientState, Notification } from '../../../src/client/events';
import type { NotifyClientError } from '../../../src/client/errors';
import { NotifyClient } from '../../../src/client/notify-client';
import type { AuthMode, ConnectionLimits, TokenRequest } from '../../../src/client/options';
import { TAIL } from '../../../src/client/resume-position';
import { FakeSockets, type FakeWebSocket, type SentMessage } from './fake-websocket';

export const WS_URL = 'wss://notify.example.test/dev';
/** The fake clock's start. */
export const START_MS = Date.UTC(2025, 0, 1);
export const TOKEN_LIFETIME_S = 3600;

export { TAIL };

export function jwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** Lets pending promise callbacks run (the client awaits getToken and the cursor store). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
}

export type RecordedEvent =
  | { readonly event: 'state'; readonly value: ClientState }
  | { readonly event: 'notification'; readonly value: Notification }
  | { readonly event: 'truncated' }
  | { readonly event: 'error'; readonly value: NotifyClientError };

/** A cursor store that records its saves; load answers `saved`. */
export class RecordingStore implements CursorStore {
  readonly saves: number[] = [];
  constructor(public saved: number | null = null) {}
  load(): number | null {
    return this.saved;
  }
  save(seq: number): void {
    this.saves.push(seq);
    this.saved = seq;
  }
}

export interface InboxItem {
  readonly id: string;
  readonly seq: number;
  readonly data: unknown;
}

/** One user's inbox, answering `resume` as the service does (pages of `pageSize`). */
export class FakeInbox {
  readonly items: InboxItem[] = [];
  pageSize = 100;
  /** seq of the oldest retained notification (older ones are past retention). */
  oldestRetained = 1;
  #latest = 0;

  get latest(): number {
    return this.#latest;
  }

  /** Stores a notification and returns it; `skip` leaves a gap (a failed write) before it. */
  add(id: string, options: { skip?: number } = {}): InboxItem {
    this.#latest += 1 + (options.skip ?? 0);
    const item = { id, seq: this.#latest, data: { report: id } };
    this.items.push(item);
    return item;
  }

  /** Sends `item` live on `socket`. */
  deliver(socket: FakeWebSocket, item: InboxItem): void {
    socket.receive({ type: 'notification', id: item.id, seq: item.seq, data: item.data });
  }

  /** Answers the last `resume` sent on `socket`; `drop` replays are "lost on the way". */
  answer(socket: FakeWebSocket, options: { drop?: number } = {}): void {
    const after = socket.lastMessage?.after;
    if (socket.lastMessage?.action !== 'resume' || after === undefined) throw new Error(`the last message is not a resume: ${JSON.stringify(socket.lastMessage)}`);
    const retained = this.items.filter((item) => item.seq >= this.oldestRetained);
    const newer = retained.filter((item) => item.seq > after);
    const page = newer.slice(0, this.pageSize);
    page.slice(options.drop ?? 0).forEach((item) => socket.receive({ type: 'notification', ...item, replayed: true }));
    const oldest = retained[0]?.seq;
    const truncated = oldest === undefined ? this.#latest > after : oldest > after + 1;
    socket.receive({ type: 'resumed', after, latest: this.#latest, count: page.length, more: newer.length > page.length, truncated });
  }
}

export interface HarnessOptions {
  readonly authMode?: AuthMode;
  readonly tokenLifetimeSeconds?: number;
  readonly store?: CursorStore;
  readonly limits?: Partial<ConnectionLimits>;
  readonly random?: () => number;
  readonly getToken?: (request: TokenRequest) => Promise<string>;
  /** The user's inbox, when several clients (pages) share it. */
  readonly inbox?: FakeInbox;
}

export class Harness {
  /**
   * What the fake service answers by itself: keep-alives by default (with the keep-alive route's constant pong); with 'all', also authorize
   * (as valid) and resume (from the inbox), for tests that let hours pass.
   */
  serves: 'pings' | 'all' | 'nothing' = 'pings';
  readonly sockets = new FakeSockets((socket, message) => this.#respond(socket, message));
  readonly inbox: FakeInbox;
  readonly events: RecordedEvent[] = [];
  readonly getToken: jest.Mock<Promise<string>, [TokenRequest]>;
  readonly client: NotifyClient;
  readonly authMode: AuthMode;

  constructor(options: HarnessOptions = {}) {
    this.authMode = options.authMode ?? 'action';
    this.inbox = options.inbox ?? new FakeInbox();
    const lifetime = options.tokenLifetimeSeconds ?? TOKEN_LIFETIME_S;
    this.getToken = jest.fn(
      options.getToken ??
        (() => {
          const iat = Math.floor(Date.now() / 1000);
          return Promise.resolve(jwt({ sub: 'u1', iat, exp: iat + lifetime }));
        }),
    );
    this.client = new NotifyClient({
      url: WS_URL,
      authMode: this.authMode,
      getToken: this.getToken,
      WebSocket: this.sockets.WebSocket,
      ...(options.store === undefined ? {} : { cursorStore: options.store }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      random: options.random ?? (() => 0.5),
    });
    this.client.on('state', (value) => this.events.push({ event: 'state', value }));
    this.client.on('notification', (value) => this.events.push({ event: 'notification', value }));
    this.client.on('truncated', () => this.events.push({ event: 'truncated' }));
    this.client.on('error', (value) => this.events.push({ event: 'error', value }));
  }

  get states(): ClientState[] {
    return this.events.flatMap((recorded) => (recorded.event === 'state' ? [recorded.value] : []));
  }

  get delivered(): string[] {
    return this.events.flatMap((recorded) => (recorded.event === 'notification' ? [recorded.value.id] : []));
  }

  get errors(): string[] {
    return this.events.flatMap((recorded) => (recorded.event === 'error' ? [recorded.value.code] : []));
  }

  get truncations(): number {
    return this.events.filter((recorded) => recorded.event === 'truncated').length;
  }

  /** The token the client sent or put in the URL of `socket`, decoded. */
  tokenClaims(token: string | null | undefined): { exp: number } {
    return JSON.parse(Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString()) as { exp: number };
  }

  /** Plays a successful handshake and authorization on the newest socket; returns it with its resume pending. */
  async openAndAuthorize(): Promise<FakeWebSocket> {
    await settle();
    const socket = this.sockets.last;
    socket.accept();
    if (this.authMode === 'action') this.answerAuthorize(socket);
    return socket;
  }

  /** Answers the `authorize` just sent on `socket` with `authorized`. */
  answerAuthorize(socket: FakeWebSocket): void {
    const message = socket.lastMessage;
    if (message?.action !== 'authorize') throw new Error(`the last message is not an authorize: ${JSON.stringify(message)}`);
    socket.receive({ type: 'authorized', userId: 'u1', expiresAt: this.tokenClaims(message.token).exp, connectionId: `c${this.sockets.all.indexOf(socket)}` });
  }

  #respond(socket: FakeWebSocket, message: SentMessage): void {
    if (this.serves === 'nothing') return;
    // The keep-alive route's pong is a constant; the ping route's names the connection.
    if (message.action === 'keepalive') socket.receive({ type: 'pong' });
    else if (message.action === 'ping') socket.receive({ type: 'pong', connectionId: 'c' });
    else if (this.serves === 'pings') return;
    else if (message.action === 'authorize') this.answerAuthorize(socket);
    else if (message.action === 'resume') this.inbox.answer(socket);
  }

  /** start(), a successful connection, and the inbox's answer to its first resume. */
  async startServed(): Promise<FakeWebSocket> {
    this.client.start();
    const socket = await this.openAndAuthorize();
    this.inbox.answer(socket);
    return socket;
  }
}
