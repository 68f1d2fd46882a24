/**
 * NotifyClient: keeps one authorized connection to ws-notify for the application and delivers
 * each notification to it exactly once. It reconnects with backoff after any close it did not
 * ask for, rolls over to a fresh connection before the service's maximum duration (the new one is
 * authorized and caught up before the old one is closed), and resumes from its position after
 * every connection and authorization, so notifications sent meanwhile are replayed.
 */
import { Backoff } from './backoff';
import { Connection, type ConnectionHost, type EndReason } from './connection';
import { RecentIds } from './dedupe';
import { NotifyClientError } from './errors';
import { Emitter, type ClientState, type EventName, type NotifyClientEvents } from './events';
import type { NotificationFrame, ResumedFrame } from './frames';
import { resolveOptions, type ClientSettings, type NotifyClientOptions } from './options';
import { ResumePosition, TAIL } from './resume-position';
import { Scheduler, TimerSlots } from './timers';

/** A connection that stayed open this long resets the reconnect backoff. */
export const STABLE_CONNECTION_MS = 60_000;
/** How long a received `seq` may stay above a missing one before a resume checks the inbox. */
export const GAP_CHECK_DELAY_MS = 2_000;
/** The longest stop() waits for its sockets to close. */
export const STOP_TIMEOUT_MS = 5_000;

/** Counters for monitoring and tests. */
export interface ClientStats {
  /** Notifications delivered to the application. */
  readonly delivered: number;
  /** Copies of delivered notifications that were dropped. */
  readonly duplicates: number;
  /** Connection attempts scheduled after a lost or failed one (roll-overs not included). */
  readonly reconnects: number;
  /** Connections replaced by a roll-over (also when the old one closed before the new one caught up). */
  readonly rollOvers: number;
  /** Tokens renewed on an open connection. */
  readonly renewals: number;
}

type ClientTimer = 'reconnect' | 'rollOver' | 'gapCheck';

export class NotifyClient {
  readonly #settings: ClientSettings;
  readonly #emitter = new Emitter();
  readonly #scheduler = new Scheduler();
  readonly #timers = new TimerSlots<ClientTimer>(this.#scheduler);
  readonly #backoff: Backoff;
  readonly #recent = new RecentIds();
  readonly #host: ConnectionHost;
  #state: ClientState = 'stopped';
  #position: ResumePosition | undefined;
  /** Each start() and stop() begins a new run; late answers of an earlier run are ignored. */
  #run = 0;
  /** The authorized connection the client is served by. */
  #primary: Connection | undefined;
  /** A connection being set up: to replace a lost one, or the primary (a roll-over). */
  #candidate: Connection | undefined;
  /** Connections that closed before opening since one last opened. */
  #handshakeFailures = 0;
  #storeFailing = false;
  /**
   * A connection was authorized, and so resumed from the inbox's end, while the client had no
   * position yet, and ended before the answer placed it: the next answer's end may be past
   * notifications stored since, which no resume will replay.
   */
  #startUnplaced = false;
  /** The connection id last announced by a 'connection' event. */
  #announcedConnectionId: string | undefined;
  /** The last stop(), for a second call while its sockets close. */
  #stopped: Promise<void> = Promise.resolve();
  #stats = { delivered: 0, duplicates: 0, reconnects: 0, rollOvers: 0, renewals: 0 };

