/**
 * Loads a Lambda entry file (src/functions/*.ts) in an isolated module registry with the given
 * environment, the way Lambda loads it: configuration is read and SDK clients are created at
 * module load. Every module of the entry's own code, and Powertools, is evaluated anew in that
 * registry; the AWS SDK clients and the stateless libraries (jose, io-ts, fp-ts) are evaluated
 * once per test file and handed to every registry (SHARED_MODULES): they hold no configuration
 * of the entry, and evaluating the SDK took most of each load. The client classes are mocked with
 * aws-sdk-client-mock (loaded once per test file, with sinon), whose stubs of `send` the next
 * load replaces.
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

/**
 * Modules every isolated registry shares (jest.doMock with the module of the test file's own
 * registry): each load gets new clients from the entry, but not a new copy of the SDK's code.
 */
const SHARED_MODULES: Readonly<Record<string, unknown>> = {
  '@aws-sdk/client-dynamodb': jest.requireActual('@aws-sdk/client-dynamodb'),
  '@aws-sdk/client-sqs': jest.requireActual('@aws-sdk/client-sqs'),
  '@aws-sdk/client-apigatewaymanagementapi': jest.requireActual('@aws-sdk/client-apigatewaymanagementapi'),
  jose: jest.requireActual('jose'),
  'io-ts': jest.requireActual('io-ts'),
  'fp-ts/Either': jest.requireActual('fp-ts/Either'),
};

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
      for (const [name, shared] of Object.entries(SHARED_MODULES)) jest.doMock(name, () => shared);
      const dynamodb = SHARED_MODULES['@aws-sdk/client-dynamodb'] as typeof DynamoDb;
      const sqs = SHARED_MODULES['@aws-sdk/client-sqs'] as typeof Sqs;
      const management = SHARED_MODULES['@aws-sdk/client-apigatewaymanagementapi'] as typeof ManagementApi;
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
