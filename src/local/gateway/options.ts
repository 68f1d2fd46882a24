import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionInvoker } from '../functions/invocation';
import type { FaultOptions } from '../services/fault-injection';
import { parseIdentitySource, type IdentitySource } from './authorizer';
import type { DisconnectDropOptions } from './disconnect-drops';
import { randomApiId } from './ids';
import { CONNECT_ROUTE_KEY, DISCONNECT_ROUTE_KEY, parseRouteSelectionExpression } from './route-selection';
import type { AuthorizerModel, RouteModel } from '../template/stack-model';

/** API Gateway's WebSocket quotas. Times are seconds (fractions allowed, for tests). */
export const DEFAULT_LIMITS = {
  /** No frame for this long → close 1001. */
  idleTimeoutSeconds: 600,
  /** A connection open this long → close 1001. */
  maxConnectionDurationSeconds: 7200,
  /** Largest message (all fragments, 128 KB) → else close 1009. */
  maxMessageBytes: 131_072,
  /** Largest single frame (32 KB) → else close 1009. */
  maxFrameBytes: 32_768,
  /** How long the gateway waits for an integration (authorizer, route function). */
  integrationTimeoutSeconds: 29,
};

export type GatewayLimits = Readonly<typeof DEFAULT_LIMITS>;

/** Serves plain HTTP requests that are not Management API calls (the lead's web console). */
export type HttpFallbackHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface WebSocketGatewayOptions {
  /** Stage name: the WebSocket path is `/<stage>`, the Management API `/<stage>/@connections/{id}`. */
  readonly stage: string;
  /** The API's routes (`stackModel.api.routes`). */
  readonly routes: readonly RouteModel[];
  /** How route and authorizer functions are called. */
  readonly invoker: FunctionInvoker;
  /** Default `$request.body.action`. Only `$request.body.<path>` is supported. */
  readonly routeSelectionExpression?: string;
  /** REQUEST authorizer on `$connect`; requires a `$connect` route, as on AWS. */
  readonly authorizer?: Pick<AuthorizerModel, 'functionId' | 'identitySource'>;
  /** `requestContext.apiId` and part of the authorizer's methodArn. Default: 10 random characters. */
  readonly apiId?: string;
  /** Default 0 (any free port; read `gateway.port` after `listen()`). */
  readonly port?: number;
  /** Any subset; the rest keep AWS's values. */
  readonly limits?: Partial<GatewayLimits>;
  /** Serves HTTP requests outside `/<stage>/@connections/`; without it they get 403. */
  readonly httpFallback?: HttpFallbackHandler;
  /** How long `close()` waits for clients to answer its close frame before cutting them off. Default 1000 ms. */
  readonly closeTimeoutMs?: number;
  /** Answer this fraction of Management API calls with 429 / 500 before any effect (management-api.ts). */
  readonly faults?: FaultOptions;
  /** Never invoke this fraction of `$disconnect`s, as AWS may not (disconnect-drops.ts). */
  readonly dropDisconnects?: DisconnectDropOptions;
}

export const GATEWAY_DEFAULTS = {
  routeSelectionExpression: '$request.body.action',
  port: 0,
  closeTimeoutMs: 1000,
} as const;

export interface ResolvedAuthorizer {
  readonly functionId: string;
  readonly identitySources: readonly IdentitySource[];
}

/** The options after defaults and validation; what the gateway's modules read. */
export interface ResolvedGatewayOptions extends Required<Pick<WebSocketGatewayOptions, 'stage' | 'invoker' | 'routeSelectionExpression' | 'apiId' | 'port' | 'closeTimeoutMs'>> {
  readonly routes: ReadonlyMap<string, RouteModel>;
  readonly routeSelectionPath: readonly string[];
  readonly authorizer: ResolvedAuthorizer | undefined;
  readonly limits: GatewayLimits;
  readonly httpFallback: HttpFallbackHandler | undefined;
}

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_TIMER_SECONDS = 2_147_483_647 / 1000;

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`The "${name}" option must be a non-empty string`);
  return value;
}

