/**
 * Loads a Lambda entry file (src/functions/*.ts) in an isolated module registry with the given
 * environment, the way Lambda loads it: configuration is read and SDK clients are created at
 * module load. The SDK modules of that registry are mocked with aws-sdk-client-mock, which (with
 * sinon) is loaded once per test file: it stubs the client classes of whichever registry it is given.
 */
import type * as ManagementApi from '@aws-sdk/client-apigatewaymanagementapi';
import type * as DynamoDb from '@aws-sdk/client-dynamodb';
import type * as Sqs from '@aws-sdk/client-sqs';
import path from 'node:path';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';

export interface LoadedEntry<M extends object> {
  readonly entry: M;
  readonly sdk: { readonly dynamodb: typeof DynamoDb; readonly sqs: typeof Sqs; readonly management: typeof ManagementApi };
  readonly mocks: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly dynamo: AwsStub<any, any, any>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly sqs: AwsStub<any, any, any>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly management: AwsStub<any, any, any>;
  };
}

export const BASE_ENV = {
  AWS_REGION: 'us-east-1',
  STAGE: 'test',
  POWERTOOLS_SERVICE_NAME: 'ws-notify',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_NAMESPACE: 'WsNotify',
  CONNECTIONS_TABLE_NAME: 'ws-notify-test-Connections',
} as const;

export type EntryName =
  | 'authorizer'
  | 'connect'
  | 'disconnect'
  | 'ping'
  | 'default'
  | 'authorize'
  | 'authorize-deadline'
  | 'notify-user'
  | 'notify-connection'
  | 'resume';

const FUNCTIONS_DIRECTORY = path.resolve(__dirname, '../../../src/functions');

/**
 * Loads src/functions/<name>.ts in an isolated registry with `env` applied to process.env (then
 * restores process.env). Throws what the module throws at load.
 */
export function loadEntry<M extends object>(name: EntryName, env: Record<string, string>): LoadedEntry<M> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let loaded: LoadedEntry<M> | undefined;
  try {
    jest.isolateModules(() => {
      const dynamodb = jest.requireActual<typeof DynamoDb>('@aws-sdk/client-dynamodb');
      const sqs = jest.requireActual<typeof Sqs>('@aws-sdk/client-sqs');
      const management = jest.requireActual<typeof ManagementApi>('@aws-sdk/client-apigatewaymanagementapi');
      const mocks = {
        dynamo: mockClient(dynamodb.DynamoDBClient),
        sqs: mockClient(sqs.SQSClient),
        management: mockClient(management.ApiGatewayManagementApiClient),
      };
      loaded = { entry: jest.requireActual<M>(path.join(FUNCTIONS_DIRECTORY, name)), sdk: { dynamodb, sqs, management }, mocks };
    });
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  if (loaded === undefined) throw new Error('entry did not load');
  return loaded;
}
