/**
 * One WebSocket connection to the service and its session: it fetches a token, opens the socket,
 * authorizes (in mode `action`; in mode `authorizer` the handshake did), resumes from the client's
 * position (following `more`), renews the token before it expires, keeps the connection from
 * going idle and says when it is time to roll over. The client decides what a connection is for
 * (serving, or replacing another) and what to do when it ends.
 *
 * Requests (authorize, resume, ping) go one at a time: every request gets exactly one reply frame,
 * and error frames name no request, so one in flight is what lets an error be matched to its
 * request. A request without a reply in time means the connection is lost.
 */
import { Backoff, jitter } from './backoff';
import { NotifyClientError } from './errors';
import { authorizeMessage, KEEP_ALIVE_MESSAGE, parseServerFrame, PING_MESSAGE, resumeMessage, type ErrorFrame, type NotificationFrame, type ResumedFrame } from './frames';
import { connectionUrl, type ClientSettings } from './options';
import { TimerSlots, type Scheduler } from './timers';
import { tokenExpiry } from './token-expiry';
import { CONNECTING, OPEN, type WebSocketLike } from './websocket';

/** How long a request waits for its reply (API Gateway's integration timeout is 29 s). */
export const REPLY_TIMEOUT_MS = 30_000;
/** The soonest a renewal follows an authorization, whatever the clocks say. */
export const MIN_RENEWAL_DELAY_MS = 5_000;
/** A renewal happens within this fraction of the token's remaining lifetime. */
export const RENEWAL_WINDOW = [0.7, 0.85] as const;
/** A roll-over starts within this fraction of the maximum connection duration. */
export const ROLL_OVER_WINDOW = [0.7, 0.9] as const;
/** A keep-alive is sent after this fraction of the idle timeout without a sent frame. */
export const KEEP_ALIVE_WINDOW = [0.5, 0.75] as const;

/** Why a connection ended: no token, closed before it opened, or closed (or given up) after. */
export type EndReason = 'token' | 'handshake' | 'closed';

export interface ConnectionHost {
  readonly settings: ClientSettings;
  readonly scheduler: Scheduler;
  /** A token from the application; rejects with a `token_unavailable` error. */
  fetchToken(forceRefresh: boolean): Promise<string>;
  /** `after` for the next resume. */
  resumeAfter(): number;
  opened(connection: Connection): void;
  authorized(connection: Connection, renewal: boolean): void;
  /** The first resume run after authorization has completed. */
  caughtUp(connection: Connection): void;
  rollOverDue(connection: Connection): void;
  /** The service named the connection's id (in `authorized` or `pong`). */
  identified(connection: Connection): void;
  /** The connection is gone; it calls nothing after this. */
  ended(connection: Connection, reason: EndReason): void;
  notification(frame: NotificationFrame): void;
  /** A complete resume answer, with the highest `seq` it replayed. */
  resumed(frame: ResumedFrame, highestReplayed: number | undefined): void;
  report(error: NotifyClientError): void;
}

type Request = 'authorize' | 'resume' | 'ping' | 'keepalive';
type TimerName = 'reply' | 'keepAlive' | 'renewal' | 'rollOver' | 'authorize' | 'resume';
type Phase = 'starting' | 'connecting' | 'open' | 'authorized' | 'ended';

export class Connection {
  #phase: Phase = 'starting';
  #socket: WebSocketLike | undefined;
  #openedAt: number | undefined;
  #connectionId: string | undefined;
  #wasAuthorized = false;
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  /** The token of the next authorize; forgotten once authorized. */
  #token = '';
  /** Whether #token was fetched with forceRefresh. */
  #tokenFresh: boolean;
  #renewing = false;
  #inFlight: Request | undefined;
  readonly #queue: Request[] = [];
  #resumeAgain = false;
  #caughtUp = false;
  #replayed = 0;
  #highestReplayed: number | undefined;
  readonly #timers: TimerSlots<TimerName>;
  /** Delays before retrying a request the service failed (internal_error) or a token fetch. */
  readonly #retry: Backoff;

