/** Cold-start baseline of Authorizer: jose's importJWK of the stage's public key and one jwtVerify with the stage's issuer, audience and algorithms. */
import { importJWK, jwtVerify, type JWK } from 'jose';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';

const jwk = JSON.parse(process.env.JWT_PUBLIC_JWK ?? '{}') as JWK;
const algorithms = (process.env.JWT_ALGORITHMS ?? '').split(',');

export const handler = async (event: APIGatewayRequestAuthorizerEvent) => {
  const key = await importJWK(jwk, algorithms[0]);
  const { payload } = await jwtVerify(event.queryStringParameters?.token ?? '', key, {
    issuer: process.env.JWT_ISSUER,
    audience: process.env.JWT_AUDIENCE,
    algorithms,
  });
  return {
    principalId: payload.sub ?? '',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
    context: { userId: payload.sub, expiresAt: payload.exp },
  };
};
