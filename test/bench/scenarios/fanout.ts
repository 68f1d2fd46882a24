/**
 * Section 2: fan-out. The time from a NotifyUser SendMessage until all K connections of one user
 * have the notification frame, K = 1, 100, 1000; beside it, the time the embedded SQS alone needs
 * to move K messages through one queue (SendMessageBatch + ReceiveMessage + DeleteMessageBatch),
 * with the fastest of several raw client strategies, in the same run.
 *
 * Also counts, at the embedded services' and the Management API's endpoints, the AWS requests one
 * notification to a user with K connections makes (section 6).
 */
import { Agent } from 'node:http';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { WebSocket } from 'ws';
import type { Counters } from '../hosts/server-host-api';
import type { BenchContext } from '../lib/context';
import type { RpcChild } from '../lib/rpc';
import { median, ratio } from '../lib/stats';
import { openClients } from '../lib/ws-load';
import type { ServerHostApi } from '../hosts/server-host-api';

export interface FanoutCase {
  readonly connections: number;
  /** NotifyUser send → last connection has the frame, ms (median of repeats). */
  readonly deliveredMs: number;
  /** NotifyUser send → first connection has the frame, ms. */
  readonly firstMs: number;
  readonly repeats: readonly number[];
  /** The warm-up fan-outs before the measured ones, NotifyUser send → last frame, ms. */
  readonly warmupMs: readonly number[];
  /** The embedded SQS alone moving `connections` messages through one queue, ms (best strategy, median of repeats). */
  readonly sqsBaselineMs: number;
  readonly sqsBaselineStrategy: string;
  /** Every strategy tried: name → median ms. */
  readonly sqsStrategies: Readonly<Record<string, number>>;
  readonly ratioToSqsBaseline: number;
  /** The requests of one notification, counted. */
  readonly requests: Counters;
}

export interface FanoutResults {
  readonly cases: readonly FanoutCase[];
}

/** Warm-up fan-outs of each size: for at least WARMUP_MS (quick: a third), at least MIN_WARMUPS and at most MAX_WARMUPS of them. */
const WARMUP_MS = 10_000;
const MIN_WARMUPS = 3;
const MAX_WARMUPS = 40;

const SDK_CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** Frames of the user's connections: resolves when every socket has the notification with that id. */
export function awaitNotification(sockets: readonly WebSocket[], id: string, timeoutMs: number): Promise<{ first: number; last: number }> {
  return new Promise((resolve, reject) => {
    let remaining = sockets.length;
    let first = Number.NaN;
    const marker = `"id":${JSON.stringify(id)}`;
    const listeners = new Map<WebSocket, (data: Buffer) => void>();
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const [socket, listener] of listeners) socket.off('message', listener);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`notification ${id}: ${remaining} of ${sockets.length} connections had nothing after ${timeoutMs} ms`));
    }, timeoutMs);
    for (const socket of sockets) {
      const listener = (data: Buffer): void => {
        const text = data.toString();
        if (!text.startsWith('{"type":"notification"') || !text.includes(marker)) return;
        const now = performance.now();
        socket.off('message', listener);
        listeners.delete(socket);
        if (Number.isNaN(first)) first = now;
        remaining -= 1;
        if (remaining === 0) {
          cleanup();
          resolve({ first, last: now });
        }
      };
      listeners.set(socket, listener);
      socket.on('message', listener);
    }
  });
}

/** Waits until the host's counters stop changing (the pollers' trailing deletes included). */
async function quiesce(host: RpcChild<ServerHostApi>, settleMs = 400): Promise<Counters> {
  let previous = JSON.stringify(await host.call('counters', { reset: false }));
  for (let i = 0; i < 50; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, settleMs / 4));
    const current = JSON.stringify(await host.call('counters', { reset: false }));
    if (current === previous) {
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const again = await host.call('counters', { reset: false });
      if (JSON.stringify(again) === current) return again;
    }
    previous = current;
  }
  return host.call('counters', { reset: false });
}

