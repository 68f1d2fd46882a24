/**
 * The console's two live snapshots, the connection table and the queue depths: refreshed soon
 * after a stack event (events close together cause one refresh) or on a timer while a page
 * watches, sent to the pages only when they changed.
 */
import type { ConnectionsUpdate, ConsoleStreamEvents, QueuesUpdate } from '../../console/console-api';
import { redactString } from '../../commons/redaction';
import type { SdkConsoleBackend } from './console-backend';
import { buildConnectionRows, type LiveConnection } from './connection-rows';
import type { EventStreamHub } from './event-stream';

export type SnapshotKind = 'connections' | 'queues';

/** Events closer together than this cause one refresh. */
const COALESCE_MS = 25;

/** One kind of refresh: a pending coalesced run, the run in progress, and whether to run once more after it. */
interface RefreshState {
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  again: boolean;
}

export function errorText(error: unknown): string {
  return redactString(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

export class ConsoleSnapshots {
  #connections: ConnectionsUpdate = { connections: [] };
  #queues: QueuesUpdate = { queues: [] };
  #closed = false;
  /** What each snapshot stream last sent, as JSON: an unchanged snapshot is not sent again. */
  readonly #lastSent = new Map<SnapshotKind, string>();
  readonly #refresh: Record<SnapshotKind, RefreshState> = {
    connections: { timer: undefined, running: undefined, again: false },
    queues: { timer: undefined, running: undefined, again: false },
  };

  constructor(
    private readonly hub: EventStreamHub,
    private readonly backend: SdkConsoleBackend,
    private readonly liveConnections: () => Iterable<LiveConnection>,
    private readonly warn: (message: string) => void,
  ) {}

  get connections(): ConnectionsUpdate {
    return this.#connections;
  }

  get queues(): QueuesUpdate {
    return this.#queues;
  }

  /** A refresh soon (events close together cause one), only while a page is watching. */
  schedule(kind: SnapshotKind): void {
    const state = this.#refresh[kind];
    if (this.#closed || this.hub.size === 0 || state.timer !== undefined) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.refreshNow(kind);
    }, COALESCE_MS);
  }

  /** Runs one refresh; a request during a run causes one more run after it. */
  refreshNow(kind: SnapshotKind): Promise<void> {
    const state = this.#refresh[kind];
    if (state.running !== undefined) {
      state.again = true;
      return state.running;
    }
    const run = async (): Promise<void> => {
      do {
        state.again = false;
        if (kind === 'connections') await this.#refreshConnections();
        else await this.#refreshQueues();
      } while (state.again && !this.#closed);
    };
    state.running = run().finally(() => {
      state.running = undefined;
    });
    return state.running;
  }

  /** Stops refreshing; resolves once the refreshes in progress are over. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const state of Object.values(this.#refresh)) clearTimeout(state.timer);
    await Promise.all([this.#refresh.connections.running, this.#refresh.queues.running]);
  }

  async #refreshConnections(): Promise<void> {
    if (this.#closed) return;
    let update: ConnectionsUpdate;
    try {
      const records = await this.backend.scanConnections();
      update = { connections: buildConnectionRows(this.liveConnections(), records, Date.now()) };
    } catch (error) {
      if (this.#closed) return;
      const message = `DynamoDB Scan failed: ${errorText(error)}`;
      if (this.#connections.error !== message) this.warn(message);
      update = { connections: buildConnectionRows(this.liveConnections(), [], Date.now()), error: message };
    }
    if (this.#closed) return;
    this.#connections = update;
    this.#sendIfChanged('connections', update);
  }

  async #refreshQueues(): Promise<void> {
    if (this.#closed) return;
    let update: QueuesUpdate;
    try {
      update = { queues: await this.backend.queueDepths() };
    } catch (error) {
      if (this.#closed) return;
      const message = `SQS GetQueueAttributes failed: ${errorText(error)}`;
      if (this.#queues.error !== message) this.warn(message);
      update = { queues: this.#queues.queues, error: message };
    }
    if (this.#closed) return;
    this.#queues = update;
    this.#sendIfChanged('queues', update);
  }

  #sendIfChanged<K extends SnapshotKind>(stream: K, update: ConsoleStreamEvents[K]): void {
    const json = JSON.stringify(update);
    if (json === this.#lastSent.get(stream)) return;
    this.#lastSent.set(stream, json);
    this.hub.send(stream, update);
  }
}
