/**
 * API Gateway WebSocket API emulator of the local runtime. See README.md in this directory for
 * the behaviour it emulates, its close codes and the decisions taken where AWS is not documented.
 */
export { WebSocketGateway } from './websocket-gateway';
export type { HttpFallbackHandler, WebSocketGatewayOptions } from './options';
export type {
  DisconnectEvent,
  GatewayWarning,
  HandshakeEvent,
  ManagementApiEvent,
  RouteInvocationEvent,
  WebSocketGatewayEventMap,
} from './gateway-events';
export type { ConnectionView } from './gateway-connection';
export { GatewayError, sendForbidden } from './errors';
