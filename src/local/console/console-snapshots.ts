/** The console's two live snapshots, the connection table and the queue depths, sent to the pages when they change. */
import type { ConsoleStreamEvents } from '../../console/console-api';
import { redactString } from '../../commons/redaction';
import type { ConnectionRecord } from '../../commons/connection-record';
import type { SdkConsoleBackend } from './console-backend';
import { buildConnectionRows, type LiveConnection } from './connection-rows';
import type { EventStreamHub } from './event-stream';

export type SnapshotKind = 'connections' | 'queues';

type Snapshots = Pick<ConsoleStreamEvents, SnapshotKind>;

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
  readonly #latest: Snapshots = { connections: { connections: [] }, queues: { queues: [] } };
  #closed = false;
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

  /** The last snapshots read: what a new page starts from. */
  get latest(): Readonly<Snapshots> {
    return this.#latest;
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
      while (!this.#closed) {
        state.again = false;
        await (kind === 'connections' ? this.#refreshConnections() : this.#refreshQueues());
        if (!state.again) return;
      }
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

  /** The gateway's open connections joined with the table's records; without the records when the Scan fails. */
  async #refreshConnections(): Promise<void> {
    let records: ConnectionRecord[] = [];
    let error: string | undefined;
    try {
      records = await this.backend.scanConnections();
    } catch (cause) {
      error = `DynamoDB Scan failed: ${errorText(cause)}`;
    }
    this.#update('connections', { connections: buildConnectionRows(this.liveConnections(), records, Date.now()), error });
  }

  /** The depths of the queues; the last known ones when GetQueueAttributes fails. */
  async #refreshQueues(): Promise<void> {
    let { queues } = this.#latest.queues;
    let error: string | undefined;
    try {
      queues = await this.backend.queueDepths();
    } catch (cause) {
      error = `SQS GetQueueAttributes failed: ${errorText(cause)}`;
    }
    this.#update('queues', { queues, error });
  }

  /** Keeps a snapshot and sends it to the pages when it changed; an error is logged when it is a new one. */
  #update<K extends SnapshotKind>(kind: K, update: ConsoleStreamEvents[K]): void {
    if (this.#closed) return;
    const previous = this.#latest[kind];
    if (update.error !== undefined && update.error !== previous.error) this.warn(update.error);
    this.#latest[kind] = update;
    if (JSON.stringify(update) !== JSON.stringify(previous)) this.hub.send(kind, update);
  }
}
