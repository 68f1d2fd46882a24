/**
 * Faults injected into DynamoDB and the Management API during a notification run lose nothing,
 * and nothing is dropped silently (docs/reliability.md): the local stack (mode authorizer) with 20 % of the
 * DynamoDB, SQS (the functions' and this test's own calls; the queue pollers are exempt) and
 * Management API calls failing with throttling or 5xx errors. 200 real `ws` clients (50 users × 4
 * connections) receive 2,000 notifications sent through the unmodified SQS client to NotifyUser,
 * with 20 poison messages mixed in. Every notification reaches every connection of its user at
 * least once, every copy carries the notification's id, and exactly the poison messages end in the
 * dead-letter queues.
 */
import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import type { PollerBatchEvent } from '../../src/local/pollers/poller-events';
import type { FaultCounts } from '../../src/local/services/fault-injection';
import { startTestStack, type TestStack } from '../helpers/local-stack';
import { HandshakeRejectedError, sleep, type TestClient } from '../helpers/ws-client';

const FAULT_RATE = 0.2;
const USERS = 50;
const CONNECTIONS_PER_USER = 4;
const NOTIFICATIONS = 2_000;
/** Every fifth notification carries its own `id`; the others are identified by their queue message id. */
const GIVEN_ID_EVERY = 5;
/** A client that keeps retrying, as an application calling SQS under throttling does. */
const CLIENT_MAX_ATTEMPTS = 10;
/** Concurrent senders, and clients connecting at once. */
const SENDERS = 4;
const CONNECTING_AT_ONCE = 20;
/**
 * Queue visibility timeout for the run. The stack keeps it at 6× the consumers' timeout so that a
 * batch never outlives it; under 20 % faults the SDK's own retries (throttling backs off up to 1 s,
 * then 2 s) over NotifyUser's inbox writes and reads make a batch last up to ~12 s here, so a
 * shorter one would have every slow batch received again while it runs (each receive counts toward
 * the DLQ's 5, and its poison messages are dead-lettered twice). 30 s keeps that invariant with room
 * and still retries a failed record within a minute.
 */
const VISIBILITY_TIMEOUT_SECONDS = 30;
/**
 * Lambda scales a queue mapping up while a backlog lasts; locally a function runs at most
 * min(10, CPUs + 1) instances unless told otherwise. Under faults a batch spends most of its time
 * in SDK back-off, not on a CPU, so more instances and concurrent batches keep the run short
 * without changing what is tested.
 */
const FUNCTION_CONCURRENCY = 20;
/** How long the run may take before the test gives up and reports what is missing (not a speed check). */
const DELIVERY_DEADLINE_MS = 300_000;

interface Connection {
  readonly userId: string;
  readonly connectionId: string;
  readonly client: TestClient;
  /** Notification frames received, in order. */
  readonly frames: { id: unknown; data: { seq?: unknown; userId?: unknown } }[];
}

interface Poison {
  readonly queue: 'NotifyUser' | 'NotifyConnection';
  readonly body: string;
  readonly reason: 'invalid_json' | 'invalid_body' | 'payload_too_large';
}

const userIdOf = (index: number): string => `reliability-user-${index}`;
const tooLargeData = 'x'.repeat(140_000);

/** 12 poison messages for NotifyUser and 8 for NotifyConnection: each can never succeed. */
function poisonMessages(): Poison[] {
  const user = userIdOf(0);
  return [
    { queue: 'NotifyUser', body: '{not json', reason: 'invalid_json' },
    { queue: 'NotifyUser', body: '{"userId":"u","data":}', reason: 'invalid_json' },
    { queue: 'NotifyUser', body: 'undefined', reason: 'invalid_json' },
    { queue: 'NotifyUser', body: "{'userId':'u'}", reason: 'invalid_json' },
    { queue: 'NotifyUser', body: '{"data":{"seq":-1}}', reason: 'invalid_body' },
    { queue: 'NotifyUser', body: '{"userId":42,"data":1}', reason: 'invalid_body' },
    { queue: 'NotifyUser', body: '{"userId":"","data":1}', reason: 'invalid_body' },
    { queue: 'NotifyUser', body: '[{"userId":"u","data":1}]', reason: 'invalid_body' },
    { queue: 'NotifyUser', body: JSON.stringify({ userId: user, data: tooLargeData }), reason: 'payload_too_large' },
    { queue: 'NotifyUser', body: JSON.stringify({ userId: user, data: { blob: tooLargeData }, id: 'big-1' }), reason: 'payload_too_large' },
    { queue: 'NotifyUser', body: JSON.stringify({ userId: 'nobody', data: tooLargeData }), reason: 'payload_too_large' },
    { queue: 'NotifyUser', body: JSON.stringify({ userId: user, data: [tooLargeData] }), reason: 'payload_too_large' },
    { queue: 'NotifyConnection', body: '}{', reason: 'invalid_json' },
    { queue: 'NotifyConnection', body: '{"connectionId":"abc=","data":', reason: 'invalid_json' },
    { queue: 'NotifyConnection', body: 'NaN', reason: 'invalid_json' },
    { queue: 'NotifyConnection', body: '{"data":"no connection"}', reason: 'invalid_body' },
    { queue: 'NotifyConnection', body: '{"connectionId":["abc="],"data":1}', reason: 'invalid_body' },
    { queue: 'NotifyConnection', body: '{"connectionId":"abc=","data":1,"id":7}', reason: 'invalid_body' },
    { queue: 'NotifyConnection', body: JSON.stringify({ connectionId: 'abc=', data: tooLargeData }), reason: 'payload_too_large' },
    { queue: 'NotifyConnection', body: JSON.stringify({ connectionId: 'abc=', data: { blob: tooLargeData }, id: 'big-2' }), reason: 'payload_too_large' },
  ];
}

