/**
 * The REQUEST authorizer on `$connect`, as API Gateway runs it for WebSocket APIs: identity
 * sources, the policy's evaluation and the context it gives every event (README.md, Handshake).
 */
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../services/aws-client-config';
import { isRecord } from '../is-record';

export type IdentitySource =
  | { readonly kind: 'querystring'; readonly name: string }
  | { readonly kind: 'header'; readonly name: string; readonly lowerCaseName: string };

const IDENTITY_SOURCE = /^route\.request\.(querystring|header)\.([^\s]+)$/;

/** Parses an identity source expression; throws TypeError for one the gateway cannot evaluate. */
export function parseIdentitySource(expression: string): IdentitySource {
  const match = IDENTITY_SOURCE.exec(expression);
  if (match === null) {
    throw new TypeError(
      `Unsupported authorizer identity source "${expression}": expected route.request.querystring.<name> or route.request.header.<name>`,
    );
  }
  const name = match[2]!;
  return match[1] === 'querystring' ? { kind: 'querystring', name } : { kind: 'header', name, lowerCaseName: name.toLowerCase() };
}

/** True when every identity source has a non-empty value in the handshake request. */
export function identitySourcesPresent(
  sources: readonly IdentitySource[],
  headers: NodeJS.Dict<string | string[]>,
  query: URLSearchParams,
): boolean {
  for (const source of sources) {
    const value = source.kind === 'querystring' ? query.get(source.name) : headers[source.lowerCaseName];
    if (value === null || value === undefined) return false;
    if (typeof value === 'string' ? value === '' : value.every((v) => v === '')) return false;
  }
  return true;
}

/** `requestContext.authorizer` of every event of an authorized connection. */
export type AuthorizerContext = Readonly<Record<string, string | number | null>>;

export type AuthorizerDecision =
  | { readonly kind: 'allow'; readonly principalId: string; readonly context: Readonly<Record<string, string | null>> }
  | { readonly kind: 'deny' }
  | { readonly kind: 'invalid'; readonly reason: string };

function asList(value: unknown): unknown[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value as unknown[];
  return undefined;
}

/** IAM-style wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

const INVOKE_ACTION = 'execute-api:Invoke';

function statementMatches(statement: Record<string, unknown>, methodArn: string): boolean | 'invalid' {
  const actions = asList(statement.Action);
  const resources = asList(statement.Resource);
  if (actions === undefined || resources === undefined) return 'invalid';
  const actionMatches = actions.some((action) => typeof action === 'string' && wildcardMatch(action, INVOKE_ACTION, true));
  const resourceMatches = resources.some((resource) => typeof resource === 'string' && wildcardMatch(resource, methodArn));
  return actionMatches && resourceMatches;
}

function stringifyContext(context: unknown): Record<string, string | null> | string {
  if (context === undefined || context === null) return {};
  if (!isRecord(context)) return 'context is not an object';
  const entries = Object.entries(context).filter(([, value]) => value !== undefined);
  const invalid = entries.find(([, value]) => value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean');
  if (invalid !== undefined) return `context value "${invalid[0]}" is not a string, number or boolean`;
  // fromEntries defines its keys: a `__proto__` key stays a plain key.
  return Object.fromEntries(entries.map(([key, value]) => [key, value === null ? null : String(value as string | number | boolean)]));
}

/** Evaluates what the authorizer function returned against the `$connect` methodArn. */
export function evaluateAuthorizerResponse(response: unknown, methodArn: string): AuthorizerDecision {
  if (!isRecord(response)) return { kind: 'invalid', reason: 'the authorizer did not return an object' };
  const { principalId, policyDocument } = response;
  if (typeof principalId !== 'string') return { kind: 'invalid', reason: 'principalId is missing or not a string' };
  if (!isRecord(policyDocument)) return { kind: 'invalid', reason: 'policyDocument is missing' };
  const statements = Array.isArray(policyDocument.Statement) ? policyDocument.Statement : [policyDocument.Statement];
  let allowed = false;
  for (const statement of statements) {
    if (!isRecord(statement)) return { kind: 'invalid', reason: 'a policy statement is not an object' };
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return { kind: 'invalid', reason: 'a policy statement has no Effect of Allow or Deny' };
    const matches = statementMatches(statement, methodArn);
    if (matches === 'invalid') return { kind: 'invalid', reason: 'a policy statement has no Action or Resource' };
    if (!matches) continue;
    if (effect === 'Deny') return { kind: 'deny' };
    allowed = true;
  }
  if (!allowed) return { kind: 'deny' };
  const context = stringifyContext(response.context);
  if (typeof context === 'string') return { kind: 'invalid', reason: context };
  return { kind: 'allow', principalId, context };
}

/** `requestContext.authorizer`: the context keys, then `principalId` and `integrationLatency` (ms). */
export function authorizerContext(decision: Extract<AuthorizerDecision, { kind: 'allow' }>, integrationLatencyMs: number): AuthorizerContext {
  // Copied key by key: a spread copy followed by new keys gets a map of its own in V8, memory every
  // connection keeps; `__proto__` is defined, not assigned, so it stays a plain key.
  const context: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(decision.context)) {
    if (key === '__proto__') Object.defineProperty(context, key, { value, enumerable: true, writable: true, configurable: true });
    else context[key] = value;
  }
  context.principalId = decision.principalId;
  context.integrationLatency = integrationLatencyMs;
  return context;
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/$connect`, in the local region and account. */
export function connectMethodArn(apiId: string, stage: string): string {
  return `arn:aws:execute-api:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}:${apiId}/${stage}/$connect`;
}
