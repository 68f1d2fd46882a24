/**
 * The real local stack for integration tests: started on free ports with its keys and state in a
 * temporary directory, real `ws` clients, tokens signed with the stage's generated key, and the
 * unmodified AWS SDK clients pointed at the embedded services.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ClientOptions } from 'ws';
import { issueStageToken } from '../../src/tooling/stage-tokens';
import { startLocalStack, type LocalLogEntry, type LocalStack, type LocalStackOptions } from '../../src/local/runtime';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';
import { copyRunKeys, synthesizeOncePerRun } from './shared-synthesis';
import { spawnCommand, type CommandRun } from './spawn-command';
import { connectClient, refusedHandshake, type HandshakeRejectedError, type TestClient } from './ws-client';

export interface TestStack {
  readonly stack: LocalStack;
  readonly logs: LocalLogEntry[];
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly management: ApiGatewayManagementApiClient;
  /** Environment for a CLI spawned against this stack (keys and state directories). */
  readonly cliEnv: Readonly<Record<string, string>>;
  /** A token for the user, signed with the stage's key (default ttl 1 h). */
  token(userId: string, ttlSeconds?: number): Promise<string>;
  /** A client on the stage's WebSocket URL with the query string given. */
  connect(query?: string, options?: ClientOptions): Promise<TestClient>;
  /** A client authorized as the user: `?token=` in mode authorizer, an `authorize` message in mode action. */
  connectAs(userId: string): Promise<{ client: TestClient; connectionId: string }>;
  refused(query?: string, options?: ClientOptions): Promise<HandshakeRejectedError>;
  /** The connection record, or undefined. */
  record(connectionId: string): Promise<Record<string, AttributeValue> | undefined>;
  /** Every item of the connections table. */
  records(): Promise<Record<string, AttributeValue>[]>;
  /** ApproximateNumberOfMessages + NotVisible + Delayed of a queue by its logical name (`NotifyUser`, `NotifyConnectionDeadLetter`, …). */
  queueDepth(name: string): Promise<number>;
  close(): Promise<void>;
}

const clientBase = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/**
 * Starts the stack of the stage on ports 0 with keys and state in a fresh temporary directory. The
 * keys are copies of the test run's, and the template is the run's for that stage variant
 * (shared-synthesis.ts): the CDK is not loaded again for a stack some test already synthesized.
 */
export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-it-'));
  const keysDir = path.join(home, 'keys');
  const stateDir = path.join(home, 'state');
  mkdirSync(keysDir, { mode: 0o700 });
  copyRunKeys(keysDir);
  process.env.WS_NOTIFY_KEYS_DIR = keysDir;
  process.env.WS_NOTIFY_STATE_DIR = stateDir;
  const logs: LocalLogEntry[] = [];
  const stack = await startLocalStack({
    port: 0,
    dynamodbPort: 0,
    sqsPort: 0,
    onLog: (entry) => logs.push(entry),
    synthesize: synthesizeOncePerRun,
    ...options,
  });
  const { endpoints } = stack;
  const dynamodb = new DynamoDBClient(clientBase(endpoints.dynamodbEndpoint ?? ''));
  const sqs = new SQSClient(clientBase(endpoints.sqsEndpoint ?? ''));
  const management = new ApiGatewayManagementApiClient(clientBase(endpoints.managementApiUrl));
  const clients: TestClient[] = [];

  const connect = async (query = '', clientOptions?: ClientOptions): Promise<TestClient> => {
    const client = await connectClient(`${endpoints.websocketUrl}${query}`, clientOptions);
    clients.push(client);
    return client;
  };
  const token = (userId: string, ttlSeconds = 3600) => issueStageToken(stack.stage, { userId, ttlSeconds });

  return {
    stack,
    logs,
    dynamodb,
    sqs,
    management,
    cliEnv: { WS_NOTIFY_KEYS_DIR: keysDir, WS_NOTIFY_STATE_DIR: stateDir },
    token,
    connect,
    async connectAs(userId) {
      if (stack.stage.authMode === 'authorizer') {
        const client = await connect(`?token=${await token(userId)}`);
        // The connection id is what a pong carries.
        const pong = JSON.parse(await client.request(JSON.stringify({ action: 'ping' }))) as { connectionId: string };
        return { client, connectionId: pong.connectionId };
      }
      const client = await connect();
      const reply = JSON.parse(await client.request(JSON.stringify({ action: 'authorize', token: await token(userId) }))) as {
        type: string;
        connectionId: string;
      };
      if (reply.type !== 'authorized') throw new Error(`authorize answered ${JSON.stringify(reply)}`);
      return { client, connectionId: reply.connectionId };
    },
    refused: (query = '', clientOptions) => refusedHandshake(`${endpoints.websocketUrl}${query}`, clientOptions),
    async record(connectionId) {
      const output = await dynamodb.send(new GetItemCommand({ TableName: endpoints.tableName, Key: { connectionId: { S: connectionId } }, ConsistentRead: true }));
      return output.Item;
    },
    async records() {
      const output = await dynamodb.send(new ScanCommand({ TableName: endpoints.tableName, ConsistentRead: true }));
      return output.Items ?? [];
    },
    async queueDepth(name) {
      const url = endpoints.queues[name];
      if (url === undefined) throw new Error(`no queue named ${name} (have ${Object.keys(endpoints.queues).join(', ')})`);
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
      );
    },
    async close() {
      for (const client of clients) client.socket.terminate();
      await stack.close();
      dynamodb.destroy();
      sqs.destroy();
      management.destroy();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export type { CommandRun };

/** Runs `npm run <script> -- …args` as a user would, asynchronously (the stack runs in this process). */
export function runNpmScript(script: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<CommandRun> {
  return spawnCommand('npm', ['run', '-s', script, '--', ...args], { cwd: PROJECT_ROOT, env });
}

export { eventually } from './eventually';

/** Parses a JSON frame. */
export function frame(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}