  /** Throws a TypeError when an option is invalid. Nothing connects before start(). */
  constructor(options: NotifyClientOptions) {
    this.#settings = resolveOptions(options);
    this.#backoff = new Backoff(this.#settings.random);
    this.#host = {
      settings: this.#settings,
      scheduler: this.#scheduler,
      fetchToken: (forceRefresh) => this.#fetchToken(forceRefresh),
      resumeAfter: () => this.#position?.after ?? 0,
      opened: (connection) => this.#opened(connection),
      authorized: (connection, renewal) => this.#authorized(connection, renewal),
      caughtUp: (connection) => this.#caughtUp(connection),
      rollOverDue: (connection) => this.#rollOverDue(connection),
      identified: () => this.#announceConnectionId(),
      ended: (connection, reason) => this.#ended(connection, reason),
      notification: (frame) => this.#notification(frame),
      resumed: (frame, highest) => this.#resumed(frame, highest),
      report: (error) => this.#report(error),
    };
  }

  get state(): ClientState {
    return this.#state;
  }

  get stats(): ClientStats {
    return { ...this.#stats };
  }

  /**
   * The id of the connection serving the client (the one to address with NotifyConnection), once
   * the service has named it: in its `authorized` answer (mode `action`) or in a `pong`. In mode
   * `authorizer` the handshake names nothing: call ping() to learn it.
   */
  get connectionId(): string | undefined {
    return this.#primary?.connectionId;
  }

  /**
   * Sends a ping on the serving connection (after the request in flight, if any); its `pong` names
   * the connection (a 'connection' event). Returns false, sending nothing, when not authorized.
   */
  ping(): boolean {
    return this.#primary?.ping() ?? false;
  }

  /** Adds a listener; returns a function that removes it. */
  on<E extends EventName>(event: E, listener: NotifyClientEvents[E]): () => void {
    return this.#emitter.on(event, listener);
  }

  off<E extends EventName>(event: E, listener: NotifyClientEvents[E]): void {
    this.#emitter.off(event, listener);
  }

  /** Connects, and keeps connected until stop(). Does nothing when already started. */
  start(): void {
    if (this.#state !== 'stopped') return;
    const run = ++this.#run;
    this.#backoff.reset();
    this.#handshakeFailures = 0;
    this.#setState('connecting');
    if (this.#position !== undefined) {
      this.#connect(false);
      return;
    }
    let loaded: ReturnType<ClientSettings['cursorStore']['load']>;
    try {
      loaded = this.#settings.cursorStore.load();
    } catch (cause) {
      loaded = null;
      this.#storeFailed('load', cause);
    }
    if (typeof loaded === 'object' && loaded !== null) {
      Promise.resolve(loaded).then(
        (seq) => run === this.#run && this.#begin(seq),
        (cause: unknown) => {
          if (run !== this.#run) return;
          this.#storeFailed('load', cause);
          this.#begin(null);
        },
      );
    } else {
      this.#begin(loaded);
    }
  }

  /**
   * Closes the connections and cancels every timer. No event is emitted once it is called, except
   * the 'stopped' state; it resolves when the sockets have closed (at most a few seconds).
   */
  stop(): Promise<void> {
    if (this.#state === 'stopped') return this.#stopped;
    this.#run += 1;
    const closing: Promise<void>[] = [];
    for (const connection of [this.#primary, this.#candidate]) {
      if (connection === undefined) continue;
      this.#noteUnplacedEnd(connection);
      closing.push(connection.close());
    }
    this.#primary = undefined;
    this.#candidate = undefined;
    this.#timers.clearAll();
    this.#scheduler.cancelAll();
    this.#announcedConnectionId = undefined;
    this.#stopped = new Promise((resolve) => {
      const cancel = this.#scheduler.after(STOP_TIMEOUT_MS, resolve);
      void Promise.all(closing).then(() => {
        cancel();
        resolve();
      });
    });
    this.#setState('stopped');
    return this.#stopped;
  }

  #begin(saved: number | null): void {
    if (saved !== null && !(Number.isSafeInteger(saved) && saved >= 0)) {
      this.#storeFailed('load', new TypeError('the saved position is not an integer >= 0'));
      saved = null;
    }
    this.#position = new ResumePosition(saved, (seq) => this.#save(seq));
    this.#connect(false);
  }

  #connect(forceRefresh: boolean): void {
    const connection = new Connection(this.#host, forceRefresh);
    this.#candidate = connection;
    if (this.#primary === undefined) this.#setState('connecting');
    void connection.start();
  }

  async #fetchToken(forceRefresh: boolean): Promise<string> {
    let token: unknown;
    try {
      token = await this.#settings.getToken({ forceRefresh });
    } catch (cause) {
      throw new NotifyClientError('token_unavailable', 'getToken() failed', { cause });
    }
    if (typeof token !== 'string' || token === '') throw new NotifyClientError('token_unavailable', 'getToken() did not return a non-empty string');
    return token;
  }

  #opened(connection: Connection): void {
    this.#handshakeFailures = 0;
    if (connection === this.#candidate && this.#primary === undefined) this.#setState('open');
  }

  #authorized(connection: Connection, renewal: boolean): void {
    if (renewal) this.#stats.renewals += 1;
    else if (connection === this.#candidate && this.#primary === undefined) this.#promote(connection);
  }

  #caughtUp(connection: Connection): void {
    if (connection !== this.#candidate || this.#primary === undefined) return;
    this.#stats.rollOvers += 1;
    this.#promote(connection);
  }

  /** Makes `connection` the primary; the one it replaces (a roll-over) is closed. */
  #promote(connection: Connection): void {
    const previous = this.#primary;
    this.#primary = connection;
    this.#candidate = undefined;
    if (previous !== undefined) {
      this.#resetBackoffIfStable(previous);
      void previous.close();
    }
    this.#setState('authorized');
    this.#announceConnectionId();
  }

  #rollOverDue(connection: Connection): void {
    if (connection === this.#primary && this.#candidate === undefined) this.#connect(false);
  }

  #ended(connection: Connection, reason: EndReason): void {
    this.#noteUnplacedEnd(connection);
    if (connection === this.#primary) {
      this.#primary = undefined;
      this.#resetBackoffIfStable(connection);
      const candidate = this.#candidate;
      if (candidate === undefined) {
        this.#reconnectLater();
      } else {
        this.#stats.rollOvers += 1; // the roll-over's connection takes over before it caught up
        if (candidate.phase === 'authorized') this.#promote(candidate);
        else this.#setState(candidate.phase === 'open' ? 'open' : 'connecting');
      }
      this.#announceConnectionId();
      return;
    }
    if (connection !== this.#candidate) return;
    this.#candidate = undefined;
    if (reason === 'handshake') {
      this.#handshakeFailures += 1;
      // Browsers do not tell why a handshake failed: a refused token gets one retry with a fresh one.
      if (this.#settings.authMode === 'authorizer' && this.#handshakeFailures === 1) {
        this.#connect(true);
        return;
      }
      if (this.#handshakeFailures === (this.#settings.authMode === 'authorizer' ? 2 : 1)) {
        this.#report(new NotifyClientError('handshake_failed', 'the connection closed before it opened: the token was refused or the service is unreachable; retrying'));
        if (this.#state === 'stopped') return;
      }
    }
    if (this.#primary === undefined) this.#reconnectLater();
    else this.#timers.set('rollOver', this.#backoff.next(), () => this.#primary !== undefined && this.#rollOverDue(this.#primary));
  }

  #reconnectLater(): void {
    this.#stats.reconnects += 1;
    this.#setState('reconnecting');
    this.#timers.set('reconnect', this.#backoff.next(), () => this.#connect(false));
  }

  #noteUnplacedEnd(connection: Connection): void {
    if (connection.wasAuthorized && this.#position?.after === TAIL) this.#startUnplaced = true;
  }

  #resetBackoffIfStable(connection: Connection): void {
    const openedAt = connection.openedAt;
    if (openedAt !== undefined && this.#scheduler.now() - openedAt >= STABLE_CONNECTION_MS) this.#backoff.reset();
  }

  #notification(frame: NotificationFrame): void {
    const position = this.#position;
    if (frame.seq !== undefined && position !== undefined) {
      position.received(frame.seq);
      if (position.hasGap && !this.#timers.has('gapCheck')) {
        this.#timers.set('gapCheck', GAP_CHECK_DELAY_MS, () => position.hasGap && this.#primary?.resume());
      }
    }
    if (!this.#recent.add(frame.id)) {
      this.#stats.duplicates += 1;
      return;
    }
    this.#stats.delivered += 1;
    this.#emit('notification', frame.seq === undefined ? { id: frame.id, data: frame.data } : { id: frame.id, seq: frame.seq, data: frame.data });
  }

  #resumed(frame: ResumedFrame, highest: number | undefined): void {
    const position = this.#position;
    if (position === undefined) return;
    let truncated = frame.truncated;
    if (frame.more) {
      if (highest !== undefined) position.confirm(highest);
    } else if (position.settle(frame.after, frame.latest)) {
      truncated = true;
    }
    if (frame.after === TAIL && this.#startUnplaced) {
      // Where the client started cannot be told any more: the application reloads its state.
      this.#startUnplaced = false;
      truncated = true;
    }
    if (truncated) this.#emit('truncated');
  }

  /** Emits 'connection' when connectionId has changed since it was last announced. */
  #announceConnectionId(): void {
    const connectionId = this.connectionId;
    if (connectionId === this.#announcedConnectionId || this.#state === 'stopped') return;
    this.#announcedConnectionId = connectionId;
    this.#emit('connection', connectionId);
  }

  #save(seq: number): void {
    try {
      this.#settings.cursorStore.save(seq);
      this.#storeFailing = false;
    } catch (cause) {
      // Reported once until a save succeeds again, not for every notification.
      if (!this.#storeFailing) this.#storeFailed('save', cause);
      this.#storeFailing = true;
    }
  }

  #storeFailed(operation: 'load' | 'save', cause: unknown): void {
    this.#report(new NotifyClientError('cursor_store_failed', `the cursor store could not ${operation} the position`, { cause }));
  }

  #report(error: NotifyClientError): void {
    this.#emit('error', error);
  }

  #setState(state: ClientState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emitter.emit('state', state);
  }

  /** Every event but the 'stopped' state goes through here: nothing is emitted once stopped. */
  #emit<E extends Exclude<EventName, 'state'>>(event: E, ...args: Parameters<NotifyClientEvents[E]>): void {
    if (this.#state !== 'stopped') this.#emitter.emit(event, ...args);
  }
}
