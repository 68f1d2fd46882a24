import type { IncomingMessage } from 'node:http';
import { authorizerContext, connectMethodArn, evaluateAuthorizerResponse, identitySourcesPresent } from './authorizer';
import { Rejections, type HttpRejection } from './errors';
import {
  buildAuthorizerEvent,
  buildConnectEvent,
  readHandshakeRequest,
  type ConnectionEventContext,
  type WebSocketIdentity,
} from './event-builders';
import type { GatewayWarning, HandshakeOutcome, RouteInvocationEvent, RouteResult } from './gateway-events';
import { awsId, traceId } from './ids';
import { invokeIntegration, routeResult } from './integration';
import type { ResolvedGatewayOptions } from './options';
import { interpretConnectResult } from './route-response';
import { CONNECT_ROUTE_KEY } from './route-selection';
import type { LambdaRouteModel } from '../template/stack-model';

/**
 * The opening handshake after the path check: the REQUEST authorizer, then `$connect`, as API
 * Gateway runs them. The HTTP upgrade stays pending until both have answered; the decision says
 * whether `ws` completes it (101) or which status the client gets instead.
 */

/** How the `$connect` function ran, for the gateway's `route` observers. */
type ConnectInvocation = Pick<RouteInvocationEvent, 'requestId' | 'durationMs' | 'result' | 'errorType'>;

export type HandshakeDecision =
  | {
      readonly kind: 'accept';
      readonly connection: ConnectionEventContext;
      /** `Sec-WebSocket-Protocol` chosen by `$connect`, if any. */
      readonly protocol: string | undefined;
      /** Set when `$connect` ran (and succeeded): a failure to finish the handshake now needs a `$disconnect`. */
      readonly connectInvocation?: ConnectInvocation;
    }
  | {
      readonly kind: 'reject';
      readonly connectionId: string;
      readonly rejection: HttpRejection;
      readonly outcome: HandshakeOutcome;
      readonly connectInvocation?: ConnectInvocation;
    };

export interface HandshakeContext {
  readonly options: ResolvedGatewayOptions;
  /** The port the gateway listens on (`X-Forwarded-Port`, fallback domain name). */
  readonly port: number;
  readonly warn: (warning: GatewayWarning) => void;
}

/** The client's address as API Gateway reports it (`::ffff:127.0.0.1` → `127.0.0.1`). */
export function sourceIpOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function reject(connectionId: string, rejection: HttpRejection, outcome: HandshakeOutcome, connectInvocation?: ConnectInvocation): HandshakeDecision {
  return { kind: 'reject', connectionId, rejection, outcome, connectInvocation };
}

export async function runHandshake(req: IncomingMessage, context: HandshakeContext): Promise<HandshakeDecision> {
  const { options } = context;
  const connectedAt = Date.now();
  const connectionId = awsId();
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
  const sourceIp = sourceIpOf(req);
  const userAgent = req.headers['user-agent'];
  const identity: WebSocketIdentity = userAgent === undefined ? { sourceIp } : { userAgent, sourceIp };
  const domainName = req.headers.host ?? `127.0.0.1:${context.port}`;
  const request = readHandshakeRequest(req.rawHeaders, query, {
    'X-Amzn-Trace-Id': traceId(connectedAt),
    'X-Forwarded-For': sourceIp,
    'X-Forwarded-Port': String(context.port),
    'X-Forwarded-Proto': 'http',
  });
  let connection: ConnectionEventContext = {
    stage: options.stage,
    apiId: options.apiId,
    connectionId,
    connectedAt,
    domainName,
    identity,
    authorizer: undefined,
  };
  const timeoutMs = options.limits.integrationTimeoutSeconds * 1000;

  const authorizer = options.authorizer;
  if (authorizer !== undefined) {
    if (!identitySourcesPresent(authorizer.identitySources, req.headers, query)) {
      return reject(connectionId, Rejections.unauthorized, 'missing-identity');
    }
    const methodArn = connectMethodArn(options.apiId, options.stage);
    const event = buildAuthorizerEvent(connection, request, methodArn, awsId(), Date.now());
    const outcome = await invokeIntegration(options.invoker, authorizer.functionId, event, timeoutMs);
    if (outcome.kind === 'error' && outcome.errorMessage === 'Unauthorized') return reject(connectionId, Rejections.unauthorized, 'unauthorized');
    if (outcome.kind === 'invoker-error') {
      context.warn({ code: 'invoker_failed', message: 'the function invoker failed on the authorizer', functionId: authorizer.functionId, connectionId, cause: outcome.error });
    }
    const decision = outcome.kind === 'ok' ? evaluateAuthorizerResponse(outcome.payload, methodArn) : undefined;
    if (decision?.kind === 'deny') return reject(connectionId, Rejections.forbidden, 'denied');
    if (decision?.kind === 'invalid') {
      context.warn({ code: 'malformed_authorizer_response', message: `authorizer response rejected: ${decision.reason}`, functionId: authorizer.functionId, connectionId });
    }
    // Any other error, an integration timeout, a failed invoker or an invalid response: 500.
    if (decision?.kind !== 'allow') return reject(connectionId, Rejections.authorizerError, 'authorizer-error');
    connection = { ...connection, authorizer: authorizerContext(decision, Math.round(outcome.durationMs)) };
  }

  // The template reader refuses a MOCK integration on $connect.
  const route = options.routes.get(CONNECT_ROUTE_KEY) as LambdaRouteModel | undefined;
  if (route === undefined) return { kind: 'accept', connection, protocol: undefined };
  const requestId = awsId();
  const event = buildConnectEvent(connection, request, requestId, Date.now());
  const outcome = await invokeIntegration(options.invoker, route.functionId, event, timeoutMs);
  const errorType = outcome.kind === 'error' ? outcome.errorType : undefined;
  const ran = (result: RouteResult): ConnectInvocation => ({ requestId, durationMs: outcome.durationMs, result, errorType });
  switch (outcome.kind) {
    case 'error': // a thrown error and a function that ran past its own timeout are both a Lambda error: 502
      return reject(connectionId, Rejections.connectIntegrationError, 'connect-error', ran(routeResult(outcome)));
    case 'integration-timeout':
      return reject(connectionId, Rejections.connectIntegrationTimeout, 'connect-timeout', ran('integration-timeout'));
    case 'invoker-error':
      context.warn({ code: 'invoker_failed', message: 'the function invoker failed on $connect', functionId: route.functionId, connectionId, cause: outcome.error });
      return reject(connectionId, Rejections.connectIntegrationError, 'connect-error', ran('invoker-error'));
    case 'ok': {
      const response = interpretConnectResult(outcome.payload);
      if (response.kind === 'malformed') {
        context.warn({ code: 'malformed_connect_response', message: `$connect response rejected: ${response.reason}`, functionId: route.functionId, connectionId });
        return reject(connectionId, Rejections.connectIntegrationError, 'connect-error', ran('malformed-response'));
      }
      if (response.kind === 'reject') return reject(connectionId, { status: response.status }, 'connect-rejected', ran('ok'));
      return { kind: 'accept', connection, protocol: response.protocol, connectInvocation: ran('ok') };
    }
  }
}
