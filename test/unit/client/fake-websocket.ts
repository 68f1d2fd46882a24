/**
 * A WebSocket double for the client's unit tests: the test plays the service. It records what the
 * client sends and lets the test open, refuse, answer and close, like a browser's WebSocket would
 * report it (a refused handshake: an error event, then close 1006, and no open).
 */
import type { WebSocketConstructor, WebSocketLike } from '../../../src/client/websocket';

interface FakeEvent {
  readonly data: unknown;
  readonly code: number;
}

type Listener = (event: FakeEvent) => void;

export interface SentMessage {
  readonly action: string;
  readonly token?: string;
  readonly after?: number;
}

export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  readonly closeCodes: (number | undefined)[] = [];
  readonly #listeners = new Map<string, Listener[]>();

  /** `respond` plays the service: it is called (asynchronously, as a real reply comes) with each message sent. */
  constructor(
    readonly url: string,
    private readonly respond?: (socket: FakeWebSocket, message: SentMessage) => void,
  ) {}

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error(`send() while readyState is ${this.readyState}`);
    this.sent.push(data);
    const respond = this.respond;
    if (respond !== undefined) void Promise.resolve().then(() => this.readyState === 1 && respond(this, JSON.parse(data) as SentMessage));
  }

  /** Like a browser: the close event follows asynchronously. */
  close(code?: number): void {
    this.closeCodes.push(code);
    if (this.readyState > 1) return;
    this.readyState = 2;
    void Promise.resolve().then(() => this.#closed(code ?? 1005));
  }

  // --- the service's side ---

  /** The handshake succeeds. */
  accept(): void {
    this.readyState = 1;
    this.#fire('open', {});
  }

  /** The handshake fails (a 401/403, or an unreachable host: a browser cannot tell them apart). */
  refuse(): void {
    this.readyState = 3;
    this.#fire('error', {});
    this.#fire('close', { code: 1006 });
  }

  /** The service (or the network) closes the connection. */
  drop(code = 1001): void {
    this.#closed(code);
  }

  /** A frame from the service. */
  receive(frame: object | string): void {
    this.#fire('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  receiveBinary(): void {
    this.#fire('message', { data: new ArrayBuffer(2) });
  }

  get messages(): SentMessage[] {
    return this.sent.map((text) => JSON.parse(text) as SentMessage);
  }

  /** What the client sent, keep-alives left out. */
  get requests(): SentMessage[] {
    return this.messages.filter((message) => message.action !== 'keepalive');
  }

  /** The last message other than a keep-alive. */
  get lastMessage(): SentMessage | undefined {
    return this.requests.at(-1);
  }

  /** The `after` of every resume sent, in order. */
  get resumes(): number[] {
    return this.messages.filter((message) => message.action === 'resume').map((message) => message.after!);
  }

  get tokenInUrl(): string | null {
    return new URL(this.url).searchParams.get('token');
  }

  #closed(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#fire('close', { code });
  }

  #fire(type: string, event: Partial<FakeEvent>): void {
    for (const listener of this.#listeners.get(type) ?? []) listener({ data: undefined, code: 0, ...event });
  }
}

/** A WebSocket constructor that records every socket it makes; `respond` plays the service on each. */
export class FakeSockets {
  readonly all: FakeWebSocket[] = [];
  readonly WebSocket: WebSocketConstructor;

  constructor(respond?: (socket: FakeWebSocket, message: SentMessage) => void) {
    const all = this.all;
    this.WebSocket = class extends FakeWebSocket {
      constructor(url: string) {
        super(url, respond);
        all.push(this);
      }
    };
  }

  get last(): FakeWebSocket {
    const socket = this.all.at(-1);
    if (socket === undefined) throw new Error('no socket was made');
    return socket;
  }

  /** Sockets the client has not closed and the service has not closed. */
  get live(): FakeWebSocket[] {
    return this.all.filter((socket) => socket.readyState < 2);
  }
}
