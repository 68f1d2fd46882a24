/**
 * Reads a MOCK integration of a WebSocket API: what API Gateway answers without calling anything,
 * worked out once from the literal templates (how: the MOCK integrations of src/local/gateway/README.md).
 * A template or selection expression that reads the request is a StackTemplateError.
 */
import { type MockIntegrationModel } from './stack-model';
import { StackTemplateError } from './template-errors';
import { refOf, type TemplateResources } from './template-resources';
import { isRecord } from '../is-record';

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
  const all = resources.props(id)[property] ?? {};
  if (!isRecord(all) || !Object.values(all).every((template) => typeof template === 'string')) {
    throw new StackTemplateError('invalid_template', `${property} must map keys to literal template strings`, id, type);
  }
  const template = (Object.hasOwn(all, key) ? all[key] : Object.hasOwn(all, DEFAULT_KEY) ? all[DEFAULT_KEY] : undefined) as string | undefined;
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
  const statusCode = isRecord(parsed) ? parsed.statusCode : undefined;
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

/** The IntegrationResponse a status code selects: the first `/regex/` key that matches it, else `$default`. */
function selectIntegrationResponse(resources: TemplateResources, integrationId: string, statusCode: number): string | undefined {
  let fallback: string | undefined;
  for (const id of resources.ids(INTEGRATION_RESPONSE)) {
    if (refOf(resources.props(id).IntegrationId) !== integrationId) continue;
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
  const responseId = selectIntegrationResponse(resources, integrationId, statusCodeOf(resources, integrationId));
  return { response: responseId === undefined ? undefined : selectTemplate(resources, responseId, INTEGRATION_RESPONSE, 'ResponseTemplates') };
}
