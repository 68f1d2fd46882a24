/**
 * Section 1: the ping round trip through the local stack, side by side with its baselines in the
 * same run — a bare `ws` echo server, one embedded DynamoDB GetItem from an SDK client (the state
 * check every message pays), and a bare `ws` server doing that GetItem per message (the peer
 * comparison). Latency: one connection, sequential pings. Throughput: 100 connections, one ping in
 * flight on each (closed loop).
 */
import { Agent } from 'node:http';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { WebSocket } from 'ws';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';
import type { BenchContext } from '../lib/context';
import { medianSummary, median, ratio, summarize, type LatencySummary } from '../lib/stats';
import { closedLoopThroughput, openClients, roundTrip, sequentialLatencies, type ThroughputResult } from '../lib/ws-load';

export interface Subject {
  readonly latency: LatencySummary;
  /** Replies per second with `connections` concurrent connections, one message in flight each (median of rounds). */
  readonly throughput: number;
  /** Round trips under that load. */
  readonly loadedLatency: LatencySummary;
}

export interface PingResults {
  readonly connections: number;
  readonly stack: Subject;
  readonly bareEcho: Subject;
  /** One GetItem of the connection's record, ConsistentRead, from an SDK client with default settings. */
  readonly getItem: Subject;
  readonly bareWsGetItem: Subject;
  /** ping median − bare echo median − one GetItem median. */
  readonly emulatorOverheadMs: { readonly p50: number; readonly p99: number };
  readonly ratios: {
    readonly p50VsEcho: number;
    readonly p50VsGetItem: number;
    readonly p50VsBareWsGetItem: number;
    readonly p99VsBareWsGetItem: number;
    /** Stack throughput / an SDK client doing GetItems alone, no WebSocket, at the same concurrency. */
    readonly throughputVsGetItem: number;
    /** Stack throughput / a bare ws server doing one GetItem per message (the budget: ≥ 0.8). */
    readonly throughputVsBareWsGetItem: number;
    readonly throughputVsEcho: number;
  };
}

const PING = JSON.stringify({ action: 'ping' });
const isPong = (reply: string) => reply.startsWith('{"type":"pong"');

interface Sizes {
  readonly warmup: number;
  readonly samples: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly connections: number;
  /** Full load on each subject before the rounds. */
  readonly stackWarmupMs: number;
}

/** Sequential and closed-loop GetItems of one key, as a function's ConnectionStore.get does them. */
class GetItemLoad {
  private readonly client: DynamoDBClient;

  constructor(
    endpoint: string,
    private readonly tableName: string,
    private readonly connectionId: string,
    maxSockets: number,
  ) {
    // The functions' client configuration (SDK_CLIENT_CONFIG): the same kind of client as the Ping function's.
    this.client = new DynamoDBClient({
      ...SDK_CLIENT_CONFIG,
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets }) },
    });
  }

  private async once(): Promise<void> {
    const output = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { connectionId: { S: this.connectionId } }, ConsistentRead: true }),
    );
    if (output.Item === undefined) throw new Error(`GetItem found no record for ${this.connectionId}`);
  }

  async latencies(warmup: number, samples: number): Promise<number[]> {
    const latencies: number[] = [];
    for (let i = 0; i < warmup + samples; i += 1) {
      const started = performance.now();
      await this.once();
      if (i >= warmup) latencies.push(performance.now() - started);
    }
    return latencies;
  }

  async throughput(concurrency: number, warmupMs: number, durationMs: number): Promise<ThroughputResult> {
    let phase: 'warmup' | 'measure' | 'stop' = 'warmup';
    let replies = 0;
    const latencies: number[] = [];
    const loop = async (): Promise<void> => {
      while (phase !== 'stop') {
        const started = performance.now();
        await this.once();
        if (phase === 'measure') {
          replies += 1;
          latencies.push(performance.now() - started);
        }
      }
    };
    const loops = Array.from({ length: concurrency }, loop);
    await new Promise((resolve) => setTimeout(resolve, warmupMs));
    phase = 'measure';
    const windowStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const windowEnd = performance.now();
    phase = 'stop';
    await Promise.all(loops);
    return { perSecond: (replies * 1000) / (windowEnd - windowStart), replies, windowMs: windowEnd - windowStart, latencies };
  }

  destroy(): void {
    this.client.destroy();
  }
}

interface Rounds {
  latency: LatencySummary[];
  throughput: number[];
  loaded: LatencySummary[];
}

const emptyRounds = (): Rounds => ({ latency: [], throughput: [], loaded: [] });

function subject(rounds: Rounds): Subject {
  return { latency: medianSummary(rounds.latency), throughput: median(rounds.throughput), loadedLatency: medianSummary(rounds.loaded) };
}

