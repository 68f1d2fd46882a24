/**
 * The stack of a CDK app run by the local runtime (`ws-notify start --app`): its stage settings,
 * read from the template the app synthesized (there is no entry for it in infra/stages.ts), and
 * the one thing the emulated stack changes, whose tokens it accepts.
 *
 * An app's stack verifies tokens from its identity provider (a JWKS URL) or with a public key of
 * its own: locally neither can sign a token. So the emulated stack's verifying functions get, in
 * their environment only, the runtime's issuer (`https://ws-notify.local/<stack>`), its ES256 key
 * served as a JWKS by the local gateway, and ES256 as the algorithm; the audience, the maximum
 * lifetime and every check of the verifier stay the template's. The template, and so what `cdk
 * deploy` deploys, is not changed: a local token is never accepted by the deployed stack.
 */
import type { JWK } from 'jose';
import { type StageConfig } from '../../infra/stages';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../commons/constants';
import { sendForbidden, type HttpFallbackHandler } from './gateway';
import { appTokenStage } from '../tooling/app-stage';
import { GENERATED_KEY_ALGORITHM } from '../tooling/stage-keys';
import { type StackModel, type TemplateValue } from './template/stack-model';
import { StackTemplateError } from './template/template-errors';

/** Where the local gateway serves the JWKS of an app stack's local key. */
export const LOCAL_JWKS_PATH = '/.well-known/jwks.json';

/** API Gateway's account-level throttling defaults: an app's stage settings do not reach the template in a form the runtime reads, and the runtime does not throttle. */
const ACCOUNT_THROTTLING = { rateLimit: 10_000, burstLimit: 5_000 } as const;

/** A literal environment value of a service function (`ws-notify:name`), or undefined. */
function literal(model: StackModel, functionName: string, variable: string): string | undefined {
  const value: TemplateValue = model.functions[functionName]?.environment[variable];
  return typeof value === 'string' ? value : undefined;
}

function wholeNumber(model: StackModel, functionName: string, variable: string): number | undefined {
  const text = literal(model, functionName, variable);
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** The stage of an app's stack, named by the stack, with the settings its template holds. */
export function appStackStage(model: StackModel): StageConfig {
  const audience = literal(model, 'Authorize', 'JWT_AUDIENCE');
  if (audience === undefined) {
    throw new StackTemplateError('missing_resource', "the WsNotify construct's Authorize function with a literal JWT_AUDIENCE: is this a stack of ws-notify?");
  }
  const origins = literal(model, 'Connect', 'ALLOWED_ORIGINS');
  const logLevel = literal(model, 'Ping', 'POWERTOOLS_LOG_LEVEL');
  const maxTokenLifetimeSeconds = wholeNumber(model, 'Authorize', 'JWT_MAX_LIFETIME_SECONDS');
  const inboxRetentionSeconds = wholeNumber(model, 'Resume', 'INBOX_RETENTION_SECONDS');
  const maxConnectionsPerUser = wholeNumber(model, 'Authorize', 'MAX_CONNECTIONS_PER_USER');
  const tokens = appTokenStage(model.stackName, { audience, maxTokenLifetimeSeconds: maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS });
  return {
    ...tokens,
    authMode: model.api.authorizer === undefined ? 'action' : 'authorizer',
    authorizeDeadlineSeconds: wholeNumber(model, 'Connect', 'AUTHORIZE_DEADLINE_SECONDS'),
    ...(origins !== undefined && origins !== '' ? { allowedOrigins: origins.split(',') } : {}),
    logLevel: logLevel === 'DEBUG' || logLevel === 'WARN' || logLevel === 'ERROR' ? logLevel : 'INFO',
    ...(inboxRetentionSeconds !== undefined ? { inboxRetentionSeconds } : {}),
    ...(maxConnectionsPerUser !== undefined ? { maxConnectionsPerUser } : {}),
    throttling: ACCOUNT_THROTTLING,
    // Nothing outlives the local stack: its tables and queues are in memory.
    retainData: false,
  };
}

/**
 * The environment of a function of the emulated app stack: a verifying function (one with
 * JWT_ISSUER) verifies the runtime's local tokens, through the JWKS the gateway serves.
 */
export function withLocalTokenKey(environment: Readonly<Record<string, string>>, stage: StageConfig, jwksUrl: string): Record<string, string> {
  if (environment.JWT_ISSUER === undefined) return { ...environment };
  const { JWT_PUBLIC_JWK: _publicJwk, ...rest } = environment;
  return { ...rest, JWT_ISSUER: stage.jwt.issuer, JWT_ALGORITHMS: GENERATED_KEY_ALGORITHM, JWT_JWKS_URL: jwksUrl };
}

/**
 * The gateway's plain-HTTP handler of an app stack: `GET /.well-known/jwks.json` is the local key's
 * public JWK set; anything else goes to `next` (the console), or is refused as the gateway refuses it.
 */
export function serveLocalJwks(publicJwk: JWK, next: HttpFallbackHandler | undefined): HttpFallbackHandler {
  const body = JSON.stringify({ keys: [publicJwk] });
  return (req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === LOCAL_JWKS_PATH) {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
      res.end(body);
      return;
    }
    (next ?? sendForbidden)(req, res);
  };
}
