/** Lambda entry: REQUEST authorizer on `$connect` (mode `authorizer`). Env: STAGE, POWERTOOLS_METRICS_NAMESPACE, JWT_*. */
import { getJwtVerifierConfigFromEnv, JwtVerifier } from '../commons/jwt-verifier';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import { createFunctionMetrics } from '../commons/metrics';
import type { AuthorizerPolicy, WebSocketAuthorizerEvent } from '../commons/websocket-events';
import { handleAuthorizer } from '../handlers/authorizer';

const logger = createFunctionLogger();
const metrics = createFunctionMetrics();
const verifier = new JwtVerifier(getJwtVerifierConfigFromEnv());

export const handler = lambdaEntry<WebSocketAuthorizerEvent, AuthorizerPolicy>(
  logger,
  (event) => handleAuthorizer(event, { verifier, logger, metrics }),
  metrics,
);
