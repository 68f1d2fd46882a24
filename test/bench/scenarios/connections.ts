/**
 * Section 3: memory per idle authorized connection. The local stack and a bare `ws` server each
 * run in a process of their own (the server hosts); the clients live in a third process (the
 * client host). Each server is warmed up (connections opened and closed, so that function
 * instances and buffers exist before the first reading), then read after a full GC, then read
 * again holding N idle connections; the difference divided by N is the memory per connection.
 *
 * What is counted: the resident set of the whole server process (the local stack's function
 * instances are worker threads of that process, so their memory is in it too), and separately the
 * main thread's V8 heap and the memory outside the heap (`external`, Buffers). The local stack
 * also keeps each connection's record in its embedded DynamoDB (on AWS that is DynamoDB's memory,
 * not the gateway's): that share is measured on its own by writing N such records directly.
 */
import path from 'node:path';
import { Agent } from 'node:http';
import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { ClientHostApi } from '../hosts/client-host-api';
import type { MemorySample, ServerHostApi } from '../hosts/server-host-api';
import type { BenchContext } from '../lib/context';
import { RpcChild } from '../lib/rpc';
import { ratio } from '../lib/stats';

export interface MemoryPerConnection {
  /** Bytes per connection: the main thread's V8 heap plus the memory outside it (Buffers): where connections live. */
  readonly heapAndExternal: number;
  /** Bytes per connection: the main thread's V8 heap. */
  readonly heap: number;
  /** Bytes per connection: memory outside the V8 heap. */
  readonly external: number;
  /** Bytes per connection: resident set of the whole server process. */
  readonly rss: number;
}

export interface ServerMemory {
  readonly perConnection: MemoryPerConnection;
  readonly before: MemorySample;
  readonly after: MemorySample;
  /** Handshakes per second while opening them (with `concurrency` in flight). */
  readonly handshakesPerSecond: number;
}

export interface ConnectionsResults {
  readonly connections: number;
  readonly concurrency: number;
  readonly stack: ServerMemory;
  readonly bareWs: ServerMemory;
  /** The embedded DynamoDB's copy of the connection records, bytes per record (main-thread heap and external). */
  readonly recordBytes: { readonly heap: number; readonly external: number };
  readonly ratios: {
    /** Heap + external per connection, local stack vs bare ws (the budget's figure). */
    readonly heapAndExternal: number;
    /** The same without the embedded DynamoDB's copy of the records. */
    readonly heapAndExternalWithoutRecords: number;
    readonly rss: number;
  };
}

const USERS = 100;

