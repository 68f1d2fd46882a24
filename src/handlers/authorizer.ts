/**
 * REQUEST authorizer on `$connect` (mode `authorizer`). The token comes from the query string
 * (`?token=`, the route's identity source). A valid token → Allow for the route with
 * principalId = sub and context { userId, expiresAt }; anything else → Deny (API Gateway answers
 * the handshake with 403). Never throws: a thrown error would be a 500 with a stack in the logs.
 * A denial is counted in HandshakesRefused (`unauthorized`, or `error` when the token could not be
 * verified at all); an allowed handshake is counted by `$connect`, which decides its outcome.
 */
import { systemClock, type Clock } from '../commons/clock';
import { InvalidTokenError } from '../commons/errors';
import type { TokenVerifier } from '../commons/jwt-verifier';
import type { Logger } from '../commons/logger';
import { addHandshakeRefused, type Metrics } from '../commons/metrics';
import type { AuthorizerPolicy, WebSocketAuthorizerEvent } from '../commons/websocket-events';

export interface AuthorizerDependencies {
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
}

/** principalId of a denied request (there is no verified subject). */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

export function policy(effect: 'Allow' | 'Deny', principalId: string, resource: string): AuthorizerPolicy {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
  };
}

export async function handleAuthorizer(event: WebSocketAuthorizerEvent, deps: AuthorizerDependencies): Promise<AuthorizerPolicy> {
  const { verifier, logger, metrics, clock = systemClock } = deps;
  const resource = event.methodArn;
  const token = event.queryStringParameters?.token;
  if (token === undefined || token === null || token === '') {
    logger.info('Connection denied', { reason: 'missing' });
    addHandshakeRefused(metrics, 'unauthorized');
    return policy('Deny', ANONYMOUS_PRINCIPAL, resource);
  }
  try {
    const { userId, expiresAt } = await verifier.verify(token, clock());
    logger.info('Connection allowed', { userId, expiresAt });
    return { ...policy('Allow', userId, resource), context: { userId, expiresAt } };
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      logger.info('Connection denied', { reason: error.code });
      addHandshakeRefused(metrics, 'unauthorized');
    } else {
      // Keys unavailable or an unexpected fault: refuse, and make it visible.
      logger.error('Connection denied: the token could not be verified', { error });
      addHandshakeRefused(metrics, 'error');
    }
    return policy('Deny', ANONYMOUS_PRINCIPAL, resource);
  }
}
