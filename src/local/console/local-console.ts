/**
 * The local web console of `npm start`, served on the gateway's port through its HTTP fallback
 * (docs/console.md): this class wires the parts (one file per job) to a stack. Its handler exists
 * before the stack does (the gateway needs it at construction); attach() connects the started stack.
 */
import type { ServerResponse } from 'node:http';
import { CONSOLE_PATHS, type ConsoleInfo } from '../../console/console-api';
import { redactString } from '../../commons/redaction';
import type { HttpFallbackHandler } from '../gateway';
import type { LocalStack } from '../runtime';
import { canIssueTokens, CONSOLE_TOKEN_TTL_SECONDS, issueConsoleToken, sendReportReady } from './console-actions';
import { SdkConsoleBackend } from './console-backend';
import { routeConsoleRequest, sendError, sendJson } from './console-http';
import { ConsoleMetrics } from './console-metrics';
import { buildConsolePage, type ConsolePage } from './console-page';
import { ConsoleSnapshots, errorText } from './console-snapshots';
import { EventFeed, type FeedEntry } from './event-feed';
import { EventStreamHub } from './event-stream';
import { watchStackEvents } from './stack-events';

export interface LocalConsoleOptions {
  /** The console's own warnings (a failed scan, a failed request), without a token. Default: dropped. */
  readonly onLog?: (message: string) => void;
  /** How often an open page gets fresh queue depths and table rows without an event. Default 2000 ms. */
  readonly refreshIntervalMs?: number;
}

interface Attached {
  readonly stack: LocalStack;
  readonly backend: SdkConsoleBackend;
  readonly info: ConsoleInfo;
  readonly snapshots: ConsoleSnapshots;
  /** Stops the refreshes and the stack's listeners and releases the SDK clients. */
  readonly stop: () => Promise<void>;
}

export class LocalConsole {
  /** Pass this as `httpFallback` to startLocalStack. Before attach() it answers 503. */
  readonly handler: HttpFallbackHandler;

  readonly #options: LocalConsoleOptions;
  readonly #page: Promise<ConsolePage>;
  readonly #hub = new EventStreamHub();
  readonly #feed = new EventFeed();
  #lastReport = 0;
  readonly #metrics = new ConsoleMetrics(this.#hub);
  #attached: Attached | undefined;
  #closed = false;

  constructor(options: LocalConsoleOptions = {}) {
    this.#options = options;
    this.#page = buildConsolePage();
    // A build failure is reported by attach(); until then it must not be an unhandled rejection.
    this.#page.catch(() => undefined);
    this.handler = (req, res) => {
      routeConsoleRequest(req, res, this.#page, (path, response, body) => this.#api(path, response, body)).catch((error: unknown) => {
        this.#log(`console request ${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''} failed: ${errorText(error)}`);
        if (!res.headersSent) sendError(res, 500, 'internal_error', 'the console could not answer');
        else res.destroy();
      });
    };
  }

  /** Connects the console to the started stack and waits for the page to be built (a build failure rejects). */
  async attach(stack: LocalStack): Promise<ConsolePage> {
    if (this.#closed) throw new Error('the console has been closed');
    if (this.#attached !== undefined) throw new Error('the console is already attached to a stack');
    const page = await this.#page;
    const backend = new SdkConsoleBackend(stack);
    const snapshots = new ConsoleSnapshots(this.#hub, backend, () => stack.gateway.connections(), (message) => this.#log(message));
    const detach = watchStackEvents(stack, {
      publish: (entry) => this.#publish(entry),
      changed: (kind) => snapshots.schedule(kind),
      functionLine: (line) => this.#metrics.observe(line),
    });
    // schedule() does nothing while no page is watching.
    const refreshTimer = setInterval(() => (['connections', 'queues'] as const).forEach((kind) => snapshots.schedule(kind)), this.#options.refreshIntervalMs ?? 2000).unref();
    const info: ConsoleInfo = {
      stage: stack.stage.name,
      authMode: stack.stage.authMode,
      websocketUrl: stack.endpoints.websocketUrl,
      tokens: canIssueTokens(stack.stage),
      tokenTtlSeconds: CONSOLE_TOKEN_TTL_SECONDS,
      limits: { maxConnectionSeconds: stack.gateway.options.limits.maxConnectionDurationSeconds, idleTimeoutSeconds: stack.gateway.options.limits.idleTimeoutSeconds },
    };
    const stop = async (): Promise<void> => {
      clearInterval(refreshTimer);
      detach();
      await snapshots.close();
      backend.destroy();
    };
    this.#attached = { stack, backend, info, snapshots, stop };
    return page;
  }

  /** Ends every event stream, stops listening to the stack and releases the SDK clients. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.close();
    this.#metrics.close();
    await this.#attached?.stop();
  }

  /** The API routes, with the attached stack; 503 before attach() and after close(). */
  async #api(path: string, res: ServerResponse, body: string): Promise<void> {
    const attached = this.#attached;
    if (attached === undefined || this.#closed) {
      sendError(res, 503, 'not_ready', this.#closed ? 'the console has stopped' : 'the local stack is starting');
    } else if (path === CONSOLE_PATHS.info) {
      sendJson(res, 200, attached.info);
    } else if (path === CONSOLE_PATHS.events) {
      // The first page of a quiet console gets fresh rows and depths rather than old ones.
      await Promise.all([attached.snapshots.refreshNow('connections'), attached.snapshots.refreshNow('queues')]);
      const { connections, queues } = attached.snapshots.latest;
      const snapshot = { info: attached.info, ...connections, queues, events: this.#feed.recent(), metrics: this.#metrics.current };
      if (!res.destroyed) this.#hub.open(res, 'snapshot', snapshot);
    } else if (path === CONSOLE_PATHS.token) {
      const result = await issueConsoleToken(attached.stack.stage, body);
      if (result.status === 200) this.#publish({ kind: 'console', level: 'info', text: `token issued for a demo client (valid ${CONSOLE_TOKEN_TTL_SECONDS / 60} min)` });
      sendJson(res, result.status, result.body);
    } else {
      const result = await sendReportReady((userId, data) => attached.backend.notifyUser(userId, data), () => ++this.#lastReport, body);
      if (result.status === 200) {
        this.#publish({ kind: 'console', level: 'info', text: `report ready: ${result.body.download} → NotifyUser (message ${result.body.messageId})` });
        attached.snapshots.schedule('queues');
      }
      sendJson(res, result.status, result.body);
    }
  }

  /** A feed entry to the pages (none once closed: the hub has no streams). */
  #publish(entry: FeedEntry): void {
    this.#hub.send('feed', this.#feed.add(entry));
  }

  #log(message: string): void {
    this.#options.onLog?.(redactString(message));
  }
}
