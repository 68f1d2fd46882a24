/**
 * The local web console of `npm start`, served on the gateway's port through its HTTP fallback:
 * the page (`/`), a live view over Server-Sent Events (`/api/events`: connection table, queue
 * depths, recent events), a token endpoint for the demo clients (`POST /api/token`, loopback and
 * same-origin only, generated-key stages only) and "report ready" (`POST /api/report-ready`,
 * NotifyUser through the real SQS client). See docs/console.md.
 *
 * The handler exists before the stack does (the gateway needs it at construction); the stack is
 * attached once it has started:
 *
 * @example
 * const localConsole = new LocalConsole();                      // starts bundling the page
 * const stack = await startLocalStack({ port: 0, httpFallback: localConsole.handler });
 * await localConsole.attach(stack);                              // the page is served from now on
 * // …
 * await localConsole.close();                                    // ends the event streams
 * await stack.close();
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { StageConfig } from '../../../infra/stages';
import {
  CONSOLE_PATHS,
  type ConnectionsUpdate,
  type ConsoleErrorBody,
  type ConsoleInfo,
  type ConsoleStreamEvents,
  type QueuesUpdate,
} from '../../console/console-api';
import { redactString } from '../../commons/redaction';
import type { StageEndpoints } from '../../tooling/endpoints-file';
import type { FunctionInvocationEvent } from '../functions/function-events';
import type { HttpFallbackHandler, WebSocketGatewayEventMap } from '../gateway';
import type { PollerBatchEvent } from '../pollers/poller-events';
import type { LocalClientConfig } from '../services/aws-client-config';
import type { EmbeddedQueue } from '../services/embedded-sqs';
import { canIssueTokens, CONSOLE_TOKEN_TTL_SECONDS, issueConsoleToken, ReportCounter, sendReportReady } from './console-actions';
import { queueRefs, SdkConsoleBackend, type ConsoleBackend } from './console-backend';
import { buildConsolePage, type ConsolePage } from './console-page';
import { buildConnectionRows, type LiveConnection } from './connection-rows';
import {
  describeBatch,
  describeDisconnect,
  describeFailedInvocation,
  describeHandshake,
  describeManagement,
  describeRoute,
  describeWarning,
  EventFeed,
  type FeedEntry,
} from './event-feed';
import { EventStreamHub } from './event-stream';
import { checkConsoleMutation, checkConsoleRequest, type GuardRefusal } from './request-guard';

/** What the console uses of a LocalStack (a LocalStack is one). */
export interface ConsoleStack {
  readonly stage: StageConfig;
  readonly endpoints: StageEndpoints;
  readonly gateway: {
    connections(): Iterable<LiveConnection>;
    on<K extends keyof WebSocketGatewayEventMap>(event: K, listener: (...args: WebSocketGatewayEventMap[K]) => void): unknown;
    off<K extends keyof WebSocketGatewayEventMap>(event: K, listener: (...args: WebSocketGatewayEventMap[K]) => void): unknown;
  };
  readonly dynamodb: { readonly clientConfig: LocalClientConfig };
  readonly sqs: { readonly clientConfig: LocalClientConfig; readonly queues: Readonly<Record<string, EmbeddedQueue>> };
  onInvocation(listener: (event: FunctionInvocationEvent) => void): () => void;
  onBatch(listener: (event: PollerBatchEvent) => void): () => void;
}

export interface ConsoleLogEntry {
  readonly level: 'info' | 'warn' | 'error';
  /** Never carries a token (and goes through redactString all the same). */
  readonly message: string;
}

export interface LocalConsoleOptions {
  /** The console's own warnings (a failed scan, a failed request). Default: dropped. */
  readonly onLog?: (entry: ConsoleLogEntry) => void;
  /** How often an open page gets fresh queue depths and table rows without an event. Default 2000 ms. */
  readonly refreshIntervalMs?: number;
  /** How the console reads the table and queues and sends to NotifyUser. Default: the AWS SDK clients against the stack's services. */
  readonly backend?: (stack: ConsoleStack) => ConsoleBackend;
  /** The page; default buildConsolePage() (started at construction). */
  readonly page?: () => Promise<ConsolePage>;
}

/** Largest POST body the console reads. */
export const MAX_BODY_BYTES = 4096;
/** Events closer together than this cause one refresh. */
const COALESCE_MS = 25;

