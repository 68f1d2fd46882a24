/**
 * Cold-start baseline of Authorize: the DynamoDB and Management API clients the function creates,
 * and its work for a renewal: GetItem of the record, jose's importJWK + jwtVerify of the token, and
 * the conditional UpdateItem.
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';

const tableName = process.env.CONNECTIONS_TABLE_NAME ?? '';
const jwk = JSON.parse(process.env.JWT_PUBLIC_JWK ?? '{}') as JWK;
const algorithms = (process.env.JWT_ALGORITHMS ?? '').split(',');
const dynamodb = new DynamoDBClient(SDK_CLIENT_CONFIG);
/** Created at load as the function does (it posts only on a third failed attempt); exported so that the bundler keeps it. */
export const gateway = new ApiGatewayManagementApiClient({ ...SDK_CLIENT_CONFIG, endpoint: process.env.CALLBACK_URL });

export const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<{ statusCode: number; body: string }> => {
  const { connectionId } = event.requestContext;
  const key = { connectionId: { S: connectionId } };
  await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  const { token } = JSON.parse(event.body ?? '{}') as { token: string };
  const { payload } = await jwtVerify(token, await importJWK(jwk, algorithms[0]), {
    issuer: process.env.JWT_ISSUER,
    audience: process.env.JWT_AUDIENCE,
    algorithms,
  });
  const now = Date.now();
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET #state = :authorized, #userId = :userId, #expiresAt = :expiresAt, #authorizedAt = :now',
      ConditionExpression: 'attribute_exists(#connectionId) AND (attribute_not_exists(#userId) OR #userId = :userId)',
      ExpressionAttributeNames: { '#connectionId': 'connectionId', '#state': 'state', '#userId': 'userId', '#expiresAt': 'expiresAt', '#authorizedAt': 'authorizedAt' },
      ExpressionAttributeValues: { ':authorized': { S: 'authorized' }, ':userId': { S: String(payload.sub) }, ':expiresAt': { N: String(payload.exp) }, ':now': { N: String(now) } },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return { statusCode: 200, body: JSON.stringify({ type: 'authorized', userId: payload.sub, expiresAt: payload.exp, connectionId }) };
};
