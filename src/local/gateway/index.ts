/**
 * API Gateway WebSocket API emulator of the local runtime. See README.md in this directory for
 * the behaviour it emulates, its close codes and the decisions taken where AWS is not documented.
 */
export { WebSocketGateway, type GatewayAddress } from './websocket-gateway';
export {
  DEFAULT_LIMITS,
  GATEWAY_DEFAULTS,
  type GatewayAuthorizer,
  type GatewayLimits,
  type GatewayRoute,
  type LambdaGatewayRoute,
  type MockGatewayRoute,
  type HttpFallbackHandler,
  type ResolvedGatewayOptions,
  type WebSocketGatewayOptions,
} from './options';
export type {
  DisconnectEvent,
  GatewayWarning,
  GatewayWarningCode,
  HandshakeEvent,
  HandshakeOutcome,
  ManagementApiEvent,
  RouteInvocationEvent,
  RouteResult,
  WebSocketGatewayEventMap,
} from './gateway-events';
export type { ConnectionState, ConnectionView } from './connection-registry';
export { CloseCode, CloseReason, type DisconnectCause } from './close-codes';
export { GatewayError, type GatewayErrorCode } from './errors';
export type { ReplySummary } from './reply-summary';
export type {
  GatewayAuthorizerEvent,
  GatewayConnectEvent,
  GatewayDisconnectEvent,
  GatewayMessageEvent,
  GatewayRequestContext,
  WebSocketIdentity,
} from './event-builders';
