/**
 * `npm run test:load` (not part of `npm test`): the client library under churn, on the real local
 * stack, in both modes (CHURN_AUTH_MODES below). 100 users × 2 `NotifyClient`s in Node.js (the `ws` package's WebSocket),
 * against a stage whose connections live at most 10 s and go idle after 5 s, with tokens of 20 s
 * that the clients renew, connections deleted at random through the Management API, and 10 % of the
 * DynamoDB and Management API calls failing with throttling or 5xx errors, and the production
 * behaviours on (a lagging user index, duplicate SQS deliveries, lost `$disconnect`s). 2,000 notifications go
 * through the unmodified SQS client to NotifyUser. Every client's application callback sees each
 * notification of its user exactly once and none of another user's; after stop() it sees nothing,
 * though its user is notified again. Prints the churn (reconnects, roll-overs, renewals, duplicates
 * the library dropped) and the delivery latency p50/p99, from the send to the callback.
 *
 * Pacing: the notifications go out in rounds, and the next round waits for the stack to have
 * closed a number of connections since the last one (roll-overs, cuts, failed reconnections), so
 * that they are spread over the churn whatever the machine's speed, and for the clients to have
 * seen all but the last ROUNDS_AHEAD rounds, so that the load stays within what the machine
 * handles; no step waits for a time.
 */
import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { WebSocket } from 'ws';
import { NotifyClient, type AuthMode, type ClientStats, type CursorStore, type NotifyClientError, type TokenRequest } from '../../src/client';
import { eventually, startTestStack, type TestStack } from '../helpers/local-stack';

const USERS = 100;
const CLIENTS_PER_USER = 2;
const NOTIFICATIONS = 2_000;
const ROUNDS = 40;
const PER_ROUND = NOTIFICATIONS / ROUNDS;
/** Connections the stack must have closed between two rounds. */
const CLOSES_PER_ROUND = 20;
/**
 * Rounds that may be sent before the clients have seen the earlier ones: the load stays within what
 * the machine handles. Without this bound a 2-core machine ran 2,000 notifications behind, the
 * latency measured the test's own backlog (p50 40–55 s), and in mode action the saturation kept
 * `authorize` calls waiting until connections expired unauthorized.
 */
const ROUNDS_AHEAD = 2;
/** Live connections deleted through the Management API after each round. */
const CUTS_PER_ROUND = 4;
const MAX_CONNECTION_SECONDS = 10;
const IDLE_TIMEOUT_SECONDS = 5;
const TOKEN_TTL_SECONDS = 20;
/**
 * The application's token cache hands out a token while more than half of its life is left, as a
 * sign-in SDK's cache does: a connection then starts with 10 to 20 s of token, and renews in-band
 * before it rolls over when it has the shorter.
 */
const TOKEN_REUSE_SECONDS = TOKEN_TTL_SECONDS / 2;
const FAULT_RATE = 0.1;
/**
 * SQS retries a failed record after this (the template's 6 × the function timeout would stall the
 * run on a retry). As short as NotifyUser's and NotifyConnection's 20 s timeout, and no shorter, as AWS requires
 * of a queue a function consumes: with 10 s, a batch slowed by faults on a saturated machine was
 * received again while its first invocation still ran, and a few records reached their DLQ after 5
 * receives (mode action, whose `authorize` calls add to the load).
 */
const VISIBILITY_TIMEOUT_SECONDS = 20;
/** How long a wait may go without progress before the test gives up and reports what is missing (not a speed check). */
const STALL_DEADLINE_MS = 120_000;
/**
 * Instances per function (the local default is the CPUs + 1). Lambda scales a function out with its
 * load; here every client opens a connection about every 8 s, and under faults a `$connect` spends
 * most of its time in the SDK's back-off rather than on a CPU, so 3 instances would queue the
 * handshakes without end.
 */
const MAX_INSTANCES_PER_FUNCTION = 10;
/** The whole run, on a busy machine (not a speed check). */
const TEST_TIMEOUT_MS = 1_500_000;
/** Clients first starting at once, as pages do not all open in the same instant. */
const STARTING_AT_ONCE = 20;


/**
 * What AWS does besides faults, as the local runtime emulates it: a user index that lags behind
 * its table, SQS messages delivered twice, `$disconnect`s that never come.
 */
const PRODUCTION_BEHAVIOURS = {
  indexLagMs: 200,
  sqsDuplicates: { rate: 0.05 },
  dropDisconnects: { rate: 0.05 },
} as const;

const userIdOf = (index: number): string => `churn-user-${index}`;
/** Spreads notification n over the users (37 is prime to 100: every user gets 20). */
const userOfNotification = (n: number): number => (n * 37) % USERS;

