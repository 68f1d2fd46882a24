/**
 * A process that hosts what the benchmark measures — the local stack, a bare `ws` echo server, or
 * a bare `ws` server doing one embedded DynamoDB GetItem per message — so that clients (in the
 * benchmark's own process) and servers never share an event loop, and so that a server's memory
 * can be read alone. Started with RpcChild.start; see ServerHostApi for what it serves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';
import type * as RuntimeModule from '../../../src/local/runtime';
import type { LocalStack } from '../../../src/local/runtime';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { WsNotifyStack } from '../../../infra/ws-notify-stack';
import type * as EmbeddedDynamoDbModule from '../../../src/local/services/embedded-dynamodb';
import type * as FunctionBundlesModule from '../../../src/tooling/function-bundles';
import { serveRpc } from '../lib/rpc';
import type { Counters, MemorySample, StackInfo, StackParams } from './server-host-api';

const problems: string[] = [];
const closers: (() => Promise<void>)[] = [];
let stack: LocalStack | undefined;
const counters = {
  requests: new Map<string, number>(),
  invocations: new Map<string, { count: number; durationMs: number; billedMs: number }>(),
  messagesIn: 0,
  messagesOut: 0,
  idleReceives: 0,
};

function resetCounters(): void {
  counters.requests.clear();
  counters.invocations.clear();
  counters.messagesIn = 0;
  counters.messagesOut = 0;
  counters.idleReceives = 0;
}

function countRequest(key: string): void {
  counters.requests.set(key, (counters.requests.get(key) ?? 0) + 1);
}

const listen = (server: WebSocketServer): Promise<string> =>
  new Promise((resolve) => server.once('listening', () => resolve(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)));

/** A `configureStack` that reserves concurrency for the functions of the handshake. */
function reserveHandshakeConcurrency(reserved: number): (stack: WsNotifyStack) => void {
  return (stack) => {
    for (const name of ['Authorizer', 'Connect']) {
      const fn = stack.service.functions.get(name);
      if (fn === undefined) throw new Error(`the stack has no ${name} function`);
      (fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = reserved;
    }
  };
}

async function startStack(params: StackParams): Promise<StackInfo> {
  const importStarted = performance.now();
  // Loaded here, not at the top: its modules' load time is part of the start-up breakdown, and the bare servers need none of it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startLocalStack } = require('../../../src/local/runtime') as typeof RuntimeModule;
  const importMs = performance.now() - importStarted;
  const started = performance.now();
  stack = await startLocalStack({
    port: 0,
    dynamodbPort: 0,
    sqsPort: 0,
    endpointsFile: false,
    ...(params.authMode !== undefined ? { authMode: params.authMode } : {}),
    ...(params.authorizeTimeoutSeconds !== undefined ? { authorizeTimeoutSeconds: params.authorizeTimeoutSeconds } : {}),
    ...(params.handshakeReservedConcurrency !== undefined ? { configureStack: reserveHandshakeConcurrency(params.handshakeReservedConcurrency) } : {}),
    onLog: (entry) => {
      if (entry.level !== 'info') problems.push(`${entry.source} ${entry.name}: ${entry.line}`);
    },
    onServiceRequest: (request) => {
      // An empty long poll that waited its whole wait time is the pollers' idle polling, not work.
      if (request.operation === 'ReceiveMessage' && request.durationMs >= 19_000) counters.idleReceives += 1;
      else countRequest(`${request.service}.${request.operation}${request.caller === undefined ? '' : ` (${request.caller})`}`);
    },
  });
  const running = stack;
  closers.push(() => running.close());
  const startMs = performance.now() - started;
  running.onInvocation((event) => {
    if (event.type !== 'end') return;
    const entry = counters.invocations.get(event.functionId) ?? { count: 0, durationMs: 0, billedMs: 0 };
    entry.count += 1;
    entry.durationMs += event.durationMs ?? 0;
    entry.billedMs += Math.max(1, Math.ceil(event.durationMs ?? 0));
    counters.invocations.set(event.functionId, entry);
  });
  running.gateway.on('route', (event) => {
    if (event.routeKey === '$connect' || event.routeKey === '$disconnect') return;
    counters.messagesIn += 1;
    if (event.sent === 'body' || event.sent === 'error-frame') counters.messagesOut += 1;
  });
  running.gateway.on('management', (event) => {
    if (event.method === 'POST' && event.status === 200) counters.messagesOut += 1;
  });
  const { endpoints } = running;
  return {
    endpoints,
    stageName: running.stage.name,
    authMode: running.stage.authMode,
    apiId: running.gateway.options.apiId,
    gatewayPort: running.gateway.port,
    tableNames: Object.fromEntries(Object.values(running.dynamodb.tables).map((table) => [table.logicalId, table.tableName])),
    queueUrls: Object.fromEntries(Object.values(running.sqs.queues).map((queue) => [queue.logicalId, queue.url])),
    importMs,
    startMs,
    startupMs: running.startupMs,
    startupPhases: { ...running.startupPhases },
    bundlesUpToDateMs: functionBundles().ensureFunctionBundles().durationMs,
  };
}

async function startEcho(): Promise<{ url: string }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
  server.on('connection', (socket: WebSocket) => socket.on('message', (data: RawData) => socket.send(data as Buffer, { binary: false })));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: await listen(server) };
}

