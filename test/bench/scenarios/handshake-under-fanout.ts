/**
 * Section `handshake`: handshake latency during a fan-out. A notification burst must never starve
 * handshakes: a burst of handshakes (REQUEST authorizer + `$connect`, each connection closed once
 * open, so `$disconnect` runs too) is timed on an idle stack and while fan-outs to the 1,000
 * connections of one user run back to back, in the same run, alternately. The figure is the loaded
 * burst's median handshake over the idle burst's (target: within 1.5×).
 *
 * A handshake is timed from the client's `new WebSocket` to its `open` event: the HTTP upgrade, the
 * authorizer, `$connect` (the per-user limit's Query, the record's PutItem, the inbox pointer's
 * PutItem) and the 101.
 */
import { Agent } from 'node:http';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { WebSocket } from 'ws';
import type { BenchContext } from '../lib/context';
import { median, percentile, ratio } from '../lib/stats';
import { closeClients, openClient, openClients } from '../lib/ws-load';
import { awaitNotification } from './fanout';
import { STAGES } from '../../../infra/stages';

export interface HandshakeBurst {
  readonly loaded: boolean;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly durationMs: number;
  /** Fan-outs to every connection of the target user completed while the burst ran (loaded bursts). */
  readonly fanouts: number;
}

export interface HandshakeUnderFanoutResults {
  /** Connections of the fan-out's user. */
  readonly fanoutConnections: number;
  readonly handshakesPerBurst: number;
  /** Handshakes in flight at once during a burst. */
  readonly concurrency: number;
  /** Every burst, in the order run. */
  readonly bursts: readonly HandshakeBurst[];
  /** Over every handshake of the idle bursts / of the loaded bursts. */
  readonly idle: { readonly p50Ms: number; readonly p95Ms: number; readonly samples: number };
  readonly underFanout: { readonly p50Ms: number; readonly p95Ms: number; readonly samples: number };
  /** Median fan-out time (send → all delivered) during the loaded bursts. */
  readonly fanoutMs: number;
  readonly ratioP50: number;
  readonly ratioP95: number;
}

const SDK_CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
/** Distinct users the handshakes cycle through (each well under the per-user connection limit). */
const HANDSHAKE_USERS = 20;

const p95 = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 0.95);

