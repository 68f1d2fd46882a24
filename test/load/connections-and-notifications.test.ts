/**
 * `npm run test:load` (not part of `npm test`): bounded load and soak on loopback. The local stack
 * runs alone in a child process (stack-host.ts, started with --expose-gc) and 5,000 authorized
 * `ws` clients in another (client-fleet.ts), so neither the clients nor jest distort the stack's
 * memory. While the clients are held, 1,000 notifications a minute go through the unmodified SQS
 * client to NotifyUser, to a spread of users: 30 s of warm-up, then 2 measured minutes. Zero errors
 * anywhere, every notification reaches every connection of its user, and the stack's memory grows
 * by less than 10 % from the end of the warm-up to the end of the run.
 *
 * What is measured: the RSS of the stack's process (main thread and every function's worker thread:
 * a function's instances are worker threads, whose heaps only the RSS shows) and the main thread's
 * V8 heap after two full collections (the gateway and its connections, the pollers, the embedded
 * DynamoDB and SQS), and its external memory (Buffers). Worker heaps are collected by V8 on its own
 * schedule and cannot be forced from the main thread; the RSS bounds them. A function pool only
 * grows (Lambda keeps instances warm), so the stack runs at most 2 instances per function
 * (stack-host.ts), which the warm-up reaches: the RSS after it and at the end are taken with the
 * same instances (the test checks it), so instance start-ups do not pass for growth. Every
 * notification is kept in its user's inbox for the stage's retention; the stack runs with a 20 s
 * retention and deletes expired items every 5 s (DynamoDB's TTL, emulated), so the inbox holds the
 * same ~25 s of notifications after the warm-up and at the end (stack-host.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';
import {
  loadUserId,
  userOfConnection,
  type FleetMessage,
  type FleetReport,
  type FleetRequest,
  type HostMessage,
  type HostRequest,
  type HostStats,
  type MemorySample,
} from './load-protocol';

const USERS = 1_000;
const CONNECTIONS_PER_USER = 5;
const CONNECTIONS = USERS * CONNECTIONS_PER_USER;
const NOTIFICATIONS_PER_MINUTE = 1_000;
const WARM_UP_MS = 30_000;
const MEASURED_MS = 120_000;
const SAMPLE_EVERY_MS = 15_000;
/** Most the stack's memory may grow from the end of the warm-up to the end of the run. */
const MAX_GROWTH = 0.1;
/** Handshakes in flight at once. */
const CONNECTING_AT_ONCE = 100;
/** File descriptors each child needs: one socket per connection plus the services' and a margin. */
const DESCRIPTORS_NEEDED = CONNECTIONS + 1_000;
/** How long delivery may take after the last send before the test reports what is missing (not a speed check). */
const DRAIN_DEADLINE_MS = 60_000;

const MB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Spreads notification n over the users (7919 is prime to 1000: every user gets its share). */
const userOfNotification = (n: number): number => (n * 7_919) % USERS;

