/** Lambda entry: REQUEST authorizer on `$connect` (mode `authorizer`). Env: JWT_*. */
import { getJwtVerifierConfigFromEnv, JwtVerifier } from '../commons/jwt-verifier';
import { createFunctionLogger, lambdaEntry } from '../commons/lambda-entry';
import type { AuthorizerPolicy, WebSocketAuthorizerEvent } from '../commons/websocket-events';
import { handleAuthorizer } from '../handlers/authorizer';

const logger = createFunctionLogger();
const verifier = new JwtVerifier(getJwtVerifierConfigFromEnv());

export const handler = lambdaEntry<WebSocketAuthorizerEvent, AuthorizerPolicy>(logger, (event) =>
  handleAuthorizer(event, { verifier, logger }),
);
