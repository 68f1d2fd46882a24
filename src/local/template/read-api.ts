/**
 * Reads the WebSocket API of a template: the API and its stage, every route with its integration
 * (a Lambda proxy, or a MOCK: read-mock-integration.ts) and route response, and `$connect`'s authorizer.
 */
import { INTEGRATION, INTEGRATION_RESPONSE, readMockIntegration } from './read-mock-integration';
import { type AuthorizerModel, type RouteModel, type WebSocketApiModel } from './stack-model';
import { StackTemplateError } from './template-errors';
import { findLogicalId, refOf, type ResourceTypeSpec, type TemplateResources } from './template-resources';

const API = 'AWS::ApiGatewayV2::Api';
const ROUTE = 'AWS::ApiGatewayV2::Route';
const ROUTE_RESPONSE = 'AWS::ApiGatewayV2::RouteResponse';
const AUTHORIZER = 'AWS::ApiGatewayV2::Authorizer';
const STAGE = 'AWS::ApiGatewayV2::Stage';

export const API_RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSpec>> = {
  [API]: {
    read: ['Name', 'ProtocolType', 'RouteSelectionExpression'],
    awsOnly: ['Description', 'Tags', 'DisableSchemaValidation', 'DisableExecuteApiEndpoint', 'IpAddressType', 'ApiKeySelectionExpression'],
  },
  [ROUTE]: {
    read: ['ApiId', 'RouteKey', 'Target', 'AuthorizationType', 'AuthorizerId', 'RouteResponseSelectionExpression', 'ApiKeyRequired'],
    awsOnly: ['OperationName'],
  },
  [INTEGRATION]: {
    read: ['ApiId', 'IntegrationType', 'IntegrationUri', 'RequestTemplates', 'TemplateSelectionExpression'],
    awsOnly: ['Description', 'IntegrationMethod', 'CredentialsArn', 'PayloadFormatVersion'],
  },
  [INTEGRATION_RESPONSE]: {
    read: ['ApiId', 'IntegrationId', 'IntegrationResponseKey', 'ResponseTemplates', 'TemplateSelectionExpression'],
    awsOnly: [],
  },
  [ROUTE_RESPONSE]: { read: ['ApiId', 'RouteId', 'RouteResponseKey'], awsOnly: [] },
  [AUTHORIZER]: {
    read: ['ApiId', 'AuthorizerType', 'AuthorizerUri', 'IdentitySource'],
    awsOnly: ['Name', 'AuthorizerCredentialsArn'],
  },
  [STAGE]: {
    read: ['ApiId', 'StageName'],
    awsOnly: ['AccessLogSettings', 'AutoDeploy', 'DefaultRouteSettings', 'RouteSettings', 'Description', 'Tags', 'DeploymentId'],
  },
};

/** The template's one WebSocket API, or a StackTemplateError naming what the runtime cannot serve. */
export function readWebSocketApi(resources: TemplateResources): WebSocketApiModel {
  const apis = resources.ids(API);
  if (apis.length !== 1) {
    throw new StackTemplateError('missing_resource', `the local runtime emulates exactly one WebSocket API; the template has ${apis.length}`);
  }
  const apiId = apis[0]!;
  const props = resources.props(apiId);
  if (props.ProtocolType !== 'WEBSOCKET') {
    throw resources.error(apiId, 'unsupported_property', `ProtocolType ${String(props.ProtocolType)}: only WEBSOCKET APIs are emulated`);
  }
  const routeSelectionExpression = resources.string(apiId, 'RouteSelectionExpression');

  const ofThisApi = (type: string) =>
    resources.ids(type).filter((id) => {
      if (refOf(resources.props(id).ApiId) !== apiId) throw resources.error(id, 'unresolved_reference', `ApiId must be a Ref to ${apiId}`);
      return true;
    });

  const stages = ofThisApi(STAGE);
  if (stages.length !== 1) throw resources.error(apiId, 'missing_resource', `the WebSocket API must have exactly one stage; it has ${stages.length}`);
  const stageName = resources.string(stages[0]!, 'StageName');

  const responses = new Set<string>();
  for (const id of ofThisApi(ROUTE_RESPONSE)) {
    const routeId = resources.reference(id, 'RouteId', ROUTE);
    if (resources.string(id, 'RouteResponseKey') !== '$default') throw resources.error(id, 'unsupported_property', 'RouteResponseKey must be $default');
    responses.add(routeId);
  }
  for (const id of ofThisApi(INTEGRATION_RESPONSE)) resources.reference(id, 'IntegrationId', INTEGRATION);

  let authorizer: AuthorizerModel | undefined;
  const routes: RouteModel[] = [];
  const routeKeys = new Set<string>();
  for (const id of ofThisApi(ROUTE)) {
    const routeProps = resources.props(id);
    const routeKey = resources.string(id, 'RouteKey');
    if (routeKeys.has(routeKey)) throw resources.error(id, 'invalid_template', `route ${routeKey} is defined twice`);
    routeKeys.add(routeKey);
    if (routeProps.ApiKeyRequired === true) throw resources.error(id, 'unsupported_property', 'ApiKeyRequired: API keys are not emulated');
    const authorizationType = routeProps.AuthorizationType ?? 'NONE';
    if (authorizationType === 'CUSTOM') {
      if (routeKey !== '$connect') throw resources.error(id, 'unsupported_property', 'an authorizer is only possible on $connect');
      authorizer = readAuthorizer(resources, resources.reference(id, 'AuthorizerId', AUTHORIZER));
    } else if (authorizationType !== 'NONE') {
      throw resources.error(id, 'unsupported_property', `AuthorizationType ${JSON.stringify(authorizationType)} is not emulated`);
    }
    const expression = routeProps.RouteResponseSelectionExpression;
    if (expression !== undefined && expression !== '$default') {
      throw resources.error(id, 'unsupported_property', 'RouteResponseSelectionExpression must be $default');
    }
    routes.push(readRoute(resources, id, routeKey, expression === '$default' && responses.has(id)));
  }
  return { logicalId: apiId, name: resources.string(apiId, 'Name'), routeSelectionExpression, routes, stageName, authorizer };
}