interface ChurnData {
  readonly userId: string;
  readonly n: number;
  readonly sentAt: number;
}

/** One client and what its application callback saw. */
interface Fleet {
  readonly userId: string;
  readonly client: NotifyClient;
  /** Notification id → times the callback saw it. */
  readonly seen: Map<string, number>;
  readonly foreign: string[];
  readonly afterStop: string[];
  readonly errors: NotifyClientError[];
}

/** A cursor kept in memory that starts at the beginning of the user's inbox (seq 0): nothing stored is skipped. */
class StartAtZero implements CursorStore {
  #seq = 0;

  load(): number {
    return this.#seq;
  }

  save(seq: number): void {
    this.#seq = seq;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface Counter {
  value: number;
  readonly waiters: Set<() => void>;
  add(): void;
}

/**
 * Resolves when `counter` reaches `target`. Rejects naming `what`, with `describe()`'s account of
 * the run, when it went STALL_DEADLINE_MS without counting anything.
 */
function countReaches(counter: Counter, target: number, what: string, describe: () => Promise<string>): Promise<void> {
  if (counter.value >= target) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const stalled = (): void => {
      counter.waiters.delete(check);
      void describe().then((account) => reject(new Error(`no progress for ${STALL_DEADLINE_MS} ms waiting for ${what} (${counter.value} of ${target}); ${account}`)));
    };
    const check = (): void => {
      if (counter.value < target) {
        deadline.refresh();
        return;
      }
      clearTimeout(deadline);
      counter.waiters.delete(check);
      resolve();
    };
    const deadline = setTimeout(stalled, STALL_DEADLINE_MS);
    counter.waiters.add(check);
  });
}

function counter(): Counter {
  const state = {
    value: 0,
    waiters: new Set<() => void>(),
    add() {
      state.value += 1;
      for (const waiter of [...state.waiters]) waiter();
    },
  };
  return state;
}

/**
 * The modes to run: both, unless CHURN_AUTH_MODES names some (`.ci/run` runs mode authorizer only,
 * to keep the CI run within its time: docs/testing.md). A name that is not a mode fails the run.
 */
function churnModes(value = process.env.CHURN_AUTH_MODES): readonly AuthMode[] {
  if (value === undefined || value === '') return ['authorizer', 'action'];
  return value.split(',').map((mode) => {
    if (mode !== 'authorizer' && mode !== 'action') throw new Error(`CHURN_AUTH_MODES: "${mode}" is not authorizer or action`);
    return mode;
  });
}