/**
 * A bare `ws` server that, like a ping handler, reads one record with a strongly consistent GetItem
 * from an embedded DynamoDB (dynalite, in this process) before answering each message: the peer
 * comparison of docs/performance.md.
 */
async function startWsGetItem(): Promise<{ url: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EmbeddedDynamoDb } = require('../../../src/local/services/embedded-dynamodb') as typeof EmbeddedDynamoDbModule;
  const dynamodb = await EmbeddedDynamoDb.start({
    tables: [{ logicalId: 'Bench', name: 'Bench', tableName: 'bench-connections', partitionKey: { name: 'connectionId', type: 'S' }, globalSecondaryIndexes: [], localSecondaryIndexes: [] }],
  });
  const client = new DynamoDBClient({ ...SDK_CLIENT_CONFIG, ...dynamodb.clientConfig });
  const key = { connectionId: { S: 'bench-connection' } };
  await client.send(
    new PutItemCommand({
      TableName: 'bench-connections',
      Item: { ...key, state: { S: 'authorized' }, userId: { S: 'bench' }, expiresAt: { N: String(Math.floor(Date.now() / 1000) + 3600) } },
    }),
  );
  const httpServer = createServer((_req, res) => res.writeHead(404).end());
  const server = new WebSocketServer({ server: httpServer, perMessageDeflate: false, clientTracking: false });
  server.on('connection', (socket: WebSocket) =>
    socket.on('message', () => {
      client.send(new GetItemCommand({ TableName: 'bench-connections', Key: key, ConsistentRead: true })).then(
        (output) => socket.send(JSON.stringify({ type: 'pong', connectionId: output.Item?.connectionId?.S })),
        (error: unknown) => problems.push(`ws+GetItem: ${String(error)}`),
      );
    }),
  );
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.close();
    await new Promise((resolve) => httpServer.close(resolve));
    client.destroy();
    await dynamodb.close();
  });
  return { url: `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

function functionBundles(): typeof FunctionBundlesModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../../src/tooling/function-bundles') as typeof FunctionBundlesModule;
}

/** Builds every function's bundles (both AWS SDK sources) with esbuild into a fresh directory, as a changed source makes start-up do. */
function bundleFromScratch(): Promise<{ durationMs: number }> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-bench-bundles-'));
  try {
    return Promise.resolve({ durationMs: functionBundles().ensureFunctionBundles({ directory }).durationMs });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('start the server host with --expose-gc');
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once no function invocation has been running or waiting for `quietMs` (the $disconnects of closed clients included). */
async function functionsIdle(quietMs = 300, timeoutMs = 60_000): Promise<void> {
  if (stack === undefined) return;
  const running = stack;
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  for (;;) {
    const busy = Object.values(running.functions.stats()).some((pool) => pool.busy > 0 || pool.waiting > 0);
    if (busy) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    if (Date.now() > deadline) throw new Error('the functions did not become idle');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function memory(): Promise<MemorySample> {
  await functionsIdle();
  await collectGarbage();
  const usage = process.memoryUsage();
  const pools = stack?.functions.stats() ?? {};
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    workerThreads: Object.values(pools).reduce((sum, pool) => sum + pool.workers, 0),
    connections: stack?.gateway.connectionCount ?? 0,
  };
}

async function readCounters(params: { reset: boolean }): Promise<Counters> {
  const result: Counters = {
    requests: Object.fromEntries(counters.requests),
    invocations: Object.fromEntries([...counters.invocations].map(([id, entry]) => [id, { ...entry }])),
    messagesIn: counters.messagesIn,
    messagesOut: counters.messagesOut,
    idleReceives: counters.idleReceives,
  };
  if (params.reset) resetCounters();
  return Promise.resolve(result);
}

serveRpc({
  startStack,
  startEcho,
  startWsGetItem,
  bundleFromScratch,
  memory,
  counters: readCounters,
  connectionCount: () => Promise.resolve(stack?.gateway.connectionCount ?? 0),
  problems: () => Promise.resolve(problems.splice(0)),
  close: async () => {
    for (const close of closers.reverse()) await close();
    // Warnings and errors the stack logged and nobody collected: real problems, for the benchmark's stderr.
    for (const problem of problems.splice(0)) process.stderr.write(`${problem}\n`);
  },
});
