import { readStackTemplate } from '../../../../src/local/template/read-stack-template';
import { type MockRouteModel } from '../../../../src/local/template/stack-model';
import { StackTemplateError } from '../../../../src/local/template/template-errors';
import { minimalTemplate, type Resources } from './template-factory';

const api = { Ref: 'Api' };

/** The minimal template with a route `hello` on a MOCK integration, and the integration responses given. */
function mockTemplate(
  integration: Record<string, unknown>,
  integrationResponses: Record<string, Record<string, unknown>> = {},
  options: { routeKey?: string; routeResponse?: boolean } = {},
): ReturnType<typeof minimalTemplate> {
  const template = minimalTemplate();
  const resources: Resources = {
    HelloIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: api, IntegrationType: 'MOCK', ...integration } },
    HelloRoute: {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: {
        ApiId: api,
        RouteKey: options.routeKey ?? 'hello',
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'HelloIntegration' }]] },
        ...(options.routeResponse === false ? {} : { RouteResponseSelectionExpression: '$default' }),
      },
    },
  };
  if (options.routeResponse !== false) {
    resources.HelloRouteResponse = { Type: 'AWS::ApiGatewayV2::RouteResponse', Properties: { ApiId: api, RouteId: { Ref: 'HelloRoute' }, RouteResponseKey: '$default' } };
  }
  for (const [id, properties] of Object.entries(integrationResponses)) {
    resources[id] = { Type: 'AWS::ApiGatewayV2::IntegrationResponse', Properties: { ApiId: api, IntegrationId: { Ref: 'HelloIntegration' }, ...properties } };
  }
  Object.assign(template.Resources, resources);
  return template;
}

const OK_REQUEST = { TemplateSelectionExpression: '\\$default', RequestTemplates: { $default: '{"statusCode":200}' } };

function helloRoute(template: unknown): MockRouteModel {
  const route = readStackTemplate(template, { stackName: 'Test' }).api.routes.find((candidate) => candidate.routeKey === 'hello');
  if (route?.mock === undefined) throw new Error('no MOCK route hello');
  return route;
}

function readError(template: unknown): StackTemplateError {
  try {
    readStackTemplate(template, { stackName: 'Test' });
  } catch (error) {
    if (error instanceof StackTemplateError) return error;
    throw error;
  }
  throw new Error('readStackTemplate did not throw');
}

