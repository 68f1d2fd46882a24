import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionInvoker } from '../functions/invocation';
import type { FaultOptions } from '../services/fault-injection';
import { parseIdentitySource, type IdentitySource } from './authorizer';
import type { DisconnectDropOptions } from './disconnect-drops';
import { randomApiId } from './ids';
import { DISCONNECT_ROUTE_KEY, parseRouteSelectionExpression } from './route-selection';
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

/** The options after defaults and validation; what the gateway's modules read. */
export interface ResolvedGatewayOptions extends Required<Pick<WebSocketGatewayOptions, 'stage' | 'invoker' | 'routeSelectionExpression' | 'apiId' | 'port' | 'closeTimeoutMs'>> {
  readonly routes: ReadonlyMap<string, RouteModel>;
  readonly routeSelectionPath: readonly string[];
  readonly authorizer: { readonly functionId: string; readonly identitySources: readonly IdentitySource[] } | undefined;
  readonly limits: GatewayLimits;
  readonly httpFallback: HttpFallbackHandler | undefined;
}

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_TIMER_SECONDS = 2_147_483_647 / 1000;

// Only what a user sets is checked here (the template's stage, routes, route selection expression and
// authorizer; the CLI's timeouts); TypeScript holds internal callers to the rest.

function resolveLimits(overrides: Partial<GatewayLimits> = {}): GatewayLimits {
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) };
  for (const name of ['idleTimeoutSeconds', 'maxConnectionDurationSeconds', 'integrationTimeoutSeconds'] as const) {
    const value = limits[name];
    if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMER_SECONDS) {
      throw new TypeError(`The "limits.${name}" option must be a number of seconds greater than 0 and at most ${MAX_TIMER_SECONDS}`);
    }
  }
  return limits;
}

/** Spreads the options over the documented defaults and rejects contradictory or unsupported ones. */
export function resolveGatewayOptions(options: WebSocketGatewayOptions): ResolvedGatewayOptions {
  const { stage, authorizer, routeSelectionExpression = '$request.body.action' } = options;
  if (!STAGE_NAME.test(stage)) {
    throw new TypeError(`The "stage" option must be 1–128 letters, digits, "-" or "_", got "${stage}"`);
  }
  const routeSelectionPath = parseRouteSelectionExpression(routeSelectionExpression);
  if (routeSelectionPath === undefined) {
    throw new TypeError(
      `The "routeSelectionExpression" option must be of the form $request.body.<path>, got "${routeSelectionExpression}"`,
    );
  }
  if (options.routes.some((route) => route.routeKey === DISCONNECT_ROUTE_KEY && route.returnResponse)) {
    throw new TypeError('The "$disconnect" route cannot have a route response: the connection is already closed when it runs');
  }
  if (authorizer !== undefined && authorizer.identitySource.length === 0) throw new TypeError('The "authorizer.identitySource" option must be a non-empty array');
  return {
    stage,
    routes: new Map(options.routes.map((route) => [route.routeKey, route])),
    invoker: options.invoker,
    routeSelectionExpression,
    routeSelectionPath,
    authorizer: authorizer && { functionId: authorizer.functionId, identitySources: authorizer.identitySource.map((source) => parseIdentitySource(source)) },
    apiId: options.apiId ?? randomApiId(),
    port: options.port ?? 0,
    limits: resolveLimits(options.limits),
    httpFallback: options.httpFallback,
    closeTimeoutMs: options.closeTimeoutMs ?? 1000,
  };
}