export async function runPing(ctx: BenchContext): Promise<PingResults> {
  const sizes: Sizes = ctx.settings.quick
    ? { warmup: 100, samples: 500, warmupMs: 300, durationMs: 1500, connections: 100, stackWarmupMs: 3000 }
    : { warmup: 300, samples: 2000, warmupMs: 500, durationMs: 2500, connections: 100, stackWarmupMs: 5000 };
  const stackHost = ctx.serverHost('stack');
  const echoHost = ctx.serverHost('bare-echo');
  const wsGetItemHost = ctx.serverHost('bare-ws-getitem');
  const sockets: WebSocket[] = [];
  let getItem: GetItemLoad | undefined;
  try {
    const [stack, echo, wsGetItem] = await Promise.all([stackHost.call('startStack', {}), echoHost.call('startEcho'), wsGetItemHost.call('startWsGetItem')]);
    ctx.progress(`ping: stack, bare ws echo and bare ws + GetItem up; opening ${sizes.connections} authorized connections`);
    const tokens = await Promise.all(Array.from({ length: sizes.connections }, (_, i) => ctx.token(`ping-user-${i}`)));
    const stackSockets = await openClients(tokens.map((token) => `${stack.endpoints.websocketUrl}?token=${token}`), 20);
    sockets.push(...stackSockets);
    const echoSockets = await openClients(Array.from({ length: sizes.connections }, () => echo.url), 20);
    sockets.push(...echoSockets);
    const wsGetItemSockets = await openClients(Array.from({ length: sizes.connections }, () => wsGetItem.url), 20);
    sockets.push(...wsGetItemSockets);
    const first = stackSockets[0]!;
    const { connectionId } = JSON.parse(await roundTrip(first, PING)) as { connectionId: string };
    getItem = new GetItemLoad(stack.endpoints.dynamodbEndpoint ?? '', stack.endpoints.tableName, connectionId, sizes.connections);

    const results = { stack: emptyRounds(), echo: emptyRounds(), getItem: emptyRounds(), wsGetItem: emptyRounds() };
    const loop = { warmupMs: sizes.warmupMs, durationMs: sizes.durationMs };
    // Warm-up under full load first: the stack's function instances (one V8 isolate each, up to the
    // function's concurrency) start cold and each needs thousands of calls before its code is hot.
    const warm = { warmupMs: 0, durationMs: sizes.stackWarmupMs };
    await closedLoopThroughput(stackSockets, PING, { ...warm, check: isPong });
    await getItem.throughput(sizes.connections, 0, sizes.stackWarmupMs / 2);
    await closedLoopThroughput(wsGetItemSockets, PING, { ...warm, durationMs: sizes.stackWarmupMs / 2, check: isPong });
    await closedLoopThroughput(echoSockets, PING, { ...warm, durationMs: sizes.stackWarmupMs / 4, check: (reply) => reply === PING });
    for (let round = 1; round <= ctx.settings.rounds; round += 1) {
      // Interleaved, so that a busy moment of the machine does not favour one subject.
      const sequential = { warmup: sizes.warmup, samples: sizes.samples };
      results.echo.latency.push(summarize(await sequentialLatencies(echoSockets[0]!, PING, { ...sequential, check: (reply) => reply === PING })));
      results.getItem.latency.push(summarize(await getItem.latencies(sizes.warmup, sizes.samples)));
      results.stack.latency.push(summarize(await sequentialLatencies(first, PING, { ...sequential, check: isPong })));
      results.wsGetItem.latency.push(summarize(await sequentialLatencies(wsGetItemSockets[0]!, PING, { ...sequential, check: isPong })));

      const echoLoad = await closedLoopThroughput(echoSockets, PING, { ...loop, check: (reply) => reply === PING });
      const getItemLoad = await getItem.throughput(sizes.connections, sizes.warmupMs, sizes.durationMs);
      const stackLoad = await closedLoopThroughput(stackSockets, PING, { ...loop, check: isPong });
      const wsGetItemLoad = await closedLoopThroughput(wsGetItemSockets, PING, { ...loop, check: isPong });
      for (const [rounds, load] of [
        [results.echo, echoLoad],
        [results.getItem, getItemLoad],
        [results.stack, stackLoad],
        [results.wsGetItem, wsGetItemLoad],
      ] as const) {
        rounds.throughput.push(load.perSecond);
        rounds.loaded.push(summarize(load.latencies));
      }
      ctx.progress(
        `ping round ${round}/${ctx.settings.rounds}: stack p50 ${results.stack.latency.at(-1)!.p50.toFixed(3)} ms, ${stackLoad.perSecond.toFixed(0)}/s; ` +
          `GetItem p50 ${results.getItem.latency.at(-1)!.p50.toFixed(3)} ms, ${getItemLoad.perSecond.toFixed(0)}/s`,
      );
    }
    const stackSubject = subject(results.stack);
    const echoSubject = subject(results.echo);
    const getItemSubject = subject(results.getItem);
    const wsGetItemSubject = subject(results.wsGetItem);
    return {
      connections: sizes.connections,
      stack: stackSubject,
      bareEcho: echoSubject,
      getItem: getItemSubject,
      bareWsGetItem: wsGetItemSubject,
      emulatorOverheadMs: {
        p50: stackSubject.latency.p50 - echoSubject.latency.p50 - getItemSubject.latency.p50,
        p99: stackSubject.latency.p99 - echoSubject.latency.p99 - getItemSubject.latency.p99,
      },
      ratios: {
        p50VsEcho: ratio(stackSubject.latency.p50, echoSubject.latency.p50),
        p50VsGetItem: ratio(stackSubject.latency.p50, getItemSubject.latency.p50),
        p50VsBareWsGetItem: ratio(stackSubject.latency.p50, wsGetItemSubject.latency.p50),
        p99VsBareWsGetItem: ratio(stackSubject.latency.p99, wsGetItemSubject.latency.p99),
        throughputVsGetItem: ratio(stackSubject.throughput, getItemSubject.throughput),
        throughputVsBareWsGetItem: ratio(stackSubject.throughput, wsGetItemSubject.throughput),
        throughputVsEcho: ratio(stackSubject.throughput, echoSubject.throughput),
      },
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    getItem?.destroy();
    await Promise.all([stackHost.stop(), echoHost.stop(), wsGetItemHost.stop()]);
  }
}