/** Retries a call of this test's own SDK clients that the faults made fail after the SDK's retries. */
async function persistently<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 10) throw new Error(`${what} kept failing: ${String(error)}`, { cause: error });
      await sleep(50 * attempt);
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function describeCounts(name: string, counts: FaultCounts): string {
  const operations = Object.entries(counts.byOperation)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');
  return `  ${name}: ${counts.injected} of ${counts.requests} calls faulted (throttle ${counts.byKind.throttle}, 5xx ${counts.byKind.server}; ${operations})`;
}

describe('Reliability: notifications under injected faults', () => {
  let t: TestStack;
  let sqs: SQSClient;
  const startedAt = Date.now();
  const batches: PollerBatchEvent[] = [];
  /** Function invocations started and ended (every function of the stack). */
  const invocations = { started: 0, ended: 0 };

  beforeAll(async () => {
    const faults = { rate: FAULT_RATE };
    t = await startTestStack({ stage: 'local', authMode: 'authorizer', visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS, functionConcurrency: FUNCTION_CONCURRENCY, maxInstancesPerFunction: FUNCTION_CONCURRENCY, faults: { dynamodb: faults, sqs: faults, management: faults } });
    sqs = new SQSClient({
      endpoint: t.stack.endpoints.sqsEndpoint ?? '',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: CLIENT_MAX_ATTEMPTS,
    });
    t.stack.onBatch((event) => batches.push(event));
    t.stack.onInvocation((event) => {
      invocations[event.type === 'start' ? 'started' : 'ended'] += 1;
    });
  });

  afterAll(async () => {
    sqs.destroy();
    await t.close();
  });

  /**
   * Connects as the user the way a real client would under faults: a handshake refused with a 5xx
   * (its $connect met a fault) is tried again, and so is a ping answered with an error.
   */
  async function connectUser(userId: string): Promise<Connection> {
    const token = await t.token(userId);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      let client: TestClient;
      try {
        client = await t.connect(`?token=${token}`);
      } catch (error) {
        if (error instanceof HandshakeRejectedError && error.status >= 500) continue;
        throw error;
      }
      for (let ping = 1; ping <= 10; ping += 1) {
        const reply = JSON.parse(await client.request(JSON.stringify({ action: 'ping' }), 10_000)) as { type?: string; connectionId?: string };
        if (reply.type === 'pong' && typeof reply.connectionId === 'string') {
          const connection: Connection = { userId, connectionId: reply.connectionId, client, frames: [] };
          client.socket.on('message', (data: Buffer) => {
            const frame = JSON.parse(data.toString()) as { type?: string; id?: unknown; data?: { seq?: unknown; userId?: unknown } };
            if (frame.type === 'notification') connection.frames.push({ id: frame.id, data: frame.data ?? {} });
          });
          return connection;
        }
      }
      client.socket.terminate();
    }
    throw new Error(`could not connect ${userId}`);
  }

  it('delivers every notification to every connection of its user, loses nothing, and dead-letters exactly the poison messages', async () => {
    // Prepare: 50 users × 4 authorized connections, made under faults by a few clients at a time.
    const connections: Connection[] = [];
    const toConnect = Array.from({ length: USERS * CONNECTIONS_PER_USER }, (_, index) => userIdOf(index % USERS));
    await Promise.all(
      Array.from({ length: CONNECTING_AT_ONCE }, async () => {
        for (let userId = toConnect.shift(); userId !== undefined; userId = toConnect.shift()) connections.push(await connectUser(userId));
      }),
    );
    const connectedAt = Date.now();
    // Connecting drained the route responses: from here on, only notifications arrive.
    for (const connection of connections) expect(connection.client.pending).toEqual([]);
    const queues = t.stack.endpoints.queues;
    const poison = poisonMessages();
    const poisonIds = new Map<string, Poison>();
    const expectedId = new Map<number, string>();
    const runStartedAt = Date.now();

    // Act: 2,000 notifications in SendMessageBatch requests of 10, a poison message after every 100th,
    // sent by a few concurrent senders as an application would.
    const tasks: (() => Promise<void>)[] = [];
    for (let first = 0; first < NOTIFICATIONS; first += 10) {
      const batch = Array.from({ length: 10 }, (_, i) => first + i).map((seq) => {
        const userId = userIdOf(seq % USERS);
        const body = { userId, data: { seq, userId }, ...(seq % GIVEN_ID_EVERY === 0 ? { id: `notification-${seq}` } : {}) };
        return { Id: String(seq), MessageBody: JSON.stringify(body) } satisfies SendMessageBatchRequestEntry;
      });
      tasks.push(async () => {
        let pending = batch;
        while (pending.length > 0) {
          const output = await persistently('SendMessageBatch', () => sqs.send(new SendMessageBatchCommand({ QueueUrl: queues.NotifyUser, Entries: pending })));
          for (const sent of output.Successful ?? []) {
            const seq = Number(sent.Id);
            expectedId.set(seq, seq % GIVEN_ID_EVERY === 0 ? `notification-${seq}` : (sent.MessageId ?? ''));
          }
          const failed = new Set((output.Failed ?? []).map((failure) => failure.Id));
          pending = pending.filter((entry) => failed.has(entry.Id));
        }
      });
      const next = poison[first / 100];
      if (first % 100 === 0 && next !== undefined) {
        tasks.push(async () => {
          const sent = await persistently('SendMessage', () => sqs.send(new SendMessageCommand({ QueueUrl: queues[next.queue], MessageBody: next.body })));
          poisonIds.set(sent.MessageId ?? '', next);
        });
      }
    }
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        for (let task = tasks.shift(); task !== undefined; task = tasks.shift()) await task();
      }),
    );
    expect(expectedId.size).toBe(NOTIFICATIONS);
    expect(poisonIds.size).toBe(poison.length);

    // Wait until every (connection, notification) pair has arrived, or the deadline passes.
    const missing = (): number => {
      let count = 0;
      for (const connection of connections) {
        const seen = new Set(connection.frames.map((frame) => frame.data.seq));
        for (let seq = Number(connection.userId.split('-').pop()); seq < NOTIFICATIONS; seq += USERS) if (!seen.has(seq)) count += 1;
      }
      return count;
    };
    const deadline = Date.now() + DELIVERY_DEADLINE_MS;
    while (missing() > 0 && Date.now() < deadline) await sleep(250);
    const deliveredAt = Date.now();
    // Everything that was going to happen has happened once the work queues are empty.
    const depth = (name: string) => persistently(`depth of ${name}`, () => t.queueDepth(name));
    while ((await depth('NotifyUser')) + (await depth('NotifyConnection')) > 0 && Date.now() < deadline) await sleep(250);
    // And once no function invocation is under way (a $disconnect, a last PostToConnection).
    while (invocations.started > invocations.ended && Date.now() < deadline) await sleep(50);
    const counts = t.stack.faultCounts();
    t.stack.dynamodb.faults.set(undefined);
    t.stack.sqs.faults.set(undefined);
    t.stack.gateway.faults.set(undefined);

    // Assess: nothing lost, nothing delivered to the wrong user, every copy under its notification's id.
    const expectedPairs = NOTIFICATIONS * CONNECTIONS_PER_USER;
    let delivered = 0;
    let duplicates = 0;
    const wrong: string[] = [];
    for (const connection of connections) {
      const copies = new Map<number, number>();
      for (const frame of connection.frames) {
        const seq = Number(frame.data.seq);
        if (frame.data.userId !== connection.userId) wrong.push(`${connection.connectionId} got ${JSON.stringify(frame)}`);
        else if (frame.id !== expectedId.get(seq)) wrong.push(`${connection.connectionId} got seq ${seq} as id ${String(frame.id)}, expected ${expectedId.get(seq)}`);
        copies.set(seq, (copies.get(seq) ?? 0) + 1);
      }
      delivered += copies.size;
      for (const count of copies.values()) duplicates += count - 1;
    }
    const lost = missing();

    // The dead-letter queues hold exactly the poison messages, each with its reason. A message is
    // identified by the `sourceMessageId` its consumer copied it with: SQS is at-least-once, so a
    // batch that outlives its visibility timeout (a starved CPU can stretch one) is received again and
    // its poison message copied again; such a copy is the same message, not another one.
    const deadLetterCopies: { source: string | undefined; queue: string; reason: string | undefined; body: string | undefined }[] = [];
    for (const queue of ['NotifyUser', 'NotifyConnection'] as const) {
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queues[`${queue}DeadLetter`], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }),
        );
        if (Messages.length === 0) break;
        for (const message of Messages) {
          const attributes = message.MessageAttributes ?? {};
          deadLetterCopies.push({ source: attributes.sourceMessageId?.StringValue, queue, reason: attributes.reason?.StringValue, body: message.Body });
        }
      }
    }
    const deadLettered = new Set(deadLetterCopies.map((copy) => copy.source));
    const authorizeDeadLetters = await t.queueDepth('AuthorizeDeadlineDeadLetter');
    const outcomes = { success: 0, partial: 0, failure: 0 };
    for (const batch of batches) outcomes[batch.outcome] += 1;
    const retriedRecords = batches.reduce((sum, batch) => sum + batch.failedMessageIds.length, 0);
    const finishedAt = Date.now();

    process.stdout.write(
      [
        `Reliability run (faults ${FAULT_RATE * 100} % per service; queue pollers exempt):`,
        describeCounts('dynamodb', counts.dynamodb),
        describeCounts('sqs', counts.sqs),
        describeCounts('management', counts.management),
        `  notifications sent: ${NOTIFICATIONS} to ${USERS} users × ${CONNECTIONS_PER_USER} connections = ${expectedPairs} deliveries expected, plus ${poison.length} poison messages`,
        `  delivered: ${delivered}, duplicated copies: ${duplicates}, lost: ${lost}, wrong user or id: ${wrong.length}`,
        `  batches: ${batches.length} (${outcomes.success} complete, ${outcomes.partial} partial with ${retriedRecords} records retried, ${outcomes.failure} failed)`,
        `  batch durations: median ${median(batches.map((batch) => batch.durationMs)).toFixed(0)} ms, longest ${Math.max(...batches.map((batch) => batch.durationMs)).toFixed(0)} ms (visibility timeout ${VISIBILITY_TIMEOUT_SECONDS} s)`,
        `  dead-letter queues: ${deadLettered.size} messages in ${deadLetterCopies.length} copies (NotifyUser ${deadLetterCopies.filter((copy) => copy.queue === 'NotifyUser').length}, NotifyConnection ${deadLetterCopies.filter((copy) => copy.queue === 'NotifyConnection').length}, AuthorizeDeadline ${authorizeDeadLetters})`,
        `  time: stack start + ${connections.length} connections ${((connectedAt - startedAt) / 1000).toFixed(1)} s, send + delivery ${((deliveredAt - runStartedAt) / 1000).toFixed(1)} s, whole test ${((finishedAt - startedAt) / 1000).toFixed(1)} s`,
        '',
      ].join('\n'),
    );

    expect(wrong).toEqual([]);
    expect(lost).toBe(0);
    expect(delivered).toBe(expectedPairs);
    expect(deadLettered).toEqual(new Set(poisonIds.keys()));
    for (const copy of deadLetterCopies) {
      const sent = poisonIds.get(copy.source ?? '');
      expect({ source: copy.source, queue: copy.queue, reason: copy.reason, body: copy.body }).toEqual({ source: copy.source, queue: sent?.queue, reason: sent?.reason, body: sent?.body });
    }
    expect(authorizeDeadLetters).toBe(0);
    // Faults are handled record by record (partial batch responses); no invocation failed as a whole.
    expect(outcomes.failure).toBe(0);
    expect(await t.queueDepth('NotifyUser')).toBe(0);
    expect(await t.queueDepth('NotifyConnection')).toBe(0);
    // The faults did happen, in every service.
    expect(counts.dynamodb.injected).toBeGreaterThan(0);
    expect(counts.sqs.injected).toBeGreaterThan(0);
    expect(counts.management.injected).toBeGreaterThan(0);
  }, 420_000);
});