  constructor(
    private readonly host: ConnectionHost,
    /** Whether the connection's first token is fetched with forceRefresh. */
    readonly forceRefresh: boolean,
  ) {
    this.#tokenFresh = forceRefresh;
    this.#timers = new TimerSlots(host.scheduler);
    this.#retry = new Backoff(host.settings.random);
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** When the socket opened (ms since the epoch), if it did. */
  get openedAt(): number | undefined {
    return this.#openedAt;
  }

  /** Whether the connection was authorized (and so sent a resume) at some point, even if it has ended since. */
  get wasAuthorized(): boolean {
    return this.#wasAuthorized;
  }

  /** The id the service gave the connection, once a frame has named it. */
  get connectionId(): string | undefined {
    return this.#connectionId;
  }

  /** Fetches a token, then opens the socket. */
  async start(): Promise<void> {
    let token: string;
    try {
      token = await this.host.fetchToken(this.forceRefresh);
    } catch (error) {
      this.#end('token', error as NotifyClientError);
      return;
    }
    if (this.#phase === 'ended') return;
    this.#token = token;
    this.#phase = 'connecting';
    let socket: WebSocketLike;
    try {
      socket = new this.host.settings.WebSocket(connectionUrl(this.host.settings, token));
    } catch {
      // Not passed on: the error may quote the URL, and with it the token.
      this.#end('handshake');
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#phase === 'connecting') this.#opened();
    });
    socket.addEventListener('message', (event) => {
      if (this.#phase !== 'ended') this.#receive(event.data);
    });
    socket.addEventListener('close', () => {
      this.#resolveClosed?.();
      this.#end(this.#openedAt === undefined ? 'handshake' : 'closed');
    });
    // An error event is always followed by a close event; listening keeps some implementations from throwing.
    socket.addEventListener('error', () => undefined);
  }

  /** Closes the connection without reporting its end; resolves once the socket has closed. */
  close(): Promise<void> {
    this.#dispose();
    return this.#closed ?? Promise.resolve();
  }

  /** Sends a ping (after the request in flight, if any); false when the connection is not authorized. */
  ping(): boolean {
    if (this.#phase !== 'authorized') return false;
    this.#request('ping');
    return true;
  }

  /** Resumes again (a gap in the received sequence numbers wants checking). */
  resume(): void {
    if (this.#phase === 'authorized') this.#request('resume');
  }

  /** For checks after an await, where the compiler still holds the phase seen before it. */
  #isEnded(): boolean {
    return this.#phase === 'ended';
  }

  #dispose(): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#timers.clearAll();
    this.#queue.length = 0;
    this.#inFlight = undefined;
    this.#token = '';
    const socket = this.#socket;
    if (socket !== undefined && (socket.readyState === CONNECTING || socket.readyState === OPEN)) {
      this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
      socket.close(1000);
    }
  }

  #end(reason: 'token' | 'handshake' | 'closed', error?: NotifyClientError): void {
    if (this.#phase === 'ended') return;
    this.#dispose();
    if (error !== undefined) this.host.report(error);
    this.host.ended(this, reason);
  }

  #opened(): void {
    const { limits, random, authMode } = this.host.settings;
    this.#phase = 'open';
    this.#openedAt = this.host.scheduler.now();
    this.#timers.set('rollOver', jitter(random, ...ROLL_OVER_WINDOW) * limits.maxConnectionSeconds * 1000, () => this.host.rollOverDue(this));
    this.#armKeepAlive();
    this.host.opened(this);
    if (this.#phase !== 'open') return;
    if (authMode === 'authorizer') this.#authorized(tokenExpiry(this.#token));
    else this.#request('authorize');
  }

  #authorized(expiresAt: number | undefined): void {
    const renewal = this.#phase === 'authorized';
    this.#phase = 'authorized';
    this.#wasAuthorized = true;
    this.#token = '';
    this.#renewing = false;
    this.#timers.clear('authorize');
    this.#retry.reset();
    if (expiresAt !== undefined) {
      const remaining = expiresAt * 1000 - this.host.scheduler.now();
      const delay = Math.max(MIN_RENEWAL_DELAY_MS, remaining * jitter(this.host.settings.random, ...RENEWAL_WINDOW));
      this.#timers.set('renewal', delay, () => void this.#reauthorize(false));
    }
    // The resume goes first: a request the application makes when told (a ping from a state listener) waits for it.
    this.#request('resume');
    this.host.authorized(this, renewal);
  }

  /** Fetches a token and sends `authorize`: a renewal, or a second try with a fresh token. */
  async #reauthorize(forceRefresh: boolean): Promise<void> {
    if (this.#renewing || (this.#phase !== 'open' && this.#phase !== 'authorized')) return;
    this.#renewing = true;
    this.#timers.clear('renewal');
    let token: string;
    try {
      token = await this.host.fetchToken(forceRefresh);
    } catch (error) {
      if (this.#isEnded()) return;
      this.#renewing = false;
      this.host.report(error as NotifyClientError);
      this.#timers.set('renewal', this.#retry.next(), () => void this.#reauthorize(forceRefresh));
      return;
    }
    if (this.#isEnded()) return;
    this.#token = token;
    this.#tokenFresh = forceRefresh;
    this.#request('authorize');
  }

  #request(request: Request): void {
    if (this.#phase === 'ended') return;
    if (this.#inFlight === request || this.#queue.includes(request)) {
      // A resume asked for while one runs starts again once it ends: the position may have moved.
      if (request === 'resume' && this.#inFlight === 'resume') this.#resumeAgain = true;
      return;
    }
    if (request === 'authorize') this.#queue.unshift(request);
    else this.#queue.push(request);
    this.#pump();
  }

  /** Sends the next request when none is in flight. */
  #pump(): void {
    if (this.#inFlight !== undefined || this.#socket?.readyState !== OPEN) return;
    const request = this.#queue.shift();
    if (request === undefined) return;
    this.#inFlight = request;
    if (request === 'resume') {
      this.#replayed = 0;
      this.#highestReplayed = undefined;
    }
    this.#send(
      request === 'authorize' ? authorizeMessage(this.#token) : request === 'resume' ? resumeMessage(this.host.resumeAfter()) : request === 'ping' ? PING_MESSAGE : KEEP_ALIVE_MESSAGE,
    );
    this.#timers.set('reply', REPLY_TIMEOUT_MS, () =>
      this.#end('closed', new NotifyClientError('no_reply', `no reply to ${request} within ${REPLY_TIMEOUT_MS / 1000} s; reconnecting`)),
    );
  }

  #send(text: string): void {
    this.#socket?.send(text);
    this.#armKeepAlive();
  }

  /** The service's idle timer restarts with every frame the client sends: so does this one. */
  #armKeepAlive(): void {
    const { limits, random } = this.host.settings;
    this.#timers.set('keepAlive', jitter(random, ...KEEP_ALIVE_WINDOW) * limits.idleTimeoutSeconds * 1000, () => {
      // A pending connection would get `unauthorized`; its authorize is sent (or retried) soon anyway.
      if (this.#phase === 'authorized' && this.#queue.length === 0) this.#request('keepalive');
      else this.#armKeepAlive();
    });
  }