function resolveLimits(overrides: Partial<GatewayLimits> | undefined): GatewayLimits {
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...stripUndefined(overrides ?? {}) };
  for (const name of ['idleTimeoutSeconds', 'maxConnectionDurationSeconds', 'integrationTimeoutSeconds'] as const) {
    const value = limits[name];
    if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMER_SECONDS) {
      throw new TypeError(`The "limits.${name}" option must be a number of seconds greater than 0 and at most ${MAX_TIMER_SECONDS}`);
    }
  }
  for (const name of ['maxMessageBytes', 'maxFrameBytes'] as const) {
    if (!Number.isSafeInteger(limits[name]) || limits[name] < 1) throw new TypeError(`The "limits.${name}" option must be a positive integer`);
  }
  if (limits.maxFrameBytes > limits.maxMessageBytes) {
    throw new TypeError(
      `The "limits.maxFrameBytes" option (${limits.maxFrameBytes}) must not exceed "limits.maxMessageBytes" (${limits.maxMessageBytes}): a frame is part of a message`,
    );
  }
  return limits;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveRoutes(routes: readonly RouteModel[]): Map<string, RouteModel> {
  const resolved = new Map<string, RouteModel>();
  for (const route of routes) {
    const routeKey = requireString(route.routeKey, 'routes[].routeKey');
    if (resolved.has(routeKey)) throw new TypeError(`The "routes" option declares route "${routeKey}" twice`);
    if (routeKey === DISCONNECT_ROUTE_KEY && route.returnResponse) {
      throw new TypeError('The "$disconnect" route cannot have a route response: the connection is already closed when it runs');
    }
    if (route.mock === undefined) requireString(route.functionId, `routes["${routeKey}"].functionId`);
    else if (routeKey === CONNECT_ROUTE_KEY || routeKey === DISCONNECT_ROUTE_KEY) {
      throw new TypeError(`The "routes["${routeKey}"].mock" option is not supported: a MOCK integration is emulated on message routes only`);
    }
    resolved.set(routeKey, route);
  }
  return resolved;
}

function resolveAuthorizer(authorizer: WebSocketGatewayOptions['authorizer'], routes: ReadonlyMap<string, RouteModel>): ResolvedAuthorizer | undefined {
  if (authorizer === undefined) return undefined;
  const functionId = requireString(authorizer.functionId, 'authorizer.functionId');
  if (authorizer.identitySource.length === 0) throw new TypeError('The "authorizer.identitySource" option must be a non-empty array');
  if (!routes.has(CONNECT_ROUTE_KEY)) {
    throw new TypeError('The "authorizer" option requires a "$connect" route: API Gateway runs WebSocket authorizers on $connect only');
  }
  return { functionId, identitySources: authorizer.identitySource.map((source) => parseIdentitySource(source)) };
}

/** Spreads the options over the documented defaults and rejects contradictory or unsupported ones. */
export function resolveGatewayOptions(options: WebSocketGatewayOptions): ResolvedGatewayOptions {
  const stage = requireString(options.stage, 'stage');
  if (!STAGE_NAME.test(stage)) {
    throw new TypeError(`The "stage" option must be 1–128 letters, digits, "-" or "_", got "${stage}"`);
  }
  const routeSelectionExpression = options.routeSelectionExpression ?? GATEWAY_DEFAULTS.routeSelectionExpression;
  const routeSelectionPath = parseRouteSelectionExpression(routeSelectionExpression);
  if (routeSelectionPath === undefined) {
    throw new TypeError(
      `The "routeSelectionExpression" option must be of the form $request.body.<path>, got "${routeSelectionExpression}"`,
    );
  }
  const routes = resolveRoutes(options.routes);
  const port = options.port ?? GATEWAY_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`The "port" option must be an integer from 0 to 65535, got ${String(port)}`);
  const closeTimeoutMs = options.closeTimeoutMs ?? GATEWAY_DEFAULTS.closeTimeoutMs;
  if (!Number.isFinite(closeTimeoutMs) || closeTimeoutMs < 0) throw new TypeError('The "closeTimeoutMs" option must be a number of milliseconds (0 or more)');
  return {
    stage,
    routes,
    invoker: options.invoker,
    routeSelectionExpression,
    routeSelectionPath,
    authorizer: resolveAuthorizer(options.authorizer, routes),
    apiId: options.apiId === undefined ? randomApiId() : requireString(options.apiId, 'apiId'),
    port,
    limits: resolveLimits(options.limits),
    httpFallback: options.httpFallback,
    closeTimeoutMs,
  };
}