export async function runHandshakeUnderFanout(ctx: BenchContext): Promise<HandshakeUnderFanoutResults> {
  const quick = ctx.settings.quick;
  const fanoutConnections = quick ? 100 : 1000;
  const handshakesPerBurst = quick ? 60 : 300;
  const concurrency = 10;
  const rounds = quick ? 1 : Math.max(3, ctx.settings.rounds);
  const host = ctx.serverHost('stack');
  const held: WebSocket[] = [];
  try {
    // The handshake functions reserve concurrency, as in stage prod: the guard the figure is about.
    const stack = await host.call('startStack', { handshakeReservedConcurrency: STAGES.prod.concurrency.connect });
    const url = stack.endpoints.websocketUrl;
    const sqs = new SQSClient({ ...SDK_CONFIG, endpoint: stack.endpoints.sqsEndpoint, requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) } });
    const notifyUserUrl = stack.endpoints.queues.NotifyUser;
    if (notifyUserUrl === undefined) throw new Error('the stack has no NotifyUser queue');
    try {
      const targetUser = 'handshake-fanout-target';
      const targetToken = await ctx.token(targetUser);
      const targets = await openClients(Array.from({ length: fanoutConnections }, () => `${url}?token=${targetToken}`), 50);
      held.push(...targets);
      const handshakeUrls = await Promise.all(Array.from({ length: HANDSHAKE_USERS }, async (_, i) => `${url}?token=${await ctx.token(`handshake-${i}`)}`));

      let notified = 0;
      const fanout = async (): Promise<number> => {
        const id = `handshake-bench-${notified++}`;
        const arrival = awaitNotification(targets, id, 60_000);
        const sent = performance.now();
        await sqs.send(new SendMessageCommand({ QueueUrl: notifyUserUrl, MessageBody: JSON.stringify({ userId: targetUser, id, data: { n: notified } }) }));
        return (await arrival).last - sent;
      };

      /** `handshakesPerBurst` handshakes, `concurrency` at a time; each connection is closed once open. */
      let opened = 0;
      const burst = async (): Promise<{ latencies: number[]; durationMs: number }> => {
        const latencies: number[] = [];
        const sockets: WebSocket[] = [];
        let next = 0;
        const started = performance.now();
        const worker = async (): Promise<void> => {
          while (next < handshakesPerBurst) {
            next += 1;
            const begun = performance.now();
            const socket = await openClient(handshakeUrls[opened++ % HANDSHAKE_USERS] ?? '');
            latencies.push(performance.now() - begun);
            sockets.push(socket);
            socket.close(1000);
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        const durationMs = performance.now() - started;
        await closeClients(sockets);
        return { latencies, durationMs };
      };

      /** A burst while fan-outs run back to back; the fan-out under way when the burst ends is awaited. */
      const loadedBurst = async (): Promise<{ latencies: number[]; durationMs: number; fanouts: number[] }> => {
        const fanouts: number[] = [];
        let stop = false;
        let firstSent: () => void = () => undefined;
        const running = new Promise<void>((resolve) => (firstSent = resolve));
        const loop = (async () => {
          while (!stop) {
            const delivery = fanout();
            firstSent();
            fanouts.push(await delivery);
          }
        })();
        await running;
        const result = await burst();
        stop = true;
        await loop;
        return { ...result, fanouts };
      };

      // Warm-up: the functions' instances, the pollers and the JIT of both paths.
      for (let i = 0; i < 3; i += 1) await fanout();
      await burst();
      await loadedBurst();
      ctx.progress(`handshake: warmed up (${fanoutConnections} connections held for the fan-out)`);

      const bursts: HandshakeBurst[] = [];
      const idleSamples: number[] = [];
      const loadedSamples: number[] = [];
      const fanoutTimes: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        // Alternate which goes first, so that a busy moment of the machine favours neither.
        const order = round % 2 === 0 ? [false, true] : [true, false];
        for (const loaded of order) {
          const { latencies, durationMs, fanouts } = loaded ? await loadedBurst() : { ...(await burst()), fanouts: [] as number[] };
          (loaded ? loadedSamples : idleSamples).push(...latencies);
          fanoutTimes.push(...fanouts);
          bursts.push({ loaded, p50Ms: median(latencies), p95Ms: p95(latencies), durationMs, fanouts: fanouts.length });
          ctx.progress(
            `handshake round ${round + 1}, ${loaded ? `under fan-out (${fanouts.length} fan-outs, median ${median(fanouts).toFixed(0)} ms)` : 'idle'}: ` +
              `p50 ${median(latencies).toFixed(1)} ms, p95 ${p95(latencies).toFixed(1)} ms over ${latencies.length} handshakes in ${durationMs.toFixed(0)} ms`,
          );
        }
      }
      const idle = { p50Ms: median(idleSamples), p95Ms: p95(idleSamples), samples: idleSamples.length };
      const underFanout = { p50Ms: median(loadedSamples), p95Ms: p95(loadedSamples), samples: loadedSamples.length };
      return {
        fanoutConnections,
        handshakesPerBurst,
        concurrency,
        bursts,
        idle,
        underFanout,
        fanoutMs: median(fanoutTimes),
        ratioP50: ratio(underFanout.p50Ms, idle.p50Ms),
        ratioP95: ratio(underFanout.p95Ms, idle.p95Ms),
      };
    } finally {
      sqs.destroy();
    }
  } finally {
    for (const socket of held) socket.terminate();
    await host.stop();
  }
}
