import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CloseCode, CloseReason, closeForWsError, type DisconnectCause, type ServerClose } from './close-codes';
import { GatewayConnection, type ConnectionView } from './gateway-connection';
import { DisconnectDrops } from './disconnect-drops';
import { errorFrame, GatewayError, Rejections, rejectionHeaders, sendForbidden, type HttpRejection } from './errors';
import { buildDisconnectEvent, buildMessageEvent, type ConnectionEventContext } from './event-builders';
import type { GatewayWarning, HandshakeOutcome, ManagementApiEvent, RouteInvocationEvent, RouteResult, WebSocketGatewayEventMap } from './gateway-events';
import { runHandshake, sourceIpOf, type HandshakeDecision } from './handshake';
import { awsId } from './ids';
import { invokeIntegration, routeResult } from './integration';
import { LOCAL_HOST } from '../services/aws-client-config';
import { FaultInjection } from '../services/fault-injection';
import { InterceptorChain } from '../services/request-interceptors';
import { handleManagementRequest, type ManagementApiContext } from './management-api';
import { resolveGatewayOptions, type ResolvedGatewayOptions, type WebSocketGatewayOptions } from './options';
import { interpretRouteResult } from './route-response';
import { RouteTable } from './route-selection';
import { summarizeReply, type ReplySummary } from './reply-summary';
import type { LambdaRouteModel, RouteModel } from '../template/stack-model';
import type { WebSocketMessageEvent } from '../../commons/websocket-events';

/** Where a listening gateway can be reached. */
export interface GatewayAddress {
  readonly port: number;
  /** `ws://127.0.0.1:<port>/<stage>` */
  readonly websocketUrl: string;
  /** `http://127.0.0.1:<port>/<stage>`: the endpoint of an `ApiGatewayManagementApiClient`. */
  readonly managementApiUrl: string;
}

