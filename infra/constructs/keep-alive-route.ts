import { CfnIntegration, CfnIntegrationResponse, CfnRoute, CfnRouteResponse, type IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';

/** Selects the `$default` template whatever the message (`\$` is a literal dollar sign in a selection expression). */
export const LITERAL_DEFAULT_SELECTION = '\\$default';
/** The MOCK integration's request template: the integration "succeeds" with 200, which selects the `$default` integration response. */
export const MOCK_REQUEST_TEMPLATE = '{"statusCode":200}';

export interface KeepAliveRouteProps {
  readonly webSocketApi: IWebSocketApi;
  /** The route key, e.g. `keepalive`: `{"action":"keepalive"}` reaches it. */
  readonly routeKey: string;
  /** The constant frame API Gateway answers with, e.g. `{"type":"pong"}`. */
  readonly reply: string;
}

/**
 * A keep-alive route that costs only API Gateway's messages: a MOCK integration, which API Gateway
 * answers itself with `reply` through an integration response and a route response. No function
 * runs and nothing is read or written; the message resets the connection's idle timer as any
 * message does, and the reply lets the client tell that its connection still works.
 *
 * CloudFormation resources (L1: the L2 WebSocketMockIntegration has no integration response):
 * AWS::ApiGatewayV2::Integration (MOCK), IntegrationResponse (`$default`), Route (no authorizer:
 * WebSocket APIs allow one on `$connect` only) and RouteResponse (`$default`).
 */
export class KeepAliveRoute extends Construct {
  readonly route: CfnRoute;

  constructor(scope: Construct, id: string, props: KeepAliveRouteProps) {
    super(scope, id);
    const apiId = props.webSocketApi.apiId;
    const integration = new CfnIntegration(this, 'Integration', {
      apiId,
      integrationType: 'MOCK',
      templateSelectionExpression: LITERAL_DEFAULT_SELECTION,
      requestTemplates: { $default: MOCK_REQUEST_TEMPLATE },
    });
    new CfnIntegrationResponse(this, 'IntegrationResponse', {
      apiId,
      integrationId: integration.ref,
      integrationResponseKey: '$default',
      templateSelectionExpression: LITERAL_DEFAULT_SELECTION,
      responseTemplates: { $default: props.reply },
    });
    this.route = new CfnRoute(this, 'Route', {
      apiId,
      routeKey: props.routeKey,
      authorizationType: 'NONE',
      target: `integrations/${integration.ref}`,
      routeResponseSelectionExpression: '$default',
    });
    new CfnRouteResponse(this, 'RouteResponse', { apiId, routeId: this.route.ref, routeResponseKey: '$default' });
  }
}