describe('Reading MOCK integrations', () => {
  it('reads a MOCK route: the status code of its request template and the template of its $default integration response', () => {
    // Prepare
    const template = mockTemplate(OK_REQUEST, {
      HelloResponse: { IntegrationResponseKey: '$default', TemplateSelectionExpression: '\\$default', ResponseTemplates: { $default: '{"type":"pong"}' } },
    });

    // Act
    const route = helloRoute(template);

    // Assess
    expect(route).toEqual({ routeKey: 'hello', mock: { response: '{"type":"pong"}' }, returnResponse: true });
  });

  it('selects the first integration response whose /regex/ key matches the status code, else the $default one', () => {
    // Prepare
    const responses = {
      Default: { IntegrationResponseKey: '$default', ResponseTemplates: { $default: 'default' } },
      Client: { IntegrationResponseKey: '/4\\d\\d/', ResponseTemplates: { $default: 'client error' } },
      Success: { IntegrationResponseKey: '/2\\d\\d/', ResponseTemplates: { $default: 'success' } },
      Created: { IntegrationResponseKey: '/201/', ResponseTemplates: { $default: 'created' } },
    };

    // Act
    const status = (code: number) => helloRoute(mockTemplate({ RequestTemplates: { $default: `{"statusCode": ${code}}` } }, responses)).mock.response;

    // Assess
    expect(status(200)).toBe('success');
    expect(status(201)).toBe('success');
    expect(status(404)).toBe('client error');
    expect(status(500)).toBe('default');
    // A key is matched whole: 2000 is not a status of /2\d\d/.
    expect(helloRoute(mockTemplate({ RequestTemplates: { $default: '{"statusCode":302}' } }, { Success: responses.Success })).mock.response).toBeUndefined();
  });

  it('picks templates by a literal selection key, falling back on $default; no selection expression means $default', () => {
    // Prepare
    const template = mockTemplate(
      { TemplateSelectionExpression: 'json', RequestTemplates: { json: '{"statusCode":200}', $default: '{"statusCode":500}' } },
      { Any: { IntegrationResponseKey: '$default', TemplateSelectionExpression: 'text', ResponseTemplates: { $default: 'fallback' } } },
    );

    // Act
    const route = helloRoute(template);

    // Assess
    expect(route.mock).toEqual({ response: 'fallback' });
    const created = { Created: { IntegrationResponseKey: '/201/', ResponseTemplates: { $default: 'created' } } };
    expect(helloRoute(mockTemplate({ RequestTemplates: { $default: '{"statusCode":201}' } }, created)).mock.response).toBe('created');
  });

  it('answers nothing when no integration response matches, or the route has no route response', () => {
    // Act
    const unmatched = helloRoute(mockTemplate(OK_REQUEST));
    const oneWay = helloRoute(mockTemplate(OK_REQUEST, { Any: { IntegrationResponseKey: '$default', ResponseTemplates: { $default: 'pong' } } }, { routeResponse: false }));

    // Assess
    expect(unmatched).toEqual({ routeKey: 'hello', mock: { response: undefined }, returnResponse: true });
    expect(oneWay).toEqual({ routeKey: 'hello', mock: { response: 'pong' }, returnResponse: false });
  });

  it.each([
    [
      'a selection expression that reads the request',
      mockTemplate({ TemplateSelectionExpression: '$request.body.kind', RequestTemplates: { $default: '{"statusCode":200}' } }),
      'unsupported_property',
      'HelloIntegration (AWS::ApiGatewayV2::Integration): TemplateSelectionExpression $request.body.kind: only a literal key (e.g. \\$default) is emulated, not a selection from the request',
    ],
    [
      'a request template with mapping template code',
      mockTemplate({ RequestTemplates: { $default: '{"statusCode": $input.path(\'$.code\')}' } }),
      'unsupported_property',
      'HelloIntegration (AWS::ApiGatewayV2::Integration): RequestTemplates: mapping template variables and directives are not emulated, only literal templates',
    ],
    [
      'a response template with mapping template code',
      mockTemplate(OK_REQUEST, { Any: { IntegrationResponseKey: '$default', ResponseTemplates: { $default: '{"connectionId":"$context.connectionId"}' } } }),
      'unsupported_property',
      'Any (AWS::ApiGatewayV2::IntegrationResponse): ResponseTemplates: mapping template variables and directives are not emulated, only literal templates',
    ],
    [
      'a MOCK integration without a request template',
      mockTemplate({}),
      'invalid_template',
      'HelloIntegration (AWS::ApiGatewayV2::Integration): a MOCK integration needs a request template {"statusCode": <integer>} (API Gateway fails every call without one)',
    ],
    [
      'a request template whose statusCode is not an integer',
      mockTemplate({ RequestTemplates: { $default: '{"statusCode":"ok"}' } }),
      'invalid_template',
      'HelloIntegration (AWS::ApiGatewayV2::Integration): a MOCK integration needs a request template {"statusCode": <integer>} (API Gateway fails every call without one)',
    ],
    [
      'an integration response key that is neither $default nor /regex/',
      mockTemplate(OK_REQUEST, { Any: { IntegrationResponseKey: '200', ResponseTemplates: { $default: 'pong' } } }),
      'invalid_template',
      'Any (AWS::ApiGatewayV2::IntegrationResponse): IntegrationResponseKey 200 must be $default or a /regular expression/',
    ],
    [
      'an integration response of an integration of no route',
      mockTemplate(OK_REQUEST, { Any: { IntegrationId: { Ref: 'Nowhere' }, IntegrationResponseKey: '$default' } }),
      'unresolved_reference',
      'Any (AWS::ApiGatewayV2::IntegrationResponse): IntegrationId must be a Ref to an AWS::ApiGatewayV2::Integration of this template',
    ],
    [
      'a MOCK integration on $connect',
      mockTemplate(OK_REQUEST, {}, { routeKey: '$connect', routeResponse: false }),
      'unsupported_property',
      'HelloIntegration (AWS::ApiGatewayV2::Integration): a MOCK integration on $connect is not emulated, only on message routes',
    ],
  ])('refuses %s, naming the resource', (_case, template, code, message) => {
    // Act
    const error = readError(template);

    // Assess
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });
});