/** A route with the integration of its `integrations/<id>` target: a Lambda proxy or a MOCK. */
function readRoute(resources: TemplateResources, routeId: string, routeKey: string, returnResponse: boolean): RouteModel {
  const target = resources.props(routeId).Target;
  const integrationId = findLogicalId(target, 'Ref', (id) => resources.isOfType(id, INTEGRATION));
  if (integrationId === undefined) {
    throw resources.error(routeId, 'unresolved_reference', 'Target must be integrations/<Ref to an AWS::ApiGatewayV2::Integration>');
  }
  const type = resources.props(integrationId).IntegrationType;
  if (type === 'AWS_PROXY') return { routeKey, functionId: lambdaInUri(resources, integrationId, 'IntegrationUri'), returnResponse };
  if (type !== 'MOCK') {
    throw resources.error(integrationId, 'unsupported_property', `IntegrationType ${String(type)}: only Lambda proxy (AWS_PROXY) and MOCK integrations are emulated`);
  }
  if (routeKey === '$connect' || routeKey === '$disconnect') {
    throw resources.error(integrationId, 'unsupported_property', `a MOCK integration on ${routeKey} is not emulated, only on message routes`);
  }
  return { routeKey, mock: readMockIntegration(resources, integrationId), returnResponse };
}

function readAuthorizer(resources: TemplateResources, id: string): AuthorizerModel {
  const props = resources.props(id);
  if (props.AuthorizerType !== 'REQUEST') {
    throw resources.error(id, 'unsupported_property', `AuthorizerType ${String(props.AuthorizerType)}: only REQUEST authorizers are emulated`);
  }
  const identitySource = props.IdentitySource ?? [];
  if (!Array.isArray(identitySource) || !identitySource.every((source): source is string => typeof source === 'string')) {
    throw resources.error(id, 'invalid_template', 'IdentitySource must be a list of strings');
  }
  for (const source of identitySource) {
    if (!/^route\.request\.(querystring|header)\.[^.]+$/.test(source)) {
      throw resources.error(id, 'unsupported_property', `IdentitySource ${source}: only route.request.querystring.* and route.request.header.* are emulated`);
    }
  }
  return { logicalId: id, functionId: lambdaInUri(resources, id, 'AuthorizerUri'), identitySource };
}

/** The name of the AWS::Lambda::Function whose `Fn::GetAtt [X, Arn]` appears in an integration or authorizer URI. */
function lambdaInUri(resources: TemplateResources, id: string, property: string): string {
  const functionId = findLogicalId(resources.props(id)[property], 'Arn', (logicalId) => resources.isOfType(logicalId, 'AWS::Lambda::Function'));
  if (functionId === undefined) throw resources.error(id, 'unresolved_reference', `${property} must invoke a Lambda function of this template`);
  return resources.nameOf(functionId);
}
