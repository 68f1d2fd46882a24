/**
 * Section `inbox`: what the inbox costs in time.
 *
 * - Resume: a connection's `resume` after 0 on a user with 100 stored notifications, until its
 *   `resumed` frame (100 replayed frames first), beside the embedded DynamoDB Query of the same 100
 *   items (the same key condition, strongly consistent) from this process, interleaved round by round.
 * - Fan-out with the inbox: NotifyUser send → all K connections of the user have the frame, K = 1,
 *   100, 1000 (the `fanout` section's measurement), beside the fan-out without NotifyUser's work:
 *   the K NotifyConnection messages (with `seq`) the fan-out sends, sent straight to the
 *   NotifyConnection queue with SendMessageBatch (10 in flight) → all K frames. The difference is all
 *   of NotifyUser: the inbox store, the pointer and index reads and the batch sends. The function
 *   that fanned out before the inbox is not in the tree any more, so it cannot run in the same run
 *   (docs/performance.md).
 * - The AWS requests of one notification to a user with 1 connection, counted.
 */
import { Agent } from 'node:http';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { WebSocket } from 'ws';
import type { Counters, ServerHostApi } from '../hosts/server-host-api';
import type { BenchContext } from '../lib/context';
import type { RpcChild } from '../lib/rpc';
import { median, ratio } from '../lib/stats';
import { openClients } from '../lib/ws-load';

export interface ResumeResult {
  readonly notifications: number;
  /** `resume` sent → `resumed` received, ms (median). */
  readonly resumeMs: number;
  /** The embedded DynamoDB Query of the same items, ms (median). */
  readonly queryMs: number;
  readonly ratio: number;
  readonly resumeRepeats: readonly number[];
  readonly queryRepeats: readonly number[];
}

export interface InboxFanoutCase {
  readonly connections: number;
  /** NotifyUser send → all K have the frame, ms (median). */
  readonly withInboxMs: number;
  /** K NotifyConnection messages sent directly → all K have the frame, ms (median). */
  readonly notifyConnectionOnlyMs: number;
  readonly ratio: number;
}

export interface InboxResults {
  readonly resume: ResumeResult;
  readonly fanout: readonly InboxFanoutCase[];
  /** The requests of one notification to a user with 1 connection. */
  readonly requestsPerNotification: Counters;
}

const SDK_CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const REPLAYED = 100;
const WARMUPS = 3;

