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
  /** The last snapshots read: what a new page starts from. */
  readonly latest: Snapshots = { connections: { connections: [] }, queues: { queues: [] } };
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
    state.again = state.running !== undefined;
    state.running ??= (async () => {
      try {
        do {
          state.again = false;
          await this.#read(kind);
        } while (state.again && !this.#closed);
      } finally {
        state.running = undefined;
      }
    })();
    return state.running;
  }

  /** Stops refreshing; resolves once the refreshes in progress are over. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const state of Object.values(this.#refresh)) clearTimeout(state.timer);
    await Promise.all([this.#refresh.connections.running, this.#refresh.queues.running]);
  }

  /**
   * Reads one snapshot (the gateway's open connections joined with the table's records, or the
   * queue depths) and sends it to the pages when it changed. A failed Scan gives the connections
   * without their records, a failed GetQueueAttributes the last known depths; a new error is logged.
   */
  async #read(kind: SnapshotKind): Promise<void> {
    let records: ConnectionRecord[] = [];
    let { queues } = this.latest.queues;
    let error: string | undefined;
    try {
      if (kind === 'connections') records = await this.backend.scanConnections();
      else queues = await this.backend.queueDepths();
    } catch (cause) {
      error = `${kind === 'connections' ? 'DynamoDB Scan' : 'SQS GetQueueAttributes'} failed: ${errorText(cause)}`;
    }
    if (this.#closed) return;
    const previous = this.latest[kind];
    if (error !== undefined && error !== previous.error) this.warn(error);
    if (kind === 'connections') this.latest.connections = { connections: buildConnectionRows(this.liveConnections(), records, Date.now()), error };
    else this.latest.queues = { queues, error };
    if (JSON.stringify(this.latest[kind]) !== JSON.stringify(previous)) this.hub.send(kind, this.latest[kind]);
  }
}
