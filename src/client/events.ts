/** The client's events and a small typed emitter for them. */
import { NotifyClientError } from './errors';

/** Where the client is: see docs/client.md for each state. */
export type ClientState = 'connecting' | 'open' | 'authorized' | 'reconnecting' | 'stopped';

/** A notification as the application receives it. */
export interface Notification {
  readonly id: string;
  /** The position in the user's inbox; absent for notifications sent to one connection. */
  readonly seq?: number;
  readonly data: unknown;
}

export interface NotifyClientEvents {
  notification: (notification: Notification) => void;
  state: (state: ClientState) => void;
  /**
   * The serving connection's id changed: a new connection serves (undefined until the service names
   * it, see NotifyClient.connectionId), its id became known, or none serves.
   */
  connection: (connectionId: string | undefined) => void;
  /** The service could not replay everything missed (past retention): reload the application's state. */
  truncated: () => void;
  error: (error: NotifyClientError) => void;
}

export type EventName = keyof NotifyClientEvents;

/**
 * Calls listeners in the order they were added. A listener that throws does not stop the others
 * nor the client: it is reported as a `listener_failed` error (except from an error listener).
 */
export class Emitter {
  readonly #listeners = new Map<EventName, Set<(...args: never[]) => void>>();

  on<E extends EventName>(event: E, listener: NotifyClientEvents[E]): () => void {
    let listeners = this.#listeners.get(event);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener);
    return () => this.off(event, listener);
  }

  off<E extends EventName>(event: E, listener: NotifyClientEvents[E]): void {
    this.#listeners.get(event)?.delete(listener);
  }

  emit<E extends EventName>(event: E, ...args: Parameters<NotifyClientEvents[E]>): void {
    const listeners = this.#listeners.get(event);
    if (listeners === undefined) return;
    for (const listener of [...listeners]) {
      try {
        (listener as (...values: Parameters<NotifyClientEvents[E]>) => void)(...args);
      } catch (cause) {
        if (event !== 'error') this.emit('error', new NotifyClientError('listener_failed', `a '${event}' listener threw`, { cause }));
      }
    }
  }
}