class RequestBodyTooLargeError extends Error {
  override readonly name = 'RequestBodyTooLargeError';
}

const BASE_HEADERS: OutgoingHttpHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function sendJson(res: ServerResponse, status: number, body: unknown, extra: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: string, message: string, extra?: OutgoingHttpHeaders): void {
  const body: ConsoleErrorBody = { error, message };
  sendJson(res, status, body, extra);
}

function sendRefusal(res: ServerResponse, refusal: GuardRefusal): void {
  sendError(res, refusal.status, refusal.code, refusal.message);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new RequestBodyTooLargeError(`the body is over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function errorText(error: unknown): string {
  return redactString(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

type RefreshKind = 'connections' | 'queues';

/** One kind of refresh: a pending coalesced run, the run in progress, and whether to run once more after it. */
interface RefreshState {
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  again: boolean;
}

interface Attached {
  readonly stack: ConsoleStack;
  readonly backend: ConsoleBackend;
  readonly info: ConsoleInfo;
  readonly queueNames: ReadonlyMap<string, string>;
  readonly detach: readonly (() => void)[];
  readonly refreshTimer: NodeJS.Timeout;
}

export class LocalConsole {
  /** Pass this as `httpFallback` to startLocalStack. Before attach() it answers 503. */
  readonly handler: HttpFallbackHandler;

  readonly #options: LocalConsoleOptions;
  readonly #page: Promise<ConsolePage>;
  readonly #hub = new EventStreamHub();
  readonly #feed = new EventFeed();
  readonly #reports = new ReportCounter();
  #attached: Attached | undefined;
  #closed = false;
  #connections: ConnectionsUpdate = { connections: [] };
  #queues: QueuesUpdate = { queues: [] };
  /** What each snapshot stream last sent, as JSON: an unchanged snapshot is not sent again. */
  readonly #lastSent = new Map<'connections' | 'queues', string>();
  readonly #refresh: Record<RefreshKind, RefreshState> = {
    connections: { timer: undefined, running: undefined, again: false },
    queues: { timer: undefined, running: undefined, again: false },
  };

  constructor(options: LocalConsoleOptions = {}) {
    this.#options = options;
    this.#page = (options.page ?? (() => buildConsolePage()))();
    // A build failure is reported by attach(); until then it must not be an unhandled rejection.
    this.#page.catch(() => undefined);
    this.handler = (req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#log('error', `console request ${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''} failed: ${errorText(error)}`);
        if (!res.headersSent) sendError(res, 500, 'internal_error', 'the console could not answer');
        else res.destroy();
      });
    };
  }

  /** Connects the console to the started stack and waits for the page to be built (a build failure rejects). */
  async attach(stack: ConsoleStack): Promise<ConsolePage> {
    if (this.#closed) throw new Error('the console has been closed');
    if (this.#attached !== undefined) throw new Error('the console is already attached to a stack');
    const page = await this.#page;
    const queues = Object.values(stack.sqs.queues);
    const backend =
      this.#options.backend?.(stack) ??
      new SdkConsoleBackend({ dynamodb: stack.dynamodb.clientConfig, sqs: stack.sqs.clientConfig, tableName: stack.endpoints.tableName, queues: queueRefs(queues) });
    const gateway = stack.gateway;
    const on = <K extends keyof WebSocketGatewayEventMap>(event: K, listener: (...args: WebSocketGatewayEventMap[K]) => void): (() => void) => {
      gateway.on(event, listener);
      return () => void gateway.off(event, listener);
    };
    const connectionsChanged = () => this.#schedule('connections');
    const detach = [
      on('handshake', (event) => this.#publish(describeHandshake(event))),
      on('connection', connectionsChanged),
      on('route', (event) => {
        this.#publish(describeRoute(event));
        connectionsChanged();
      }),
      on('management', (event) => {
        this.#publish(describeManagement(event));
        connectionsChanged();
      }),
      on('disconnect', (event) => {
        this.#publish(describeDisconnect(event));
        connectionsChanged();
      }),
      on('warning', (warning) => this.#publish(describeWarning(warning))),
      stack.onBatch((event) => {
        this.#publish(describeBatch(event, this.#attached?.queueNames.get(event.queueId) ?? event.queueId));
        this.#schedule('queues');
      }),
      stack.onInvocation((event) => {
        if (event.type !== 'end') return;
        const entry = describeFailedInvocation(event);
        if (entry !== undefined) this.#publish(entry);
      }),
    ];
    const refreshIntervalMs = this.#options.refreshIntervalMs ?? 2000;
    const refreshTimer = setInterval(() => {
      if (this.#hub.size === 0) return;
      this.#schedule('connections');
      this.#schedule('queues');
    }, refreshIntervalMs).unref();
    this.#attached = {
      stack,
      backend,
      info: {
        stage: stack.stage.name,
        authMode: stack.stage.authMode,
        websocketUrl: stack.endpoints.websocketUrl,
        tokens: canIssueTokens(stack.stage),
        tokenTtlSeconds: CONSOLE_TOKEN_TTL_SECONDS,
      },
      queueNames: new Map(queues.map((queue) => [queue.logicalId, queue.name])),
      detach,
      refreshTimer,
    };
    return page;
  }

  /** Pages with an open event stream. */
  get streamCount(): number {
    return this.#hub.size;
  }

  /** Ends every event stream, stops listening to the stack and releases the SDK clients. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.close();
    const attached = this.#attached;
    for (const kind of ['connections', 'queues'] as const) clearTimeout(this.#refresh[kind].timer);
    if (attached === undefined) return;
    clearInterval(attached.refreshTimer);
    for (const detach of attached.detach) detach();
    await Promise.all([this.#refresh.connections.running, this.#refresh.queues.running]);
    attached.backend.destroy();
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────────────────

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = { remoteAddress: req.socket.remoteAddress, localPort: req.socket.localPort, headers: req.headers };
    const refused = checkConsoleRequest(request);
    if (refused !== undefined) {
      req.resume();
      sendRefusal(res, refused);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://console.invalid').pathname;
    const method = req.method ?? 'GET';

    if (method === 'POST' && (path === CONSOLE_PATHS.token || path === CONSOLE_PATHS.reportReady)) {
      const mutation = checkConsoleMutation(request);
      if (mutation !== undefined) {
        req.resume();
        sendRefusal(res, mutation);
        return;
      }
      let body: string;
      try {
        body = await readBody(req);
      } catch (error) {
        if (error instanceof RequestBodyTooLargeError) {
          sendError(res, 413, 'payload_too_large', error.message, { Connection: 'close' });
          return;
        }
        throw error;
      }
      await (path === CONSOLE_PATHS.token ? this.#token(res, body) : this.#reportReady(res, body));
      return;
    }
    req.resume();
    if (method !== 'GET' && method !== 'HEAD') {
      sendError(res, 405, 'method_not_allowed', `${method} is not allowed here`, { Allow: 'GET' });
      return;
    }
    if (path === CONSOLE_PATHS.page || path === CONSOLE_PATHS.staticPage) {
      await this.#sendPage(res, path === CONSOLE_PATHS.staticPage);
      return;
    }
    if (path.startsWith(CONSOLE_PATHS.reportsPrefix)) {
      this.#sendReport(res, path.slice(CONSOLE_PATHS.reportsPrefix.length));
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204, BASE_HEADERS).end();
      return;
    }
    if (path === CONSOLE_PATHS.events && method !== 'GET') {
      sendError(res, 405, 'method_not_allowed', `${method} is not allowed here`, { Allow: 'GET' });
      return;
    }
    if (path === CONSOLE_PATHS.info || path === CONSOLE_PATHS.events) {
      const attached = this.#attached;
      if (attached === undefined || this.#closed) {
        sendError(res, 503, 'not_ready', this.#closed ? 'the console has stopped' : 'the local stack is starting');
        return;
      }
      if (path === CONSOLE_PATHS.info) sendJson(res, 200, attached.info);
      else await this.#openStream(res, attached);
      return;
    }
    sendError(res, 404, 'not_found', `nothing at ${path}`);
  }

  async #sendPage(res: ServerResponse, asDownload: boolean): Promise<void> {
    const page = await this.#page;
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': page.html.length,
      'Content-Security-Policy': page.contentSecurityPolicy,
      'X-Frame-Options': 'DENY',
      ...(asDownload ? { 'Content-Disposition': 'attachment; filename="ws-notify-console.html"' } : {}),
    });
    res.end(page.html);
  }

  #sendReport(res: ServerResponse, id: string): void {
    if (!/^\d{1,9}$/.test(id)) {
      sendError(res, 404, 'not_found', 'no such report');
      return;
    }
    const text = `Report ${id}\n\nA stand-in for the download your application's REST API would serve; the local console answers it so the demo link works.\n`;
    res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  async #token(res: ServerResponse, body: string): Promise<void> {
    const attached = this.#requireAttached(res);
    if (attached === undefined) return;
    const result = await issueConsoleToken(attached.stack.stage, body);
    if (result.status === 200) this.#publish({ kind: 'console', level: 'info', text: `token issued for a demo client (valid ${CONSOLE_TOKEN_TTL_SECONDS / 60} min)` });
    sendJson(res, result.status, result.body);
  }

  async #reportReady(res: ServerResponse, body: string): Promise<void> {
    const attached = this.#requireAttached(res);
    if (attached === undefined) return;
    const result = await sendReportReady((userId, data) => attached.backend.notifyUser(userId, data), this.#reports, body);
    if (result.status === 200) {
      this.#publish({ kind: 'console', level: 'info', text: `report ready: ${result.body.download} → NotifyUser (message ${result.body.messageId})` });
      this.#schedule('queues');
    }
    sendJson(res, result.status, result.body);
  }

  #requireAttached(res: ServerResponse): Attached | undefined {
    if (this.#attached !== undefined && !this.#closed) return this.#attached;
    sendError(res, 503, 'not_ready', this.#closed ? 'the console has stopped' : 'the local stack is starting');
    return undefined;
  }

  async #openStream(res: ServerResponse, attached: Attached): Promise<void> {
    // The first page of a quiet console gets fresh rows and depths rather than old ones.
    await Promise.all([this.#refreshNow('connections'), this.#refreshNow('queues')]);
    if (res.destroyed) return;
    this.#hub.open(res, 'snapshot', {
      info: attached.info,
      ...this.#connections,
      queues: this.#queues,
      events: this.#feed.recent(),
    });
  }

  // ── Live state ────────────────────────────────────────────────────────────────────────

  #publish(entry: FeedEntry): void {
    if (this.#closed) return;
    this.#hub.send('feed', this.#feed.add(entry));
  }

  /** A refresh soon (events close together cause one), only while a page is watching. */
  #schedule(kind: RefreshKind): void {
    const state = this.#refresh[kind];
    if (this.#closed || this.#hub.size === 0 || state.timer !== undefined) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.#refreshNow(kind);
    }, COALESCE_MS);
  }

  /** Runs one refresh; a request during a run causes one more run after it. */
  #refreshNow(kind: RefreshKind): Promise<void> {
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

  async #refreshConnections(): Promise<void> {
    const attached = this.#attached;
    if (attached === undefined || this.#closed) return;
    let update: ConnectionsUpdate;
    try {
      const records = await attached.backend.scanConnections();
      update = { connections: buildConnectionRows(attached.stack.gateway.connections(), records, Date.now()) };
    } catch (error) {
      if (this.#closed) return;
      const message = `DynamoDB Scan failed: ${errorText(error)}`;
      if (this.#connections.error !== message) this.#log('warn', message);
      update = { connections: buildConnectionRows(attached.stack.gateway.connections(), [], Date.now()), error: message };
    }
    if (this.#closed) return;
    this.#connections = update;
    this.#sendIfChanged('connections', update);
  }

  async #refreshQueues(): Promise<void> {
    const attached = this.#attached;
    if (attached === undefined || this.#closed) return;
    let update: QueuesUpdate;
    try {
      update = { queues: await attached.backend.queueDepths() };
    } catch (error) {
      if (this.#closed) return;
      const message = `SQS GetQueueAttributes failed: ${errorText(error)}`;
      if (this.#queues.error !== message) this.#log('warn', message);
      update = { queues: this.#queues.queues, error: message };
    }
    if (this.#closed) return;
    this.#queues = update;
    this.#sendIfChanged('queues', update);
  }

  #sendIfChanged<K extends 'connections' | 'queues'>(stream: K, update: ConsoleStreamEvents[K]): void {
    const json = JSON.stringify(update);
    if (json === this.#lastSent.get(stream)) return;
    this.#lastSent.set(stream, json);
    this.#hub.send(stream, update);
  }

  #log(level: ConsoleLogEntry['level'], message: string): void {
    this.#options.onLog?.({ level, message: redactString(message) });
  }
}