interface Strategy {
  readonly name: string;
  readonly receivers: number;
  /**
   * `burst`: MaxNumberOfMessages 10, WaitTimeSeconds 0 (the embedded SQS answers at once when 10 are
   * there, else after ~40 ms with what is there). `exact`: one receiver long-polling for exactly what
   * is still to come (at most 10), answered as soon as that many are there; with several receivers
   * sharing the rest, a poll can hold a partial set while waiting, so `exact` has one receiver.
   */
  readonly receive: 'burst' | 'exact';
}

const STRATEGIES: readonly Strategy[] = [
  { name: '1 receiver, exact long polls', receivers: 1, receive: 'exact' },
  { name: '2 receivers, burst receives', receivers: 2, receive: 'burst' },
  { name: '5 receivers, burst receives', receivers: 5, receive: 'burst' },
  { name: '10 receivers, burst receives', receivers: 10, receive: 'burst' },
  { name: '20 receivers, burst receives', receivers: 20, receive: 'burst' },
];

/**
 * Moves `count` messages through a fresh queue: SendMessageBatch (groups of 10, 10 in flight) while
 * receivers receive and DeleteMessageBatch what they got. Resolves with the time until the last delete.
 */
async function moveThroughQueue(client: SQSClient, count: number, strategy: Strategy, body: string): Promise<number> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: `bench-baseline-${Date.now()}-${Math.floor(Math.random() * 1e6)}` }));
  if (QueueUrl === undefined) throw new Error('CreateQueue returned no URL');
  try {
    const started = performance.now();
    let deleted = 0;
    let asked = 0;
    let nextBatch = 0;
    const batches = Math.ceil(count / 10);
    const sender = async (): Promise<void> => {
      while (nextBatch < batches) {
        const batch = nextBatch++;
        const size = Math.min(10, count - batch * 10);
        const output = await client.send(
          new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: size }, (_, i) => ({ Id: String(i), MessageBody: body })) }),
        );
        if ((output.Failed ?? []).length > 0) throw new Error(`SendMessageBatch failed ${output.Failed?.length} entries`);
      }
    };
    const receiver = async (): Promise<void> => {
      while (deleted + asked < count || (strategy.receive === 'burst' && deleted < count)) {
        const ask = strategy.receive === 'burst' ? 10 : Math.min(10, count - deleted - asked);
        if (ask <= 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          continue;
        }
        asked += ask;
        const output = await client.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: ask, WaitTimeSeconds: strategy.receive === 'burst' ? 0 : 5 }),
        );
        asked -= ask;
        const messages = output.Messages ?? [];
        if (messages.length === 0) continue;
        await client.send(
          new DeleteMessageBatchCommand({ QueueUrl, Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle ?? '' })) }),
        );
        deleted += messages.length;
      }
    };
    await Promise.all([...Array.from({ length: Math.min(10, batches) }, sender), ...Array.from({ length: strategy.receivers }, receiver)]);
    return performance.now() - started;
  } finally {
    await client.send(new DeleteQueueCommand({ QueueUrl }));
  }
}