/** Resolves when every socket has received a frame for which `matches` holds (first frame per socket counts). */
function awaitFrames(sockets: readonly WebSocket[], matches: (text: string) => boolean, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let remaining = sockets.length;
    const listeners = new Map<WebSocket, (data: Buffer) => void>();
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const [socket, listener] of listeners) socket.off('message', listener);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${remaining} of ${sockets.length} connections had no matching frame after ${timeoutMs} ms`));
    }, timeoutMs);
    for (const socket of sockets) {
      const listener = (data: Buffer): void => {
        if (!matches(data.toString())) return;
        socket.off('message', listener);
        listeners.delete(socket);
        remaining -= 1;
        if (remaining === 0) {
          cleanup();
          resolve(performance.now());
        }
      };
      listeners.set(socket, listener);
      socket.on('message', listener);
    }
  });
}

/** Resolves once `count` notification frames have reached the socket. */
function awaitCount(socket: WebSocket, count: number, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => reject(new Error(`${seen} of ${count} notifications after ${timeoutMs} ms`)), timeoutMs);
    const listener = (data: Buffer): void => {
      if (!data.toString().startsWith('{"type":"notification"')) return;
      seen += 1;
      if (seen < count) return;
      clearTimeout(timer);
      socket.off('message', listener);
      resolve();
    };
    socket.on('message', listener);
  });
}

/** Waits until the host's counters stop changing (the pollers' trailing deletes included). */
async function quiesce(host: RpcChild<ServerHostApi>, settleMs = 400): Promise<Counters> {
  let previous = JSON.stringify(await host.call('counters', { reset: false }));
  for (let i = 0; i < 50; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, settleMs / 4));
    const current = JSON.stringify(await host.call('counters', { reset: false }));
    if (current === previous) return JSON.parse(current) as Counters;
    previous = current;
  }
  return host.call('counters', { reset: false });
}

export async function runInbox(ctx: BenchContext): Promise<InboxResults> {
  const sizes = ctx.settings.quick ? [1, 100] : [1, 100, 1000];
  const repeats = ctx.settings.quick ? 2 : Math.max(3, ctx.settings.rounds);
  const host = ctx.serverHost('stack');
  const sockets: WebSocket[] = [];
  try {
    const stack = await host.call('startStack', {});
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const sqs = new SQSClient({ ...SDK_CONFIG, endpoint: stack.endpoints.sqsEndpoint, requestHandler: { httpAgent: agent } });
    const dynamodb = new DynamoDBClient({ ...SDK_CONFIG, endpoint: stack.endpoints.dynamodbEndpoint, requestHandler: { httpAgent: agent } });
    const notifyUserUrl = stack.endpoints.queues.NotifyUser;
    const notifyConnectionUrl = stack.endpoints.queues.NotifyConnection;
    const inboxTable = Object.entries(stack.tableNames).find(([logicalId]) => logicalId.includes('Inbox'))?.[1];
    if (notifyUserUrl === undefined || notifyConnectionUrl === undefined || inboxTable === undefined) throw new Error('the stack has no NotifyUser / NotifyConnection queue or Inbox table');
    try {
      // Resume: 100 notifications stored for one user (delivered live to its connection first).
      const resumeUser = 'bench-resume';
      const [resumer] = await openClients([`${stack.endpoints.websocketUrl}?token=${await ctx.token(resumeUser)}`], 1);
      if (resumer === undefined) throw new Error('no resume connection');
      sockets.push(resumer);
      const stored = awaitCount(resumer, REPLAYED);
      for (let first = 0; first < REPLAYED; first += 10) {
        const entries = Array.from({ length: 10 }, (_, offset) => ({
          Id: String(offset),
          MessageBody: JSON.stringify({ userId: resumeUser, id: `stored-${first + offset}`, data: { download: `/reports/${first + offset}` } }),
        }));
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: notifyUserUrl, Entries: entries }));
      }
      await stored;
      const resumeOnce = async (): Promise<number> => {
        const resumed = awaitFrames([resumer], (text) => text.startsWith('{"type":"resumed"'));
        const sent = performance.now();
        resumer.send(JSON.stringify({ action: 'resume', after: 0 }));
        return (await resumed) - sent;
      };
      const queryOnce = async (): Promise<number> => {
        const started = performance.now();
        const output = await dynamodb.send(
          new QueryCommand({
            TableName: inboxTable,
            KeyConditionExpression: '#userId = :userId AND #sk BETWEEN :from AND :last',
            ExpressionAttributeNames: { '#userId': 'userId', '#sk': 'sk' },
            ExpressionAttributeValues: { ':userId': { S: resumeUser }, ':from': { S: `n#${'1'.padStart(16, '0')}` }, ':last': { S: 'n#~' } },
            ConsistentRead: true,
            Limit: REPLAYED + 1,
          }),
        );
        if ((output.Items ?? []).length !== REPLAYED) throw new Error(`the Query found ${output.Items?.length ?? 0} items, not ${REPLAYED}`);
        return performance.now() - started;
      };
      for (let i = 0; i < WARMUPS; i += 1) {
        await resumeOnce();
        await queryOnce();
      }
      const resumeRepeats: number[] = [];
      const queryRepeats: number[] = [];
      for (let round = 0; round < repeats * 3; round += 1) {
        resumeRepeats.push(await resumeOnce());
        queryRepeats.push(await queryOnce());
      }
      const resume: ResumeResult = {
        notifications: REPLAYED,
        resumeMs: median(resumeRepeats),
        queryMs: median(queryRepeats),
        ratio: ratio(median(resumeRepeats), median(queryRepeats)),
        resumeRepeats,
        queryRepeats,
      };
      ctx.progress(`resume of ${REPLAYED}: ${resume.resumeMs.toFixed(1)} ms; the Query of the same items ${resume.queryMs.toFixed(1)} ms`);

      // Fan-out with the inbox against the NotifyConnection leg alone.
      const fanout: InboxFanoutCase[] = [];
      let requestsPerNotification: Counters | undefined;
      for (const size of sizes) {
        const userId = `bench-inbox-${size}`;
        const token = await ctx.token(userId);
        const userSockets = await openClients(Array.from({ length: size }, () => `${stack.endpoints.websocketUrl}?token=${token}`), 50);
        sockets.push(...userSockets);
        const connectionIds = await Promise.all(
          userSockets.map(
            (socket) =>
              new Promise<string>((resolve) => {
                socket.once('message', (data: Buffer) => resolve((JSON.parse(data.toString()) as { connectionId: string }).connectionId));
                socket.send(JSON.stringify({ action: 'ping' }));
              }),
          ),
        );
        const data = { download: `/reports/${size}`, size };
        let sequence = 0;
        const viaNotifyUser = async (): Promise<number> => {
          const id = `inbox-${size}-${sequence++}`;
          const marker = `"id":${JSON.stringify(id)}`;
          const arrival = awaitFrames(userSockets, (text) => text.includes(marker));
          const sent = performance.now();
          await sqs.send(new SendMessageCommand({ QueueUrl: notifyUserUrl, MessageBody: JSON.stringify({ userId, data, id }) }));
          return (await arrival) - sent;
        };
        const viaNotifyConnection = async (): Promise<number> => {
          const id = `direct-${size}-${sequence++}`;
          const marker = `"id":${JSON.stringify(id)}`;
          const arrival = awaitFrames(userSockets, (text) => text.includes(marker));
          const sent = performance.now();
          const batches = Array.from({ length: Math.ceil(size / 10) }, (_, batch) => connectionIds.slice(batch * 10, batch * 10 + 10));
          let next = 0;
          const sender = async (): Promise<void> => {
            while (next < batches.length) {
              const batch = batches[next++] ?? [];
              await sqs.send(
                new SendMessageBatchCommand({
                  QueueUrl: notifyConnectionUrl,
                  Entries: batch.map((connectionId, index) => ({ Id: String(index), MessageBody: JSON.stringify({ connectionId, data, id, seq: sequence }) })),
                }),
              );
            }
          };
          await Promise.all(Array.from({ length: Math.min(10, batches.length) }, sender));
          return (await arrival) - sent;
        };
        for (let i = 0; i < WARMUPS; i += 1) {
          await viaNotifyUser();
          await viaNotifyConnection();
        }
        await quiesce(host);
        const withInbox: number[] = [];
        const direct: number[] = [];
        for (let round = 0; round < repeats; round += 1) {
          withInbox.push(await viaNotifyUser());
          await quiesce(host);
          direct.push(await viaNotifyConnection());
          await quiesce(host);
        }
        if (size === 1) {
          await host.call('counters', { reset: true });
          await viaNotifyUser();
          requestsPerNotification = await quiesce(host);
        }
        const entry: InboxFanoutCase = { connections: size, withInboxMs: median(withInbox), notifyConnectionOnlyMs: median(direct), ratio: ratio(median(withInbox), median(direct)) };
        fanout.push(entry);
        ctx.progress(`inbox fan-out K=${size}: ${entry.withInboxMs.toFixed(1)} ms through NotifyUser; ${entry.notifyConnectionOnlyMs.toFixed(1)} ms through NotifyConnection alone`);
      }
      if (requestsPerNotification === undefined) throw new Error('no notification was counted');
      return { resume, fanout, requestsPerNotification };
    } finally {
      sqs.destroy();
      dynamodb.destroy();
      agent.destroy();
    }
  } finally {
    for (const socket of sockets) socket.terminate();
    await host.stop();
  }
}