interface Child<Request, Message extends { type: string }> {
  readonly process: ChildProcess;
  request<T extends Message['type']>(message: Request | undefined, replyType: T, timeoutMs?: number): Promise<Extract<Message, { type: T }>>;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `node [--expose-gc] --import tsx <script>` with an IPC channel, through `sh` so that its
 * file-descriptor limit is raised to the hard limit first.
 */
function startChild<Request, Message extends { type: string }>(script: string, env: Record<string, string>, exposeGc: boolean): Child<Request, Message> {
  const child = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, ...(exposeGc ? ['--expose-gc'] : []), '--import', 'tsx', script], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const inbox: Message[] = [];
  const waiting: { type: string; resolve: (message: Message) => void }[] = [];
  child.on('message', (message: Message) => {
    const index = waiting.findIndex((waiter) => waiter.type === message.type);
    if (index === -1) inbox.push(message);
    else waiting.splice(index, 1)[0]?.resolve(message);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    stderr: () => stderr,
    exited,
    request(message, replyType, timeoutMs = 120_000) {
      if (message !== undefined) child.send(message as object);
      const queued = inbox.findIndex((candidate) => candidate.type === replyType);
      if (queued !== -1) return Promise.resolve(inbox.splice(queued, 1)[0] as Extract<Message, { type: typeof replyType }>);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${path.basename(script)} sent no "${replyType}" within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${path.basename(script)} exited with ${code} before "${replyType}"; stderr: ${stderr.slice(-2000)}`));
        });
        waiting.push({
          type: replyType,
          resolve: (reply) => {
            clearTimeout(timer);
            resolve(reply as Extract<Message, { type: typeof replyType }>);
          },
        });
      });
    },
  };
}

function describeSample(label: string, sample: MemorySample): string {
  return `  ${`${label}${sample.collected ? ' (GC)' : ''}`.padEnd(22)} RSS ${(sample.rss / MB).toFixed(1).padStart(7)} MB   heap ${(sample.heapUsed / MB).toFixed(1).padStart(6)} MB   external ${(sample.external / MB).toFixed(1).padStart(5)} MB (array buffers ${(sample.arrayBuffers / MB).toFixed(1).padStart(5)} MB)   ${sample.connections} connections, ${sample.workers} function workers`;
}

const growth = (from: number, to: number): number => (to - from) / from;

describe('Load: 5,000 authorized connections held while 1,000 notifications a minute flow', () => {
  let home: string;
  let host: Child<HostRequest, HostMessage> | undefined;
  let fleet: Child<FleetRequest, FleetMessage> | undefined;
  let sqs: SQSClient | undefined;

  beforeAll(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-load-'));
  });

  afterAll(async () => {
    sqs?.destroy();
    for (const child of [fleet, host]) {
      if (child === undefined || child.process.exitCode !== null) continue;
      child.process.kill('SIGTERM');
      await child.exited;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('holds every connection, delivers every notification without an error, and keeps memory flat', async () => {
    // Prepare: enough file descriptors, the stack in its process, the clients in theirs.
    const hardLimit = spawnSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
    if (hardLimit !== 'unlimited' && !(Number(hardLimit) >= DESCRIPTORS_NEEDED)) {
      throw new Error(`the load test needs ${DESCRIPTORS_NEEDED} file descriptors per process; the hard limit (ulimit -Hn) is ${hardLimit}`);
    }
    const env = { WS_NOTIFY_KEYS_DIR: path.join(home, 'keys'), WS_NOTIFY_STATE_DIR: path.join(home, 'state') };
    const startedAt = Date.now();
    host = startChild<HostRequest, HostMessage>('test/load/stack-host.ts', env, true);
    const { endpoints } = await host.request(undefined, 'ready');
    fleet = startChild<FleetRequest, FleetMessage>('test/load/client-fleet.ts', env, false);
    const connected = await fleet.request(
      { type: 'connect', plan: { websocketUrl: endpoints.websocketUrl, users: USERS, connectionsPerUser: CONNECTIONS_PER_USER, concurrency: CONNECTING_AT_ONCE } },
      'connected',
      300_000,
    );
    sqs = new SQSClient({ endpoint: endpoints.sqsEndpoint ?? '', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const client = sqs;
    const stackHost = host;
    const afterConnect = (await stackHost.request({ type: 'memory', collect: true }, 'memory')).sample;

    // Act: 1,000 notifications a minute, each to one user: the warm-up, then the measured minutes.
    const intervalMs = 60_000 / NOTIFICATIONS_PER_MINUTE;
    const flowStartedAt = Date.now();
    const samples: { label: string; sample: MemorySample }[] = [{ label: 'connected', sample: afterConnect }];
    let warm: MemorySample | undefined;
    let measuredUntil = Number.POSITIVE_INFINITY;
    let nextSampleAt = flowStartedAt + WARM_UP_MS;
    let sent = 0;
    while (Date.now() < measuredUntil) {
      const due = Math.floor((Date.now() - flowStartedAt) / intervalMs) + 1;
      while (sent < due) {
        const entries = [];
        for (; sent < due && entries.length < 10; sent += 1) {
          entries.push({ Id: String(sent), MessageBody: JSON.stringify({ userId: loadUserId(userOfNotification(sent)), data: { n: sent }, id: `load-${sent}` }) });
        }
        const output = await client.send(new SendMessageBatchCommand({ QueueUrl: endpoints.queues.NotifyUser, Entries: entries }));
        expect(output.Failed ?? []).toEqual([]);
      }
      if (Date.now() >= nextSampleAt) {
        nextSampleAt += SAMPLE_EVERY_MS;
        if (warm === undefined) {
          warm = (await stackHost.request({ type: 'memory', collect: true }, 'memory')).sample;
          samples.push({ label: 'after warm-up', sample: warm });
          measuredUntil = warm.takenAt + MEASURED_MS;
        } else {
          // No GC in between: a collection pauses the stack's event loop, and the backlog it leaves
          // could itself make a function pool start an instance.
          const { sample } = await stackHost.request({ type: 'memory', collect: false }, 'memory');
          samples.push({ label: `+${Math.round((sample.takenAt - warm.takenAt) / 1000)} s`, sample });
        }
      }
      await sleep(Math.max(1, Math.min(nextSampleAt, flowStartedAt + sent * intervalMs) - Date.now()));
    }
    const total = sent;
    const sentAt = Date.now();

    // Every (connection, notification) pair the plan expects, until all have arrived or the deadline passes.
    const expectedPairs = total * CONNECTIONS_PER_USER;
    let report: FleetReport;
    for (;;) {
      report = (await fleet.request({ type: 'report' }, 'report')).report;
      const unique = new Set(report.received.map(([index, id]) => `${index} ${id}`)).size;
      if (unique >= expectedPairs || Date.now() - sentAt > DRAIN_DEADLINE_MS) break;
      await sleep(1_000);
    }
    const deliveredAt = Date.now();
    const end = (await stackHost.request({ type: 'memory', collect: true }, 'memory')).sample;
    samples.push({ label: 'end', sample: end });
    const stats: HostStats = (await stackHost.request({ type: 'stats' }, 'stats')).stats;
    const depths: Record<string, number> = {};
    for (const [name, QueueUrl] of Object.entries(endpoints.queues)) {
      const { Attributes = {} } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
      );
      depths[name] = Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible) + Number(Attributes.ApproximateNumberOfMessagesDelayed);
    }
    await fleet.request({ type: 'close' }, 'closed');
    await stackHost.request({ type: 'close' }, 'closed', 60_000);
    const finishedAt = Date.now();

    // Assess
    const byPair = new Map<string, number>();
    const wrongUser: string[] = [];
    for (const [index, id] of report.received) {
      byPair.set(`${index} ${id}`, (byPair.get(`${index} ${id}`) ?? 0) + 1);
      const n = Number(id.replace('load-', ''));
      if (userOfNotification(n) !== userOfConnection(index, USERS)) wrongUser.push(`connection ${index} got ${id}`);
    }
    let lost = 0;
    for (let n = 0; n < total; n += 1) {
      const user = userOfNotification(n);
      for (let k = 0; k < CONNECTIONS_PER_USER; k += 1) if (!byPair.has(`${user + k * USERS} load-${n}`)) lost += 1;
    }
    const duplicates = report.received.length - byPair.size;
    const warmSample = warm ?? afterConnect;
    const rssGrowth = growth(warmSample.rss, end.rss);
    const heapGrowth = growth(warmSample.heapUsed, end.heapUsed);
    const externalGrowth = growth(warmSample.external, end.external);

    process.stdout.write(
      [
        `Load run: ${CONNECTIONS} connections (${USERS} users × ${CONNECTIONS_PER_USER}), ${NOTIFICATIONS_PER_MINUTE} notifications/min, ${WARM_UP_MS / 1000} s warm-up + ${MEASURED_MS / 1000} s measured`,
        `  connections: ${connected.open} opened in ${(connected.durationMs / 1000).toFixed(1)} s, ${connected.failed} failed, ${report.open} still open at the end`,
        `  notifications: ${total} sent, ${expectedPairs} deliveries expected, ${byPair.size} delivered, ${duplicates} duplicated, ${lost} lost, ${wrongUser.length} to the wrong user`,
        `  stack: ${stats.invocations} invocations, ${Object.values(stats.invocationErrors).reduce((a, b) => a + b, 0)} errors; batches ${JSON.stringify(stats.batches)}; ${stats.deliveredPosts} posts; ${stats.expiredItemsDeleted} expired items deleted; handshakes ${JSON.stringify(stats.handshakes)}; ${stats.disconnects} disconnects; ${stats.errorLines} warn/error log lines; queues ${JSON.stringify(depths)}`,
        '  memory of the stack process ((GC): after two full collections of the main thread):',
        ...samples.map(({ label, sample }) => describeSample(label, sample)),
        `  growth after warm-up: RSS ${(rssGrowth * 100).toFixed(1)} %, heap ${(heapGrowth * 100).toFixed(1)} %, external ${(externalGrowth * 100).toFixed(1)} % (limit ${MAX_GROWTH * 100} %; function workers ${warmSample.workers} → ${end.workers})`,
        `  time: start + connect ${((flowStartedAt - startedAt) / 1000).toFixed(1)} s, flow ${((sentAt - flowStartedAt) / 1000).toFixed(1)} s, drain ${((deliveredAt - sentAt) / 1000).toFixed(1)} s, whole test ${((finishedAt - startedAt) / 1000).toFixed(1)} s`,
        '',
      ].join('\n'),
    );

    expect(connected).toMatchObject({ open: CONNECTIONS, failed: 0 });
    expect(report.errors).toEqual([]);
    expect(report.open).toBe(CONNECTIONS);
    expect(report.unexpectedFrames).toBe(0);
    expect(wrongUser).toEqual([]);
    expect(lost).toBe(0);
    expect(stats.handshakes).toEqual({ connected: CONNECTIONS });
    expect(stats.invocationErrors).toEqual({});
    expect(stats.batches.partial + stats.batches.failure).toBe(0);
    expect(stats.deleteFailures).toBe(0);
    expect(stats.gatewayWarnings).toBe(0);
    expect(stats.errorSamples).toEqual([]);
    expect(stats.disconnects).toBe(0);
    expect(Object.entries(depths).filter(([, depth]) => depth !== 0)).toEqual([]);
    // The inbox's notifications past retention were deleted as the run went (all but the last ~25 s).
    expect(stats.expiredItemsDeleted).toBeGreaterThan(total / 2);
    expect(end.connections).toBe(CONNECTIONS);
    // The RSS comparison holds the instances constant (see stack-host.ts).
    expect(end.workers).toBe(warmSample.workers);
    expect(rssGrowth).toBeLessThan(MAX_GROWTH);
    expect(heapGrowth).toBeLessThan(MAX_GROWTH);
    // Buffers live outside the V8 heap: a store iterator dynalite never closed leaked them here, and
    // so did stored keys that each kept an 8 KiB chunk of Node's buffer pool alive (dynamodb-engine.ts).
    expect(externalGrowth).toBeLessThan(MAX_GROWTH);
  });
});