describe.each(churnModes())('Load: 200 NotifyClients under churn (mode %s)', (authMode) => {
  let t: TestStack;
  let sqs: SQSClient;
  const fleet: Fleet[] = [];

  beforeAll(async () => {
    t = await startTestStack({
      stage: 'local',
      authMode,
      maxConnectionDurationSeconds: MAX_CONNECTION_SECONDS,
      idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      functionConcurrency: MAX_INSTANCES_PER_FUNCTION,
      maxInstancesPerFunction: MAX_INSTANCES_PER_FUNCTION,
      faults: { dynamodb: { rate: FAULT_RATE }, management: { rate: FAULT_RATE } },
      endpointsFile: false,
      ...PRODUCTION_BEHAVIOURS,
    });
    sqs = new SQSClient({ endpoint: t.stack.endpoints.sqsEndpoint ?? '', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });

  afterAll(async () => {
    await Promise.all(fleet.map((entry) => entry.client.stop()));
    sqs?.destroy();
    await t?.close();
  });

  it('delivers each notification of its user exactly once to every client, none of another user, nothing after stop()', async () => {
    // Prepare: the clients, each with its own token cache, all authorized
    const latencies: number[] = [];
    let stopped = false;
    const authorized = counter();
    for (let user = 0; user < USERS; user += 1) {
      for (let copy = 0; copy < CLIENTS_PER_USER; copy += 1) {
        const userId = userIdOf(user);
        let cached: { token: string; reuseUntil: number } | undefined;
        const getToken = async ({ forceRefresh }: TokenRequest): Promise<string> => {
          if (!forceRefresh && cached !== undefined && Date.now() < cached.reuseUntil) return cached.token;
          const reuseUntil = Date.now() + TOKEN_REUSE_SECONDS * 1000;
          cached = { token: await t.token(userId, TOKEN_TTL_SECONDS), reuseUntil };
          return cached.token;
        };
        const client = new NotifyClient({
          url: t.stack.endpoints.websocketUrl,
          authMode,
          getToken,
          WebSocket,
          cursorStore: new StartAtZero(),
          limits: { maxConnectionSeconds: MAX_CONNECTION_SECONDS, idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS },
        });
        const entry: Fleet = { userId, client, seen: new Map(), foreign: [], afterStop: [], errors: [] };
        client.on('notification', ({ id, data }) => {
          if (stopped) entry.afterStop.push(id);
          const { userId: addressee, sentAt } = data as ChurnData;
          if (addressee !== userId) entry.foreign.push(id);
          const times = (entry.seen.get(id) ?? 0) + 1;
          entry.seen.set(id, times);
          if (times === 1) latencies.push(Date.now() - sentAt);
        });
        client.on('error', (error) => entry.errors.push(error));
        let counted = false;
        client.on('state', (state) => {
          if (state === 'authorized' && !counted) {
            counted = true;
            authorized.add();
          }
        });
        fleet.push(entry);
      }
    }
    const invocations: Record<string, number> = {};
    t.stack.onInvocation((event) => {
      if (event.type === 'end') invocations[event.status] = (invocations[event.status] ?? 0) + 1;
    });
    const closes = counter();
    t.stack.gateway.on('disconnect', () => closes.add());
    const deliveries = counter();
    for (const entry of fleet) entry.client.on('notification', () => deliveries.add());
    const account = async (): Promise<string> => {
      const states: Record<string, number> = {};
      for (const entry of fleet) states[entry.client.state] = (states[entry.client.state] ?? 0) + 1;
      const depths: string[] = [];
      for (const queue of Object.keys(t.stack.endpoints.queues)) depths.push(`${queue} ${await t.queueDepth(queue)}`);
      const pools = Object.entries(t.stack.functions.stats()).map(([id, pool]) => `${id} ${pool.busy}/${pool.waiting}/${pool.workers}`);
      return `delivered ${deliveries.value}, connections closed ${closes.value}, live ${[...t.stack.gateway.connections()].length}, clients ${JSON.stringify(states)}, queues: ${depths.join(', ')}; functions busy/waiting/workers: ${pools.join(', ')}; invocations ${JSON.stringify(invocations)}`;
    };
    const startedAt = Date.now();
    for (const [index, entry] of fleet.entries()) {
      await countReaches(authorized, index - STARTING_AT_ONCE + 1, `client ${index - STARTING_AT_ONCE + 1} authorized`, account);
      entry.client.start();
    }
    await countReaches(authorized, fleet.length, 'every client authorized once', account);

    // Act: 2,000 notifications in rounds spread over the churn, with connections cut at random
    let cuts = 0;
    let cutsRefused = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      await countReaches(closes, round * CLOSES_PER_ROUND, `connections closed before round ${round + 1}`, account);
      await countReaches(deliveries, (round - ROUNDS_AHEAD) * PER_ROUND * CLIENTS_PER_USER, `deliveries before round ${round + 1}`, account);
      for (let first = round * PER_ROUND; first < (round + 1) * PER_ROUND; first += 10) {
        const entries: SendMessageBatchRequestEntry[] = [];
        for (let n = first; n < first + 10; n += 1) {
          const userId = userIdOf(userOfNotification(n));
          const data: ChurnData = { userId, n, sentAt: Date.now() };
          entries.push({ Id: String(n), MessageBody: JSON.stringify({ userId, id: `churn-${authMode}-${n}`, data }) });
        }
        const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, Entries: entries }));
        expect(sent.Failed ?? []).toEqual([]);
      }
      if ((round + 1) % 5 === 0) process.stdout.write(`client churn, mode ${authMode}: round ${round + 1} of ${ROUNDS} sent after ${Date.now() - startedAt} ms; ${await account()}\n`);
      const live = [...t.stack.gateway.connections()];
      for (let cut = 0; cut < CUTS_PER_ROUND && live.length > 0; cut += 1) {
        const [victim] = live.splice(Math.floor(Math.random() * live.length), 1);
        if (victim === undefined) continue;
        try {
          await t.management.send(new DeleteConnectionCommand({ ConnectionId: victim.connectionId }));
          cuts += 1;
        } catch {
          // Gone meanwhile (410), or an injected fault the SDK's retries did not get past.
          cutsRefused += 1;
        }
      }
    }
    const expected = NOTIFICATIONS * CLIENTS_PER_USER;
    await countReaches(deliveries, expected, 'every client to see every notification of its user', account);
    const sendToLastDelivery = Date.now() - startedAt;

    // Act: stop every client, then notify every user once more
    await Promise.all(fleet.map((entry) => entry.client.stop()));
    stopped = true;
    const fannedOut = new Set<string>();
    const afterStopIds = Array.from({ length: USERS }, (_, user) => `after-stop-${authMode}-${user}`);
    const unsubscribe = t.stack.onFunctionLog((entry) => {
      if (!entry.line.includes('Notification fanned out')) return;
      const id = afterStopIds.find((candidate) => entry.line.includes(`"notificationId":"${candidate}"`));
      if (id !== undefined) fannedOut.add(id);
    });
    for (let first = 0; first < USERS; first += 10) {
      const entries = afterStopIds.slice(first, first + 10).map((id, offset) => {
        const userId = userIdOf(first + offset);
        return { Id: String(first + offset), MessageBody: JSON.stringify({ userId, id, data: { userId, n: -1, sentAt: Date.now() } }) };
      });
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, Entries: entries }));
    }
    await eventually('every notification sent after stop() stored and its fan-out handled', async () =>
      fannedOut.size === USERS && (await t.queueDepth('NotifyUser')) === 0 && (await t.queueDepth('NotifyConnection')) === 0 ? true : undefined, STALL_DEADLINE_MS, 100);
    unsubscribe();

    // Assess
    const problems: string[] = [];
    for (const entry of fleet) {
      const wanted = new Set<string>();
      for (let n = 0; n < NOTIFICATIONS; n += 1) if (userIdOf(userOfNotification(n)) === entry.userId) wanted.add(`churn-${authMode}-${n}`);
      const missing = [...wanted].filter((id) => !entry.seen.has(id));
      const repeated = [...entry.seen].filter(([, times]) => times > 1).map(([id]) => id);
      if (missing.length > 0) problems.push(`${entry.userId} missed ${missing.length}: ${missing.slice(0, 5).join(', ')}`);
      if (repeated.length > 0) problems.push(`${entry.userId} saw ${repeated.length} twice: ${repeated.slice(0, 5).join(', ')}`);
      if (entry.foreign.length > 0) problems.push(`${entry.userId} saw another user's: ${entry.foreign.slice(0, 5).join(', ')}`);
      if (entry.afterStop.length > 0) problems.push(`${entry.userId} saw after stop(): ${entry.afterStop.join(', ')}`);
      if (entry.seen.size !== wanted.size) problems.push(`${entry.userId} saw ${entry.seen.size} notifications, its user has ${wanted.size}`);
    }
    expect(problems).toEqual([]);

    const totals = fleet.reduce<Record<keyof ClientStats, number>>(
      (sum, entry) => {
        const stats = entry.client.stats;
        for (const key of Object.keys(sum) as (keyof ClientStats)[]) sum[key] += stats[key];
        return sum;
      },
      { delivered: 0, duplicates: 0, reconnects: 0, rollOvers: 0, renewals: 0 },
    );
    expect(totals.delivered).toBe(expected);
    // The churn happened: every client changed connections (a roll-over, or a reconnection after a
    // cut, a refused handshake or a lost connection: which one a client meets first is chance),
    // connections were rolled over, and tokens were renewed in-band.
    expect(fleet.filter((entry) => entry.client.stats.rollOvers + entry.client.stats.reconnects === 0).map((entry) => entry.userId)).toEqual([]);
    expect(totals.rollOvers).toBeGreaterThan(0);
    expect(totals.renewals).toBeGreaterThan(0);
    expect(cuts).toBeGreaterThan(0);

    const errorCodes: Record<string, number> = {};
    for (const entry of fleet) for (const error of entry.errors) errorCodes[error.code] = (errorCodes[error.code] ?? 0) + 1;
    expect(errorCodes.listener_failed).toBeUndefined();
    const faults = t.stack.faultCounts();
    latencies.sort((a, b) => a - b);
    process.stdout.write(
      [
        `client churn, mode ${authMode}: ${USERS} users × ${CLIENTS_PER_USER} clients, ${NOTIFICATIONS} notifications (${expected} deliveries), ` +
          `--max-connection-duration ${MAX_CONNECTION_SECONDS} --idle-timeout ${IDLE_TIMEOUT_SECONDS}, tokens ${TOKEN_TTL_SECONDS} s, faults dynamodb=${FAULT_RATE},management=${FAULT_RATE}`,
        `  ${sendToLastDelivery} ms from the first start() to the last delivery; 0 lost, 0 repeated at the callbacks, 0 after stop()`,
        `  delivered ${totals.delivered}, duplicates dropped by the library ${totals.duplicates}, reconnects ${totals.reconnects}, roll-overs ${totals.rollOvers}, renewals ${totals.renewals}`,
        `  connections closed by the stack ${closes.value}, Management API cuts ${cuts} (${cutsRefused} refused or gone)`,
        `  faults injected: dynamodb ${faults.dynamodb.injected} of ${faults.dynamodb.requests}, management ${faults.management.injected} of ${faults.management.requests}`,
        `  client errors: ${JSON.stringify(errorCodes)}`,
        `  delivery latency (send to callback, first copy): p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`,
        '',
      ].join('\n'),
    );
  }, TEST_TIMEOUT_MS);
});