export async function runFanout(ctx: BenchContext): Promise<FanoutResults> {
  const sizes = ctx.settings.quick ? [1, 100] : [1, 100, 1000];
  const repeats = ctx.settings.quick ? 2 : Math.max(3, ctx.settings.rounds);
  const host = ctx.serverHost('stack');
  const sockets: WebSocket[] = [];
  try {
    const stack = await host.call('startStack', {});
    const sqs = new SQSClient({ ...SDK_CONFIG, endpoint: stack.endpoints.sqsEndpoint, requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) } });
    const notifyUserUrl = stack.endpoints.queues.NotifyUser;
    if (notifyUserUrl === undefined) throw new Error('the stack has no NotifyUser queue');
    const cases: FanoutCase[] = [];
    try {
      for (const size of sizes) {
        const userId = `fanout-${size}`;
        const token = await ctx.token(userId);
        const userSockets = await openClients(Array.from({ length: size }, () => `${stack.endpoints.websocketUrl}?token=${token}`), 50);
        sockets.push(...userSockets);
        const data = { download: `/reports/${size}`, size };
        const notify = async (id: string): Promise<{ first: number; last: number; sent: number }> => {
          const arrival = awaitNotification(userSockets, id, 60_000);
          const sent = performance.now();
          await sqs.send(new SendMessageCommand({ QueueUrl: notifyUserUrl, MessageBody: JSON.stringify({ userId, data, id }) }));
          return { ...(await arrival), sent };
        };
        // Warm-up under load, as the ping section's subjects get it: the functions' first
        // instances, the pollers' receive sizes, and the JIT of the gateway and of each function
        // instance (a V8 isolate of its own), which takes many fan-outs: the first to 1,000
        // connections takes 2-3 times the steady time, and the time still falls after ten.
        const warmupMs: number[] = [];
        const warmupBudgetMs = ctx.settings.quick ? WARMUP_MS / 3 : WARMUP_MS;
        const warmupStarted = performance.now();
        while (warmupMs.length < MAX_WARMUPS && (warmupMs.length < MIN_WARMUPS || performance.now() - warmupStarted < warmupBudgetMs)) {
          const delivery = await notify(`warmup-${size}-${warmupMs.length}`);
          warmupMs.push(delivery.last - delivery.sent);
        }
        await quiesce(host);

        const body = JSON.stringify({ connectionId: 'AAAAAAAAAAAAAAA=', data, id: 'bench' });
        // The baseline's client warms up too: one pass of every strategy, not counted.
        for (const strategy of STRATEGIES) {
          if (size === 1 && strategy.receivers > 1) continue;
          await moveThroughQueue(sqs, size, strategy, body);
        }
        const strategyTimes = new Map<string, number[]>();
        const deliveries: { first: number; last: number }[] = [];
        for (let repeat = 0; repeat < repeats; repeat += 1) {
          const delivery = await notify(`bench-${size}-${repeat}`);
          deliveries.push({ first: delivery.first - delivery.sent, last: delivery.last - delivery.sent });
          await quiesce(host);
          for (const strategy of STRATEGIES) {
            if (size === 1 && strategy.receivers > 1) continue;
            const times = strategyTimes.get(strategy.name) ?? [];
            times.push(await moveThroughQueue(sqs, size, strategy, body));
            strategyTimes.set(strategy.name, times);
          }
        }
        const strategies = Object.fromEntries([...strategyTimes].map(([name, times]) => [name, median(times)]));
        const [bestName, bestMs] = Object.entries(strategies).sort((a, b) => a[1] - b[1])[0] ?? ['none', Number.NaN];

        // One more notification, counted request by request.
        await host.call('counters', { reset: true });
        await notify(`counted-${size}`);
        const requests = await quiesce(host);

        const deliveredMs = median(deliveries.map((delivery) => delivery.last));
        cases.push({
          connections: size,
          deliveredMs,
          firstMs: median(deliveries.map((delivery) => delivery.first)),
          repeats: deliveries.map((delivery) => delivery.last),
          warmupMs,
          sqsBaselineMs: bestMs,
          sqsBaselineStrategy: bestName,
          sqsStrategies: strategies,
          ratioToSqsBaseline: ratio(deliveredMs, bestMs),
          requests,
        });
        ctx.progress(`fan-out K=${size}: delivered to all in ${deliveredMs.toFixed(1)} ms (${warmupMs.length} warm-up fan-outs: first ${(warmupMs[0] ?? Number.NaN).toFixed(0)} ms, last ${(warmupMs.at(-1) ?? Number.NaN).toFixed(0)} ms); SQS alone ${bestMs.toFixed(1)} ms (${bestName})`);
      }
    } finally {
      sqs.destroy();
    }
    return { cases };
  } finally {
    for (const socket of sockets) socket.terminate();
    await host.stop();
  }
}
