/**
 * Reads a MOCK integration of a WebSocket API: what API Gateway answers without calling anything.
 *
 * API Gateway runs a MOCK integration in three steps, all from the template:
 * 1. the integration's TemplateSelectionExpression picks one of its RequestTemplates (`$default`
 *    when no key matches); that template's output must be `{"statusCode": N}`;
 * 2. N selects an AWS::ApiGatewayV2::IntegrationResponse of the integration: the first whose
 *    IntegrationResponseKey, a `/regex/`, matches N, else the one keyed `$default`;
 * 3. that integration response's TemplateSelectionExpression picks one of its ResponseTemplates
 *    (`$default` when no key matches): the text the client gets when the route has a route response.
 *
 * Only literal templates and selection expressions are emulated (`\$default`, `pong`): their
 * outcome is the same for every message, so it is worked out once, here. A template with mapping
 * template variables or directives (`$input…`, `$context…`, `#if`) or a selection expression that
 * reads the request is a StackTemplateError.
 */
import { type MockIntegrationModel } from './stack-model';
import { StackTemplateError } from './template-errors';
import { isObject, refOf, type TemplateResources } from './template-resources';

export const INTEGRATION = 'AWS::ApiGatewayV2::Integration';
export const INTEGRATION_RESPONSE = 'AWS::ApiGatewayV2::IntegrationResponse';

const DEFAULT_KEY = '$default';
/** A mapping-template reference (`$input`, `${…}`, `$!…`) or directive (`#if`, `#{…}`). */
const TEMPLATE_CODE = /[$#][!{A-Za-z]/;

/** The key a selection expression always gives, or undefined when it reads the request (not emulated). */
function literalKey(expression: string | undefined): string | undefined {
  if (expression === undefined) return DEFAULT_KEY;
  // `\$` is a literal dollar sign; any other `$` starts a variable.
  if (/(^|[^\\])\$/.test(expression)) return undefined;
  return expression.replaceAll('\\$', '$');
}

function templates(resources: TemplateResources, id: string, property: string, type: string): Readonly<Record<string, string>> {
  const value = resources.props(id)[property] ?? {};
  if (!isObject(value) || !Object.values(value).every((template) => typeof template === 'string')) {
    throw new StackTemplateError('invalid_template', `${property} must map keys to literal template strings`, id, type);
  }
  return value as Record<string, string>;
}

/** The template a literal selection expression picks (falling back on `$default`), or undefined when there is none. */
function selectTemplate(resources: TemplateResources, id: string, type: string, property: string): string | undefined {
  const expression = resources.optionalString(id, 'TemplateSelectionExpression');
  const key = literalKey(expression);
  if (key === undefined) {
    throw new StackTemplateError(
      'unsupported_property',
      `TemplateSelectionExpression ${expression ?? ''}: only a literal key (e.g. \\$default) is emulated, not a selection from the request`,
      id,
      type,
    );
  }
  const all = templates(resources, id, property, type);
  const template = Object.hasOwn(all, key) ? all[key] : Object.hasOwn(all, DEFAULT_KEY) ? all[DEFAULT_KEY] : undefined;
  if (template !== undefined && TEMPLATE_CODE.test(template)) {
    throw new StackTemplateError('unsupported_property', `${property}: mapping template variables and directives are not emulated, only literal templates`, id, type);
  }
  return template;
}

/** The status code of the selected request template (`{"statusCode": 200}`). */
function statusCodeOf(resources: TemplateResources, integrationId: string): number {
  const template = selectTemplate(resources, integrationId, INTEGRATION, 'RequestTemplates');
  let parsed: unknown;
  try {
    parsed = template === undefined ? undefined : JSON.parse(template);
  } catch {
    parsed = undefined;
  }
  const statusCode = isObject(parsed) ? parsed.statusCode : undefined;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new StackTemplateError(
      'invalid_template',
      'a MOCK integration needs a request template {"statusCode": <integer>} (API Gateway fails every call without one)',
      integrationId,
      INTEGRATION,
    );
  }
  return statusCode;
}

/** The integration responses of one integration, in template order. */
function integrationResponsesOf(resources: TemplateResources, integrationId: string): readonly string[] {
  return resources.ids(INTEGRATION_RESPONSE).filter((id) => refOf(resources.props(id).IntegrationId) === integrationId);
}

/** The IntegrationResponse a status code selects: the first `/regex/` key that matches it, else `$default`. */
function selectIntegrationResponse(resources: TemplateResources, integrationId: string, statusCode: number): string | undefined {
  let fallback: string | undefined;
  for (const id of integrationResponsesOf(resources, integrationId)) {
    const key = resources.string(id, 'IntegrationResponseKey');
    if (key === DEFAULT_KEY) {
      fallback ??= id;
      continue;
    }
    const pattern = /^\/(.+)\/$/.exec(key)?.[1];
    if (pattern === undefined) {
      throw new StackTemplateError('invalid_template', `IntegrationResponseKey ${key} must be $default or a /regular expression/`, id, INTEGRATION_RESPONSE);
    }
    let matches: boolean;
    try {
      matches = new RegExp(`^(?:${pattern})$`).test(String(statusCode));
    } catch {
      throw new StackTemplateError('invalid_template', `IntegrationResponseKey ${key} is not a valid regular expression`, id, INTEGRATION_RESPONSE);
    }
    if (matches) return id;
  }
  return fallback;
}

/** What a MOCK integration answers, worked out from its templates. */
export function readMockIntegration(resources: TemplateResources, integrationId: string): MockIntegrationModel {
  const statusCode = statusCodeOf(resources, integrationId);
  const responseId = selectIntegrationResponse(resources, integrationId, statusCode);
  const response = responseId === undefined ? undefined : selectTemplate(resources, responseId, INTEGRATION_RESPONSE, 'ResponseTemplates');
  return { statusCode, response };
}