type Accepted = Extract<HandshakeDecision, { kind: 'accept' }>;
type VerifyCallback = (result: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;

/**
 * API Gateway WebSocket API emulator: one HTTP server on 127.0.0.1 serving the WebSocket stage
 * (`ws://127.0.0.1:<port>/<stage>`), the Management API (`/<stage>/@connections/{id}`) and,
 * optionally, other HTTP requests through a fallback handler. Functions are called through a
 * FunctionInvoker; the gateway knows nothing of how they run. Usage: README.md in this directory.
 */
export class WebSocketGateway extends EventEmitter<WebSocketGatewayEventMap> {
  readonly options: ResolvedGatewayOptions;
  /** The Management API's plug-in point: fault injection and request observers (src/local/services/request-interceptors.ts). */
  readonly interceptors = new InterceptorChain();
  /** Fault injection into the Management API: `set(faults | undefined)` starts, changes or stops it (TypeError for invalid options); `counts()`. */
  readonly faults = new FaultInjection(this.interceptors);
  /** `$disconnect` invocations dropped on purpose: `set(options | undefined)` starts, changes or stops the drops; `counts()`. */
  readonly disconnectDrops: DisconnectDrops;

  private readonly server: Server;
  private readonly wss: WebSocketServer;
  /** Open and closing connections by id. */
  private readonly registry = new Map<string, GatewayConnection>();
  private readonly routes: RouteTable<RouteModel>;
  // The template reader refuses a MOCK integration on $disconnect.
  private readonly disconnectRoute: LambdaRouteModel | undefined;
  /** Work `close()` waits for: handshakes, route invocations, `$disconnect`s. */
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly accepted = new WeakMap<IncomingMessage, Accepted>();
  private readonly stagePath: string;
  private readonly managementPrefix: string;
  private readonly idleMs: number;
  private readonly maxDurationMs: number;
  private readonly integrationTimeoutMs: number;
  private readonly managementContext: ManagementApiContext;
  /** The connection of each client's `ws` socket and raw TCP socket, for the listeners all connections share. */
  private readonly connectionsBySocket = new WeakMap<object, GatewayConnection>();
  private readonly socketListeners = this.createSocketListeners();
  private listening: Promise<GatewayAddress> | undefined;
  private closing: Promise<void> | undefined;
  private boundPort = 0;

  constructor(options: WebSocketGatewayOptions) {
    super();
    this.options = resolveGatewayOptions(options);
    const { stage, limits } = this.options;
    this.routes = new RouteTable(this.options.routes, this.options.routeSelectionPath);
    this.disconnectRoute = this.routes.disconnect as LambdaRouteModel | undefined;
    this.stagePath = `/${stage}`;
    this.managementPrefix = `/${stage}/@connections/`;
    this.idleMs = limits.idleTimeoutSeconds * 1000;
    this.maxDurationMs = limits.maxConnectionDurationSeconds * 1000;
    this.integrationTimeoutMs = limits.integrationTimeoutSeconds * 1000;

    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: limits.maxMessageBytes,
      verifyClient: (info: { req: IncomingMessage }, callback: VerifyCallback) => this.track(this.verify(info.req, callback)),
      handleProtocols: (protocols, req) => {
        const protocol = this.accepted.get(req)?.protocol;
        return protocol !== undefined && protocols.has(protocol) ? protocol : false;
      },
    });

    this.managementContext = {
      connections: this.registry,
      maxMessageBytes: limits.maxMessageBytes,
      disconnect: (connection) => this.closeConnection(connection, CloseCode.NORMAL, CloseReason.NORMAL, 'management-api'),
      observer: () => (this.listenerCount('management') > 0 ? (event: ManagementApiEvent) => this.emit('management', event) : undefined),
      interceptors: this.interceptors,
    };
    this.faults.set(options.faults);
    this.disconnectDrops = new DisconnectDrops(options.dropDisconnects);

    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.wss.handleUpgrade(req, socket, head, (ws, request) => this.onConnection(ws, request)),
    );
  }

  /** Starts listening (port 0 picks a free port). Resolves once connections are accepted. */
  listen(): Promise<GatewayAddress> {
    if (this.closing !== undefined) return Promise.reject(new GatewayError('gateway_closed', 'the gateway has been closed'));
    this.listening ??= this.startListening();
    return this.listening;
  }

  private async startListening(): Promise<GatewayAddress> {
    const { port } = this.options;
    this.server.listen(port, LOCAL_HOST);
    try {
      await once(this.server, 'listening');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use' : (error as Error).message;
      throw new GatewayError('listen_failed', `the gateway cannot listen on ${LOCAL_HOST}:${port}: ${reason}`, { cause: error });
    }
    this.boundPort = (this.server.address() as AddressInfo).port;
    return this.address();
  }

  /** The bound port (0 before `listen()` resolves). */
  get port(): number {
    return this.boundPort;
  }

  address(): GatewayAddress {
    const base = `${LOCAL_HOST}:${this.boundPort}/${this.options.stage}`;
    return { port: this.boundPort, websocketUrl: `ws://${base}`, managementApiUrl: `http://${base}` };
  }

  /** Open and closing connections; a live view (nothing is copied). */
  connections(): IterableIterator<ConnectionView> {
    return this.registry.values();
  }

  get connectionCount(): number {
    return this.registry.size;
  }

  getConnection(connectionId: string): ConnectionView | undefined {
    return this.registry.get(connectionId);
  }

  /**
   * Closes every client with 1001 (`Going away`), runs `$disconnect` for each and waits for every
   * invocation the gateway started, then closes the HTTP server. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.listening !== undefined) await this.listening.catch(() => undefined);
    // Called back at once (with an error that changes nothing) when the server never listened.
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();

    const closed: Promise<void>[] = [];
    for (const connection of this.registry.values()) {
      closed.push(new Promise((resolve) => connection.socket.once('close', () => resolve())));
      this.closeConnection(connection, CloseCode.GOING_AWAY, CloseReason.GOING_AWAY, 'shutdown');
    }
    if (closed.length > 0) {
      await Promise.race([Promise.all(closed), delay(this.options.closeTimeoutMs, undefined, { ref: false })]);
      for (const connection of this.registry.values()) connection.socket.terminate();
      await Promise.all(closed);
    }
    while (this.inflight.size > 0) await Promise.all(this.inflight);
    this.wss.close();
    this.server.closeAllConnections();
    await serverClosed;
  }

  /** Tracks a promise that never rejects, so that `close()` waits for it. */
  private track(work: Promise<unknown>): void {
    this.inflight.add(work);
    void work.then(() => this.inflight.delete(work));
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────────────────

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url.startsWith(this.managementPrefix)) {
      handleManagementRequest(req, res, url.slice(this.managementPrefix.length), this.managementContext);
      return;
    }
    try {
      (this.options.httpFallback ?? sendForbidden)(req, res);
    } catch (error) {
      this.warn({ code: 'http_fallback_failed', message: 'the HTTP fallback handler threw', cause: error });
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end();
    }
  }

  // ── Handshake ─────────────────────────────────────────────────────────────────────────

  /** `ws`'s asynchronous verifyClient: the authorizer and `$connect` run while the upgrade waits. */
  private async verify(req: IncomingMessage, callback: VerifyCallback): Promise<void> {
    const refuse = (rejection: HttpRejection, outcome: HandshakeOutcome, durationMs: number, connectionId?: string): void => {
      callback(false, rejection.status, rejection.body, rejectionHeaders(rejection));
      this.observeHandshake(rejection.status, outcome, durationMs, connectionId, req);
    };
    if ((req.url ?? '/').split('?', 1)[0] !== this.stagePath) return refuse(Rejections.forbidden, 'forbidden-path', 0);
    if (this.closing !== undefined) return refuse(Rejections.shuttingDown, 'shutting-down', 0);
    const started = performance.now();
    let decision: HandshakeDecision;
    try {
      decision = await runHandshake(req, { options: this.options, port: this.boundPort, warn: (warning) => this.warn(warning) });
    } catch (error) {
      this.warn({ code: 'invoker_failed', message: 'the handshake failed unexpectedly', cause: error });
      decision = { kind: 'reject', connectionId: '', rejection: Rejections.connectIntegrationError, outcome: 'connect-error' };
    }
    const durationMs = performance.now() - started;
    const connect = decision.connectInvocation;
    if (connect !== undefined) {
      const connectionId = decision.kind === 'accept' ? decision.connection.connectionId : decision.connectionId;
      this.observeRoute('$connect', connectionId, connect.requestId, connect.durationMs, connect.result, 'nothing', connect.errorType);
    }
    if (decision.kind === 'reject') return refuse(decision.rejection, decision.outcome, durationMs, decision.connectionId);
    const socket = req.socket;
    if (this.closing !== undefined) {
      refuse(Rejections.shuttingDown, 'shutting-down', durationMs, decision.connection.connectionId);
      if (connect !== undefined && !this.dropsDisconnect()) this.runDisconnect(decision.connection, CloseCode.GOING_AWAY, CloseReason.GOING_AWAY);
      return;
    }
    if (socket.destroyed || !socket.readable || !socket.writable) {
      socket.destroy();
      this.observeHandshake(0, 'client-gone', durationMs, decision.connection.connectionId, req);
      if (connect !== undefined && !this.dropsDisconnect()) this.runDisconnect(decision.connection, CloseCode.ABNORMAL_CLOSURE, '');
      return;
    }
    this.accepted.set(req, decision);
    callback(true);
    this.observeHandshake(101, 'connected', durationMs, decision.connection.connectionId, req);
  }

  private onConnection(socket: WebSocket, req: IncomingMessage): void {
    const accepted = this.accepted.get(req);
    this.accepted.delete(req);
    if (accepted === undefined) {
      socket.terminate();
      return;
    }
    const { stage, apiId, connectionId, connectedAt, domainName, identity, authorizer } = accepted.connection;
    const connection = new GatewayConnection(socket, stage, apiId, connectionId, connectedAt, domainName, identity, authorizer, this.options.limits.maxFrameBytes);
    this.registry.set(connection.connectionId, connection);
    this.connectionsBySocket.set(req.socket, connection).set(socket, connection);
    const listeners = this.socketListeners;
    req.socket.prependListener('data', listeners.data);
    socket.on('message', listeners.message).on('close', listeners.close).on('error', listeners.error);
    this.armTimer(connection);
    if (this.listenerCount('connection') > 0) this.emit('connection', connection);
  }

  /** One set of listeners for every connection (closures per connection cost memory); `this` is the emitting socket. */
  private createSocketListeners() {
    const of = (socket: object): GatewayConnection => this.connectionsBySocket.get(socket)!;
    const onClientBytes = (socket: Duplex, chunk: Buffer): void => this.onClientBytes(of(socket), chunk);
    const onMessage = (socket: WebSocket, data: RawData, isBinary: boolean): void => this.onMessage(of(socket), data as Buffer, isBinary);
    const onClose = (socket: WebSocket, code: number, reason: Buffer): void => this.onClose(of(socket), code, reason);
    const onError = (socket: WebSocket, error: Error & { code?: string }): void => this.onSocketError(of(socket), error);
    const data = function (this: Duplex, chunk: Buffer): void {
      onClientBytes(this, chunk);
    };
    const message = function (this: WebSocket, payload: RawData, isBinary: boolean): void {
      onMessage(this, payload, isBinary);
    };
    const close = function (this: WebSocket, code: number, reason: Buffer): void {
      onClose(this, code, reason);
    };
    const error = function (this: WebSocket, cause: Error & { code?: string }): void {
      onError(this, cause);
    };
    return { data, message, close, error };
  }

  // ── Messages ──────────────────────────────────────────────────────────────────────────

  /** Every chunk the client sends, before `ws` parses it: activity, and the 32 KB frame limit. */
  private onClientBytes(connection: GatewayConnection, chunk: Buffer): void {
    connection.lastActiveAt = Date.now();
    if (!connection.frames.inspect(chunk)) {
      this.closeConnection(connection, CloseCode.MESSAGE_TOO_BIG, CloseReason.MESSAGE_TOO_BIG, 'frame-too-big');
    }
  }

  private onMessage(connection: GatewayConnection, data: Buffer, isBinary: boolean): void {
    if (++connection.messagesDelivered > connection.dispatchLimit) return;
    if (isBinary) {
      this.closeConnection(connection, CloseCode.UNSUPPORTED_DATA, CloseReason.UNSUPPORTED_DATA, 'binary-frame');
      return;
    }
    const body = data.toString();
    const route = this.routes.select(body);
    const requestId = awsId();
    if (route === undefined) {
      const sent = connection.send(errorFrame('Forbidden', connection.connectionId, requestId));
      this.observeRoute(null, connection.connectionId, requestId, 0, 'no-route', sent ? 'error-frame' : 'connection-gone');
      return;
    }
    if (route.mock !== undefined) {
      // A MOCK integration: the gateway answers with the integration response's template (on a route with a route response), invoking nothing.
      const { response } = route.mock;
      const sent = !route.returnResponse || response === undefined || response === '' ? 'nothing' : connection.send(response) ? 'body' : 'connection-gone';
      this.observeRoute(route.routeKey, connection.connectionId, requestId, 0, 'ok', sent);
      return;
    }
    const event = buildMessageEvent(connection, route.routeKey, body, awsId(), requestId, Date.now());
    this.track(this.invokeRoute(connection, route, event, requestId));
  }

  private async invokeRoute(connection: GatewayConnection, route: LambdaRouteModel, event: WebSocketMessageEvent, requestId: string): Promise<void> {
    const outcome = await invokeIntegration(this.options.invoker, route.functionId, event, this.integrationTimeoutMs);
    let result = routeResult(outcome);
    let sent: RouteInvocationEvent['sent'] = 'nothing';
    let reply: ReplySummary | undefined;
    const response = outcome.kind === 'ok' ? interpretRouteResult(outcome.payload) : undefined;
    if (response?.kind === 'malformed') {
      result = 'malformed-response';
      this.warn({ code: 'malformed_route_response', message: `${route.routeKey} response rejected: ${response.reason}`, functionId: route.functionId, connectionId: connection.connectionId });
    } else if (outcome.kind === 'invoker-error') {
      this.warnInvokerFailed(`route ${route.routeKey}`, route.functionId, connection.connectionId, outcome.error);
    }
    if (response === undefined || response.kind === 'malformed') {
      sent = connection.send(errorFrame('Internal server error', connection.connectionId, requestId)) ? 'error-frame' : 'connection-gone';
    } else if (route.returnResponse && response.kind !== 'none') {
      sent = connection.send(response.body) ? 'body' : 'connection-gone';
      if (response.kind === 'text' && this.listenerCount('route') > 0) reply = summarizeReply(response.body);
    }
    this.observeRoute(route.routeKey, connection.connectionId, requestId, outcome.durationMs, result, sent, outcome.kind === 'error' ? outcome.errorType : undefined, reply);
  }

  // ── Closing ───────────────────────────────────────────────────────────────────────────

  /** Starts a server-side close; messages `ws` delivers afterwards are dropped. */
  private closeConnection(connection: GatewayConnection, code: number, reason: string, cause: DisconnectCause): void {
    if (connection.state !== 'open') return;
    connection.state = 'closing';
    connection.serverClose = { code, reason, cause };
    // Messages that completed before an oversized frame are still dispatched (AWS received them first).
    connection.dispatchLimit = cause === 'frame-too-big' ? connection.frames.completedMessages : connection.messagesDelivered;
    connection.socket.close(code, reason);
  }

  /** `ws` reports a receiver error (protocol error, message too big, invalid UTF-8) and closes the connection itself. */
  private onSocketError(connection: GatewayConnection, error: Error & { code?: string }): void {
    if (connection.state !== 'open' || typeof error.code !== 'string' || !error.code.startsWith('WS_ERR_')) return;
    connection.state = 'closing';
    connection.serverClose = closeForWsError(error.code);
    connection.dispatchLimit = connection.messagesDelivered;
  }

  private onClose(connection: GatewayConnection, code: number, reason: Buffer): void {
    connection.state = 'closed';
    clearTimeout(connection.timer);
    this.registry.delete(connection.connectionId);
    let close: ServerClose;
    if (connection.serverClose !== undefined) close = connection.serverClose;
    else if (code === CloseCode.ABNORMAL_CLOSURE) close = { code, reason: '', cause: 'abnormal' };
    else if (code === CloseCode.NO_STATUS_RECEIVED) close = { code, reason: CloseReason.NO_STATUS_RECEIVED, cause: 'client' };
    else close = { code, reason: reason.toString(), cause: 'client' };
    const dropped = this.dropsDisconnect();
    if (this.listenerCount('disconnect') > 0) {
      this.emit('disconnect', {
        connectionId: connection.connectionId,
        ...close,
        durationMs: Date.now() - connection.connectedAt,
        ...(dropped ? { disconnectDropped: true as const } : {}),
      });
    }
    if (!dropped) this.runDisconnect(connection, close.code, close.reason);
  }

  /** True when the `$disconnect` now due is one of the dropped ones (`dropDisconnects`). */
  private dropsDisconnect(): boolean {
    return this.disconnectRoute !== undefined && this.disconnectDrops.drop();
  }

  /** Invokes `$disconnect` (its result is ignored), tracked so that `close()` waits for it. */
  private runDisconnect(connection: ConnectionEventContext, code: number, reason: string): void {
    const route = this.disconnectRoute;
    if (route === undefined) return;
    const requestId = awsId();
    const event = buildDisconnectEvent(connection, code, reason, requestId, Date.now());
    this.track(
      invokeIntegration(this.options.invoker, route.functionId, event, this.integrationTimeoutMs).then((outcome) => {
        if (outcome.kind === 'invoker-error') this.warnInvokerFailed('$disconnect', route.functionId, connection.connectionId, outcome.error);
        const errorType = outcome.kind === 'error' ? outcome.errorType : undefined;
        this.observeRoute(route.routeKey, connection.connectionId, requestId, outcome.durationMs, routeResult(outcome), 'connection-gone', errorType);
      }),
    );
  }

  // ── Idle timeout and maximum duration: one timer per connection ───────────────────────

  private armTimer(connection: GatewayConnection): void {
    const deadline = Math.min(connection.lastActiveAt + this.idleMs, connection.connectedAt + this.maxDurationMs);
    connection.timer = setTimeout(this.onTimer, Math.max(1, deadline - Date.now()), connection);
  }

  /** Activity only moves a timestamp; the timer checks it when it fires and re-arms for the rest. */
  private readonly onTimer = (connection: GatewayConnection): void => {
    connection.timer = undefined;
    if (connection.state !== 'open') return;
    const now = Date.now();
    if (now >= connection.connectedAt + this.maxDurationMs) {
      this.closeConnection(connection, CloseCode.GOING_AWAY, CloseReason.GOING_AWAY, 'max-duration');
    } else if (now >= connection.lastActiveAt + this.idleMs) {
      this.closeConnection(connection, CloseCode.GOING_AWAY, CloseReason.GOING_AWAY, 'idle-timeout');
    } else {
      this.armTimer(connection);
    }
  };

  // ── Observers ─────────────────────────────────────────────────────────────────────────

  private warn(warning: GatewayWarning): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', warning);
  }

  private warnInvokerFailed(what: string, functionId: string, connectionId: string, cause: unknown): void {
    this.warn({ code: 'invoker_failed', message: `the function invoker failed on ${what}`, functionId, connectionId, cause });
  }

  private observeHandshake(status: number, outcome: HandshakeOutcome, durationMs: number, connectionId: string | undefined, req: IncomingMessage): void {
    if (this.listenerCount('handshake') > 0) this.emit('handshake', { status, outcome, durationMs, connectionId, sourceIp: sourceIpOf(req) });
  }

  private observeRoute(
    routeKey: string | null,
    connectionId: string,
    requestId: string,
    durationMs: number,
    result: RouteResult,
    sent: RouteInvocationEvent['sent'],
    errorType?: string,
    reply?: ReplySummary,
  ): void {
    if (this.listenerCount('route') === 0) return;
    this.emit('route', {
      routeKey,
      connectionId,
      requestId,
      durationMs,
      result,
      sent,
      ...(errorType === undefined ? {} : { errorType }),
      ...(reply === undefined ? {} : { reply }),
    });
  }
}
