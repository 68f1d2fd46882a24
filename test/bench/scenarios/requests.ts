/**
 * Section 6: AWS requests per operation, counted — not estimated — at the embedded services' and
 * the Management API's HTTP endpoints (what the functions' unmodified SDK clients call, and the
 * queue pollers standing for Lambda's event source mappings), with the Lambda invocations and the
 * API Gateway messages of the same window. Per ping, per connect and disconnect (mode
 * `authorizer`), per connect, authorize, deadline and disconnect (mode `action`). The counts per
 * notification to a user with K connections come from the fan-out section.
 */
import type { WebSocket } from 'ws';
import type { Counters, ServerHostApi } from '../hosts/server-host-api';
import type { BenchContext } from '../lib/context';
import type { RpcChild } from '../lib/rpc';
import { closeClients, openClients, roundTrip, sequentialLatencies } from '../lib/ws-load';

export interface OperationCount {
  /** What was done, how many times. */
  readonly operation: string;
  readonly times: number;
  /** Counters of the window, divided by `times`. */
  readonly perOperation: Counters;
}

export interface RequestsResults {
  readonly operations: readonly OperationCount[];
}

function divide(counters: Counters, times: number): Counters {
  const per = (value: number) => value / times;
  return {
    requests: Object.fromEntries(Object.entries(counters.requests).map(([key, value]) => [key, per(value)])),
    invocations: Object.fromEntries(
      Object.entries(counters.invocations).map(([id, entry]) => [id, { count: per(entry.count), durationMs: per(entry.durationMs), billedMs: per(entry.billedMs) }]),
    ),
    messagesIn: per(counters.messagesIn),
    messagesOut: per(counters.messagesOut),
    idleReceives: per(counters.idleReceives),
  };
}

/** Waits until the host's counters stop changing, then returns them. */
async function settled(host: RpcChild<ServerHostApi>, quietMs = 400): Promise<Counters> {
  let previous = '';
  for (let i = 0; i < 100; i += 1) {
    const current = await host.call('counters', { reset: false });
    const text = JSON.stringify(current);
    if (text === previous) return current;
    previous = text;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
  return host.call('counters', { reset: false });
}

async function count(host: RpcChild<ServerHostApi>, operation: string, times: number, act: () => Promise<void>): Promise<OperationCount> {
  await settled(host);
  await host.call('counters', { reset: true });
  await act();
  return { operation, times, perOperation: divide(await settled(host), times) };
}

export async function runRequests(ctx: BenchContext): Promise<RequestsResults> {
  const times = ctx.settings.quick ? 20 : 100;
  const operations: OperationCount[] = [];
  const authorizerHost = ctx.serverHost('stack-authorizer');
  const actionHost = ctx.serverHost('stack-action');
  const sockets: WebSocket[] = [];
  try {
    // A short authorize deadline, so that its queue message is counted too, long enough for the
    // connections to be authorized before it.
    const deadlineSeconds = 8;
    const [authorizerStack, actionStack] = await Promise.all([
      authorizerHost.call('startStack', {}),
      actionHost.call('startStack', { authMode: 'action', authorizeTimeoutSeconds: deadlineSeconds }),
    ]);

    // Mode authorizer: connect, ping, disconnect.
    const token = await ctx.token('requests-user');
    const url = `${authorizerStack.endpoints.websocketUrl}?token=${token}`;
    let connected: WebSocket[] = [];
    operations.push(
      await count(authorizerHost, 'connect (mode authorizer: authorizer + $connect)', times, async () => {
        connected = await openClients(Array.from({ length: times }, () => url), 10);
        sockets.push(...connected);
      }),
    );
    const pinger = connected[0]!;
    await roundTrip(pinger, '{"action":"ping"}');
    operations.push(
      await count(authorizerHost, 'ping', times, async () => {
        await sequentialLatencies(pinger, '{"action":"ping"}', { warmup: 0, samples: times, check: (reply) => reply.startsWith('{"type":"pong"') });
      }),
    );
    operations.push(await count(authorizerHost, 'disconnect (mode authorizer)', times, () => closeClients(connected)));

    // Mode action: connect (pending + deadline), authorize, the deadline message, disconnect.
    const actionToken = await ctx.token('requests-user', 'action');
    let pending: WebSocket[] = [];
    operations.push(
      await count(actionHost, 'connect (mode action: $connect, deadline scheduled)', times, async () => {
        pending = await openClients(Array.from({ length: times }, () => actionStack.endpoints.websocketUrl), 10);
        sockets.push(...pending);
      }),
    );
    const connectedAt = Date.now();
    operations.push(
      await count(actionHost, 'authorize (mode action)', times, async () => {
        const authorize = JSON.stringify({ action: 'authorize', token: actionToken });
        for (const socket of pending) {
          const reply = await roundTrip(socket, authorize);
          if (!reply.startsWith('{"type":"authorized"')) throw new Error(`authorize answered ${reply.slice(0, 200)}`);
        }
      }),
    );
    operations.push(
      await count(actionHost, 'authorize deadline message (mode action, connection authorized by then)', times, async () => {
        // The deadline messages become visible `deadlineSeconds` after each connect, then a poller takes them.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, connectedAt + deadlineSeconds * 1000 + 1500 - Date.now())));
      }),
    );
    operations.push(await count(actionHost, 'disconnect (mode action)', times, () => closeClients(pending)));
    ctx.progress(`requests: counted ${operations.length} operations, ${times} times each`);
    return { operations };
  } finally {
    for (const socket of sockets) socket.terminate();
    await Promise.all([authorizerHost.stop(), actionHost.stop()]);
  }
}