async function waitForConnections(host: RpcChild<ServerHostApi>, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await host.call('connectionCount')) !== expected) {
    if (Date.now() > deadline) throw new Error(`the server still holds ${await host.call('connectionCount')} connections, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function perConnection(before: MemorySample, after: MemorySample, count: number): MemoryPerConnection {
  const heap = (after.heapUsed - before.heapUsed) / count;
  const external = (after.external - before.external) / count;
  return { heapAndExternal: heap + external, heap, external, rss: (after.rss - before.rss) / count };
}

async function measure(
  ctx: BenchContext,
  host: RpcChild<ServerHostApi>,
  clients: RpcChild<ClientHostApi>,
  urls: readonly string[],
  sizes: { readonly connections: number; readonly warmup: number; readonly concurrency: number },
  stackServer: boolean,
): Promise<ServerMemory> {
  // Warm-up: as many handshakes as measured, at the same concurrency, so that the function
  // instances the burst needs exist before the first reading.
  await clients.call('open', { urls, count: stackServer ? sizes.connections : sizes.warmup, concurrency: sizes.concurrency });
  await clients.call('closeAll');
  if (stackServer) await waitForConnections(host, 0, 30_000);
  // The host reads memory once every function invocation ($disconnect included) is over.
  const before = await host.call('memory');
  const opened = await clients.call('open', { urls, count: sizes.connections, concurrency: sizes.concurrency });
  if (opened.open !== sizes.connections) throw new Error(`only ${opened.open} of ${sizes.connections} connections are open`);
  const after = await host.call('memory');
  if (stackServer && after.connections !== sizes.connections) throw new Error(`the gateway holds ${after.connections} connections, expected ${sizes.connections}`);
  ctx.progress(`connections: ${sizes.connections} open in ${(opened.durationMs / 1000).toFixed(1)} s; rss +${((after.rss - before.rss) / 1048576).toFixed(1)} MiB`);
  return { perConnection: perConnection(before, after, sizes.connections), before, after, handshakesPerSecond: (sizes.connections * 1000) / opened.durationMs };
}

/** Bytes per record of the embedded DynamoDB, from writing `count` authorized-connection records directly. */
async function recordBytes(host: RpcChild<ServerHostApi>, endpoint: string, tableName: string, count: number): Promise<{ heap: number; external: number }> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 10 }) } });
  const now = Date.now();
  const keys = Array.from({ length: count }, (_, i) => `bench${String(i).padStart(10, '0')}=`);
  const write = async (requests: (key: string) => WriteRequest): Promise<void> => {
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += 25) batches.push(keys.slice(i, i + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: batch.map(requests) } }));
          if (Object.keys(output.UnprocessedItems ?? {}).length > 0) throw new Error('BatchWriteItem left items unprocessed');
        }
      }),
    );
  };
  try {
    const before = await host.call('memory');
    await write((key) => ({
      PutRequest: {
        Item: {
          connectionId: { S: key },
          state: { S: 'authorized' },
          authMode: { S: 'authorizer' },
          userId: { S: `memory-user-${key.slice(-6, -1)}` },
          connectedAt: { N: String(now) },
          authorizedAt: { N: String(now) },
          expiresAt: { N: String(Math.floor(now / 1000) + 3600) },
          failedAttempts: { N: '0' },
          ttl: { N: String(Math.floor(now / 1000) + 8100) },
        },
      },
    }));
    const after = await host.call('memory');
    await write((key) => ({ DeleteRequest: { Key: { connectionId: { S: key } } } }));
    return { heap: (after.heapUsed - before.heapUsed) / count, external: (after.external - before.external) / count };
  } finally {
    client.destroy();
  }
}

export async function runConnections(ctx: BenchContext): Promise<ConnectionsResults> {
  const sizes = ctx.settings.quick ? { connections: 2000, warmup: 200, concurrency: 50 } : { connections: 10_000, warmup: 500, concurrency: 50 };
  const clients = RpcChild.start<ClientHostApi>(path.join(__dirname, '..', 'hosts', 'client-host.ts'), { label: 'clients', env: ctx.env });
  const bareHost = ctx.serverHost('bare-ws-memory');
  const stackHost = ctx.serverHost('stack-memory');
  try {
    const [bare, stack] = await Promise.all([bareHost.call('startEcho'), stackHost.call('startStack', {})]);
    const bareWs = await measure(ctx, bareHost, clients, [bare.url], sizes, false);
    await clients.call('closeAll');
    const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => ctx.token(`memory-user-${i}`)));
    const stackMemory = await measure(ctx, stackHost, clients, tokens.map((token) => `${stack.endpoints.websocketUrl}?token=${token}`), sizes, true);
    await clients.call('closeAll');
    await waitForConnections(stackHost, 0, 60_000);
    const records = await recordBytes(stackHost, stack.endpoints.dynamodbEndpoint ?? '', stack.endpoints.tableName, sizes.connections);
    return {
      connections: sizes.connections,
      concurrency: sizes.concurrency,
      stack: stackMemory,
      bareWs,
      recordBytes: records,
      ratios: {
        heapAndExternal: ratio(stackMemory.perConnection.heapAndExternal, bareWs.perConnection.heapAndExternal),
        heapAndExternalWithoutRecords: ratio(stackMemory.perConnection.heapAndExternal - records.heap - records.external, bareWs.perConnection.heapAndExternal),
        rss: ratio(stackMemory.perConnection.rss, bareWs.perConnection.rss),
      },
    };
  } finally {
    await Promise.all([clients.stop(), bareHost.stop(), stackHost.stop()]);
  }
}
