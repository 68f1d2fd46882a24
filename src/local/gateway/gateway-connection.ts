import type { WebSocket } from 'ws';
import type { ServerClose } from './close-codes';
import type { ConnectionEventContext, WebSocketIdentity } from './event-builders';
import { FrameInspector } from './frame-inspector';

/** What observers see of a connection: the gateway's live view, read-only. */
export type ConnectionView = Readonly<Pick<GatewayConnection, 'connectionId' | 'connectedAt' | 'lastActiveAt' | 'identity' | 'authorizer' | 'state'>>;

/** One client connection: its socket, the parts its events share, its limits' state. */
export class GatewayConnection implements ConnectionEventContext {
  state: 'open' | 'closing' | 'closed' = 'open';
  /** Epoch milliseconds of the last frame from the client or message to it. */
  lastActiveAt: number;
  /** Set when the gateway (or `ws` on a protocol error) started the close. */
  serverClose: ServerClose | undefined;
  /** Data messages `ws` has delivered for this connection. */
  messagesDelivered = 0;
  /** Messages beyond this count are not dispatched (set when a close starts). */
  dispatchLimit = Number.POSITIVE_INFINITY;
  timer: NodeJS.Timeout | undefined;
  readonly frames: FrameInspector;

  constructor(
    readonly socket: WebSocket,
    readonly stage: string,
    readonly apiId: string,
    readonly connectionId: string,
    readonly connectedAt: number,
    readonly domainName: string,
    readonly identity: WebSocketIdentity,
    /** `requestContext.authorizer` of the connection's events, when it passed an authorizer. */
    readonly authorizer: Readonly<Record<string, string | number | null>> | undefined,
    maxFrameBytes: number,
  ) {
    this.lastActiveAt = connectedAt;
    this.frames = new FrameInspector(maxFrameBytes);
  }

  /** Sends a text (string) or binary (Buffer) frame, or a Buffer as text; false when the connection is no longer open. */
  send(data: string | Buffer, binary = typeof data !== 'string'): boolean {
    if (this.state !== 'open') return false;
    if (typeof data === 'string') this.socket.send(data);
    else this.socket.send(data, { binary });
    this.lastActiveAt = Date.now();
    return true;
  }
}