  #answered(): void {
    this.#inFlight = undefined;
    this.#timers.clear('reply');
  }

  #receive(data: unknown): void {
    const frame = typeof data === 'string' ? parseServerFrame(data) : undefined;
    if (frame === undefined) {
      this.host.report(new NotifyClientError('invalid_frame', 'the service sent a frame that is not a ws-notify frame; ignored'));
      return;
    }
    switch (frame.type) {
      case 'notification':
        if (frame.replayed && this.#inFlight === 'resume') {
          this.#replayed += 1;
          if (frame.seq !== undefined) this.#highestReplayed = Math.max(this.#highestReplayed ?? 0, frame.seq);
        }
        this.host.notification(frame);
        break;
      case 'pong':
        if (this.#inFlight === 'ping' || this.#inFlight === 'keepalive') this.#answered();
        this.#identified(frame.connectionId);
        break;
      case 'authorized':
        if (this.#inFlight === 'authorize') {
          this.#answered();
          this.#identified(frame.connectionId);
          this.#authorized(frame.expiresAt);
        }
        break;
      case 'resumed':
        if (this.#inFlight === 'resume') {
          this.#answered();
          this.#resumed(frame);
        }
        break;
      case 'error':
        this.#failed(frame);
        break;
      case 'other':
        break;
    }
    this.#pump();
  }

  #identified(connectionId: string | undefined): void {
    if (connectionId === undefined || connectionId === this.#connectionId) return;
    this.#connectionId = connectionId;
    this.host.identified(this);
  }

  #resumed(frame: ResumedFrame): void {
    const highest = this.#highestReplayed;
    // Fewer replays than announced: some were lost on the way (the position has not moved past them).
    if (this.#replayed < frame.count || (frame.more && highest === undefined)) {
      this.#timers.set('resume', this.#retry.next(), () => this.#request('resume'));
      return;
    }
    this.host.resumed(frame, highest);
    if (frame.more || this.#resumeAgain) {
      this.#resumeAgain = false;
      this.#request('resume');
    } else if (!this.#caughtUp && this.#phase === 'authorized') {
      this.#caughtUp = true;
      this.host.caughtUp(this);
    }
  }

  #failed(frame: ErrorFrame): void {
    const error = new NotifyClientError(frame.code, frame.message);
    const request = this.#inFlight;
    // The service closes the connection after these two.
    if (frame.code === 'authorization_timeout' || frame.code === 'too_many_attempts') return this.#end('closed', error);
    if (request !== undefined) this.#answered();
    // Recovered without the application: renew, and the authorization resumes.
    if (frame.code === 'token_expired') return void this.#reauthorize(false);
    if (request === undefined) return this.host.report(error);
    switch (frame.code) {
      case 'internal_error':
        // Not counted as a failed attempt by the service: the same request again, later.
        this.host.report(error);
        if (request !== 'ping' && request !== 'keepalive') this.#timers.set(request, this.#retry.next(), () => this.#request(request));
        return;
      case 'invalid_token':
        if (request === 'authorize' && !this.#tokenFresh) {
          this.#renewing = false;
          void this.#reauthorize(true);
          return;
        }
        break;
      case 'unauthorized':
      case 'too_many_connections':
        break;
      default:
        // A service that cannot resume (or a request it finds invalid): carry on without it.
        if (request !== 'authorize') {
          this.host.report(error);
          if (request === 'resume' && !this.#caughtUp) {
            this.#caughtUp = true;
            this.host.caughtUp(this);
          }
          return;
        }
    }
    this.#end('closed', error);
  }
}
