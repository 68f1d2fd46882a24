/**
 * The contract between the console page (this directory, runs in the browser) and the local
 * console server (src/local/console, runs in `npm start`): paths, the header that marks the
 * page's own requests, and the JSON shapes of the API and of the Server-Sent Events stream.
 * Types and constants only, so both sides import it without pulling code across.
 */

/** Auth mode of a stage (docs/auth.md). */
export type ConsoleAuthMode = 'authorizer' | 'action';

export const CONSOLE_PATHS = {
  page: '/',
  /** The same page as a download, for use as a static file against a deployed stage. */
  staticPage: '/ws-notify-console.html',
  info: '/api/info',
  events: '/api/events',
  token: '/api/token',
  reportReady: '/api/report-ready',
  /** Demo downloads the notifications link to: `/reports/<n>`. */
  reportsPrefix: '/reports/',
} as const;

/**
 * Every POST of the page carries this header. A page on another origin cannot send a custom
 * header without a CORS preflight, which the console never approves.
 */
export const CONSOLE_REQUEST_HEADER = 'x-ws-notify-console';

/** GET /api/info */
export interface ConsoleInfo {
  readonly stage: string;
  readonly authMode: ConsoleAuthMode;
  readonly websocketUrl: string;
  /** True when the stage lets the console sign tokens (`consoleTokens`, generated keys), so POST /api/token can issue them. */
  readonly tokens: boolean;
  /** Lifetime of the tokens POST /api/token issues. */
  readonly tokenTtlSeconds: number;
  /** The stage's connection limits (`npm start --max-connection-duration`, `--idle-timeout`), which the demo clients keep to. */
  readonly limits: ConsoleLimits;
}

/** A stage's connection limits, named as the client library names them. */
export interface ConsoleLimits {
  readonly maxConnectionSeconds: number;
  readonly idleTimeoutSeconds: number;
}

/** POST /api/token `{"userId"}` → */
export interface TokenResponse {
  readonly token: string;
  /** The token's `exp`, unix seconds. */
  readonly expiresAt: number;
}

/** POST /api/report-ready `{"userId"}` → */
export interface ReportReadyResponse {
  /** The NotifyUser queue message id (the notification's id, as no `id` is given). */
  readonly messageId: string;
  /** `/reports/<n>`: the notification's `data.download`. */
  readonly download: string;
}

/** Error body of every API response that is not 2xx. */
export interface ConsoleErrorBody {
  readonly error: string;
  readonly message: string;
}

/**
 * State of a row of the connection table:
 * `pending` / `authorized` / `expired` from the DynamoDB record of an open connection;
 * `no-record` an open connection without a record (between the deadline's delete and the close);
 * `closing` the gateway is closing it; `record-only` a record whose connection is gone (until
 * `$disconnect` deletes it).
 */
export type ConnectionRowState = 'pending' | 'authorized' | 'expired' | 'no-record' | 'closing' | 'record-only';

export interface ConnectionRow {
  readonly connectionId: string;
  readonly state: ConnectionRowState;
  readonly userId?: string;
  readonly authMode?: ConsoleAuthMode;
  /** The token's `exp`, unix seconds. */
  readonly expiresAt?: number;
  /** ms since epoch. */
  readonly connectedAt: number;
  /** ms since epoch; known for open connections. */
  readonly lastActiveAt?: number;
  readonly sourceIp?: string;
}

export interface QueueDepth {
  /** Logical name: `NotifyUser`, `NotifyUserDeadLetter`, … */
  readonly name: string;
  /** Set on a dead-letter queue: the queue that redrives to it. */
  readonly deadLetterOf?: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export type FeedKind =
  | 'handshake'
  | 'route'
  | 'delivery'
  | 'gone'
  | 'management'
  | 'disconnect'
  | 'batch'
  /** A notification stored in the user's inbox, and to how many connections it went. */
  | 'notification'
  | 'function'
  | 'console'
  | 'warning';

export interface FeedEvent {
  /** Increasing per console. */
  readonly seq: number;
  /** ms since epoch. */
  readonly at: number;
  readonly kind: FeedKind;
  readonly level: 'info' | 'warn' | 'error';
  readonly text: string;
  readonly connectionId?: string;
}

export interface QueuesUpdate {
  readonly queues: readonly QueueDepth[];
  /** Set when the last GetQueueAttributes failed (the depths are then the last known). */
  readonly error?: string;
}

export interface ConnectionsUpdate {
  readonly connections: readonly ConnectionRow[];
  /** Set when the last table scan failed (the rows then come from the gateway alone). */
  readonly error?: string;
}

/**
 * The metrics the functions recorded since the stack started, added up from their EMF log lines as
 * CloudWatch would (docs/operations.md, "Metrics"): counters with their totals, timings with their
 * p50, p99 and max over the last 1,000 values.
 */
export interface MetricsUpdate {
  readonly counters: readonly MetricCounter[];
  readonly timings: readonly MetricTiming[];
}

export interface MetricCounter {
  /** `ConnectionsOpened`, `HandshakesRefused`, … */
  readonly name: string;
  /** Its dimensions besides `service` and `stage` (`reason` of HandshakesRefused). */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly total: number;
}

export interface MetricTiming {
  /** `DeliveryLatency`. */
  readonly name: string;
  /** Values recorded in all. */
  readonly count: number;
  /** Milliseconds, over the last 1,000 values (0 before the first). */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** The first event of the stream. */
export interface ConsoleSnapshot extends ConnectionsUpdate {
  readonly info: ConsoleInfo;
  readonly queues: QueuesUpdate;
  readonly events: readonly FeedEvent[];
  readonly metrics: MetricsUpdate;
}

/** Server-Sent Event names and their `data` (JSON). */
export interface ConsoleStreamEvents {
  snapshot: ConsoleSnapshot;
  connections: ConnectionsUpdate;
  queues: QueuesUpdate;
  feed: FeedEvent;
  metrics: MetricsUpdate;
}
