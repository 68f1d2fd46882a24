/**
 * `npm run test:load`: reliable delivery under every production behaviour at once. 50 users hold 2
 * connections each (mode `authorizer`) on a stack whose user index lags, whose event source mappings
 * get duplicate messages, whose `$disconnect`s are sometimes dropped, whose DynamoDB and Management
 * API calls fail 10 % of the time, and whose connections last at most a few seconds. Connections are
 * also cut at random through the Management API DELETE. 1,000 notifications go to NotifyUser.
 *
 * Each client follows the protocol by hand (docs/protocol.md, "The cursor"): it reconnects at once
 * whenever its connection closes and resumes from its cursor, the `seq` up to which it holds every
 * notification; it keeps one copy per `id`. The test ends when every client holds every notification
 * of its user; it then checks that none holds another user's, that the inbox stored each notification
 * once, that every client agrees on each notification's `seq`, and prints the figures.
 *
 * Chaos is paced by events, not by time: a live notification received triggers, now and then, the
 * DELETE of a random open connection. The only timer is the deadline after which the test reports
 * what is missing (a guard, not a speed check).
 */
import { DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { WebSocket } from 'ws';
import { startTestStack, type TestStack } from '../helpers/local-stack';

const USERS = 50;
const CONNECTIONS_PER_USER = 2;
const NOTIFICATIONS = 1_000;
const INDEX_LAG_MS = 1_000;
const SQS_DUPLICATE_RATE = 0.1;
const DROP_DISCONNECT_RATE = 0.2;
const FAULT_RATE = 0.1;
const MAX_CONNECTION_DURATION_SECONDS = 5;
/** Chance that a live notification received triggers the DELETE of a random open connection. */
const DELETE_CHANCE = 0.03;
/**
 * Retries of a queue message come after this many seconds instead of the template's minutes: the
 * consumers' function timeout, the least AWS allows (a shorter one lets a slow batch be received
 * again while it still runs, and a copy can reach the DLQ without ever failing).
 */
const VISIBILITY_TIMEOUT_SECONDS = 20;
/** How long the run may take before the test reports what is missing (not a speed check). */
const DEADLINE_MS = 420_000;
/**
 * After refused handshakes a client backs off exponentially with jitter before it tries again, as
 * any client should (from 100 ms, at most 3 s): retrying at once keeps the stack's handshake queue
 * past API Gateway's 29 s integration timeout on a busy machine, and every handshake then fails.
 */
const REFUSED_BACKOFF_MS = 100;
const MAX_REFUSED_BACKOFF_MS = 3_000;
const SEND_BATCH = 10;
/**
 * Handshakes in flight at once across the clients (as a page's clients are spread in time): more
 * queue in the stack's authorizer and `$connect` functions past API Gateway's 29 s integration
 * timeout on a busy 2-CPU machine, and a timed-out handshake still occupies its instance.
 */
const HANDSHAKES_AT_ONCE = 8;

/** A counting semaphore for the handshakes. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  take(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  give(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free += 1;
  }
}
const handshakeSlots = new Slots(HANDSHAKES_AT_ONCE);

const userIdOf = (user: number): string => `chaos-user-${user}`;
const userOfNotification = (n: number): number => n % USERS;
const notificationId = (n: number): string => `chaos-${n}`;

interface Figures {
  liveFrames: number;
  replayedFrames: number;
  duplicatesDropped: number;
  wrongUser: number;
  unexpected: string[];
  handshakes: number;
  refusedHandshakes: number;
  /** Refused handshakes by status and body. */
  refusals: Record<string, number>;
  closes: number;
  resumes: number;
  resumeRetries: number;
  deletes: number;
  deleteFailures: number;
}

/** One client of one user, following the protocol by hand. */
class ChaosClient {
  readonly held = new Map<string, number>();
  #cursor = 0;
  #lastReplayed: number | undefined;
  #socket: WebSocket | undefined;
  #connectionId: string | undefined;
  #stopped = false;
  #refusedInARow = 0;
  #resumedOnce: () => void = () => undefined;
  /** Resolves on the first `resumed` frame of the client's life. */
  readonly resumedOnce = new Promise<void>((resolve) => (this.#resumedOnce = resolve));

  constructor(
    readonly userId: string,
    readonly expected: ReadonlySet<string>,
    private readonly url: string,
    private readonly figures: Figures,
    private readonly onLive: () => void,
    private readonly onProgress: () => void,
  ) {}

  get complete(): boolean {
    return this.held.size === this.expected.size;
  }

  /** The id of the open connection, once a pong has told it. */
  get connectionId(): string | undefined {
    return this.#socket?.readyState === WebSocket.OPEN ? this.#connectionId : undefined;
  }

  connect(): void {
    void handshakeSlots.take().then(() => this.#open());
  }

  #open(): void {
    if (this.#stopped) return handshakeSlots.give();
    this.figures.handshakes += 1;
    this.#connectionId = undefined;
    this.#lastReplayed = undefined;
    const socket = new WebSocket(this.url);
    this.#socket = socket;
    let refused = false;
    let slotHeld = true;
    const releaseSlot = (): void => {
      if (!slotHeld) return;
      slotHeld = false;
      handshakeSlots.give();
    };
    socket.on('unexpected-response', (_request, response) => {
      refused = true;
      this.figures.refusedHandshakes += 1;
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        const key = `${response.statusCode ?? 0} ${body.slice(0, 80)}`;
        this.figures.refusals[key] = (this.figures.refusals[key] ?? 0) + 1;
        socket.terminate();
      });
    });
    socket.on('error', () => undefined);
    socket.on('open', () => {
      releaseSlot();
      this.#refusedInARow = 0;
      socket.send(JSON.stringify({ action: 'ping' }));
      this.#resume(socket);
    });
    socket.on('message', (data: Buffer) => this.#receive(socket, data.toString()));
    socket.on('close', () => {
      releaseSlot();
      if (this.#stopped) return;
      this.figures.closes += 1;
      if (!refused) return this.connect();
      this.#refusedInARow += 1;
      const backoff = Math.min(MAX_REFUSED_BACKOFF_MS, REFUSED_BACKOFF_MS * 2 ** (this.#refusedInARow - 1));
      setTimeout(() => this.connect(), backoff * (0.5 + Math.random() / 2));
    });
  }

  stop(): Promise<void> {
    this.#stopped = true;
    const socket = this.#socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'chaos test over');
    });
  }

  #resume(socket: WebSocket): void {
    this.figures.resumes += 1;
    socket.send(JSON.stringify({ action: 'resume', after: this.#cursor }));
  }

  #receive(socket: WebSocket, text: string): void {
    const frame = JSON.parse(text) as Record<string, unknown>;
    switch (frame.type) {
      case 'pong':
        this.#connectionId = String(frame.connectionId);
        return;
      case 'notification':
        this.#notification(frame);
        return;
      case 'resumed':
        this.#resumedOnce();
        if (frame.more === true && this.#lastReplayed !== undefined) {
          this.#cursor = this.#lastReplayed;
          this.#lastReplayed = undefined;
          this.#resume(socket);
        } else {
          this.#cursor = Math.max(this.#cursor, Number(frame.latest));
        }
        return;
      case 'error':
        if (frame.code === 'internal_error') {
          this.figures.resumeRetries += 1;
          this.#resume(socket);
          return;
        }
        break;
      default:
        break;
    }
    this.figures.unexpected.push(`${this.userId}: ${text.slice(0, 200)}`);
  }

  #notification(frame: Record<string, unknown>): void {
    const id = String(frame.id);
    const seq = Number(frame.seq);
    const replayed = frame.replayed === true;
    if (replayed) {
      this.figures.replayedFrames += 1;
      this.#lastReplayed = seq;
    } else {
      this.figures.liveFrames += 1;
      if (seq === this.#cursor + 1) this.#cursor = seq;
      this.onLive();
    }
    if (!this.expected.has(id)) {
      this.figures.wrongUser += 1;
      return;
    }
    if (this.held.has(id)) {
      this.figures.duplicatesDropped += 1;
      return;
    }
    this.held.set(id, seq);
    this.onProgress();
  }
}

/** The user's inbox items (notifications and tombstones), read strongly consistently. */
async function inboxNotifications(dynamodb: DynamoDBClient, tableName: string, userId: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const output = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'userId = :u AND begins_with(sk, :n)',
        ExpressionAttributeValues: { ':u': { S: userId }, ':n': { S: 'n#' } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(output.Items ?? []));
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

describe('Chaos: every notification reaches every client of its user exactly once, whatever AWS does', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({
      stage: 'local',
      authMode: 'authorizer',
      indexLagMs: INDEX_LAG_MS,
      sqsDuplicates: { rate: SQS_DUPLICATE_RATE },
      dropDisconnects: { rate: DROP_DISCONNECT_RATE },
      faults: { dynamodb: { rate: FAULT_RATE }, management: { rate: FAULT_RATE } },
      maxConnectionDurationSeconds: MAX_CONNECTION_DURATION_SECONDS,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('loses nothing and delivers nothing to the wrong user', async () => {
    // Prepare: the clients, each resumed once before the first notification is sent.
    const started = performance.now();
    const figures: Figures = {
      liveFrames: 0,
      replayedFrames: 0,
      duplicatesDropped: 0,
      wrongUser: 0,
      unexpected: [],
      handshakes: 0,
      refusedHandshakes: 0,
      refusals: {},
      closes: 0,
      resumes: 0,
      resumeRetries: 0,
      deletes: 0,
      deleteFailures: 0,
    };
    const expected = Array.from({ length: USERS }, () => new Set<string>());
    for (let n = 0; n < NOTIFICATIONS; n += 1) expected[userOfNotification(n)]?.add(notificationId(n));
    const clients: ChaosClient[] = [];
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    let completeClients = 0;
    const deleteRandomConnection = (): void => {
      const open = clients.map((client) => client.connectionId).filter((id): id is string => id !== undefined);
      const connectionId = open[Math.floor(Math.random() * open.length)];
      if (connectionId === undefined) return;
      figures.deletes += 1;
      t.management.send(new DeleteConnectionCommand({ ConnectionId: connectionId })).catch(() => (figures.deleteFailures += 1));
    };
    for (let user = 0; user < USERS; user += 1) {
      const token = await t.token(userIdOf(user));
      for (let slot = 0; slot < CONNECTIONS_PER_USER; slot += 1) {
        const client: ChaosClient = new ChaosClient(
          userIdOf(user),
          expected[user] ?? new Set(),
          `${t.stack.endpoints.websocketUrl}?token=${token}`,
          figures,
          () => {
            if (Math.random() < DELETE_CHANCE) deleteRandomConnection();
          },
          () => {
            if (!client.complete) return;
            completeClients += 1;
            if (completeClients === clients.length) resolveDone();
          },
        );
        clients.push(client);
      }
    }
    let deadline: NodeJS.Timeout | undefined;
    const deadlineReached = new Promise<false>((resolve) => (deadline = setTimeout(() => resolve(false), DEADLINE_MS)));
    for (const client of clients) client.connect();
    await Promise.race([Promise.all(clients.map((client) => client.resumedOnce)), deadlineReached]);

    // Act: 1,000 notifications, 10 a request, with ids of their own.
    const queueUrl = t.stack.endpoints.queues.NotifyUser;
    for (let first = 0; first < NOTIFICATIONS; first += SEND_BATCH) {
      const entries = Array.from({ length: SEND_BATCH }, (_, offset) => first + offset).map((n) => ({
        Id: String(n),
        MessageBody: JSON.stringify({ userId: userIdOf(userOfNotification(n)), id: notificationId(n), data: { n } }),
      }));
      const output = await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      expect(output.Failed ?? []).toEqual([]);
    }
    const finished = await Promise.race([done.then(() => true), deadlineReached]);
    clearTimeout(deadline);
    clearTimeout(deadline);
    await Promise.all(clients.map((client) => client.stop()));
    const elapsedMs = performance.now() - started;

    // Assess
    const inboxTable = Object.values(t.stack.dynamodb.tables).find((table) => table.logicalId.includes('Inbox'));
    if (inboxTable === undefined) throw new Error('no Inbox table in the template');
    // The test's reads meet the injected faults too: enough retries that they always succeed.
    const reader = new DynamoDBClient({ endpoint: t.stack.endpoints.dynamodbEndpoint ?? '', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 20 });
    let stored = 0;
    let tombstones = 0;
    const storedSeq = new Map<string, number>();
    for (let user = 0; user < USERS; user += 1) {
      for (const item of await inboxNotifications(reader, inboxTable.tableName, userIdOf(user))) {
        if (item.tombstone?.BOOL === true) {
          tombstones += 1;
          continue;
        }
        stored += 1;
        storedSeq.set(item.id?.S ?? '', Number(item.seq?.N));
      }
    }
    reader.destroy();
    const lost = clients.reduce((sum, client) => sum + (client.expected.size - client.held.size), 0);
    const incomplete = clients.filter((client) => !client.complete);
    const missingIds = new Set(incomplete.flatMap((client) => [...client.expected].filter((id) => !client.held.has(id))));
    const seqMismatches = clients.flatMap((client) => [...client.held].filter(([id, seq]) => storedSeq.get(id) !== seq).map(([id]) => `${client.userId} ${id}`));
    const inboxDuplicates = t.logs.filter((entry) => entry.name === 'NotifyUser' && entry.line.includes('"duplicate":true')).length;
    const faults = t.stack.faultCounts();
    const lag = t.stack.dynamodb.indexLag.counts();
    const copies = t.stack.sqs.duplicates.counts();
    const drops = t.stack.gateway.disconnectDrops.counts();
    process.stdout.write(
      [
        `Chaos: ${USERS} users x ${CONNECTIONS_PER_USER} connections, ${NOTIFICATIONS} notifications, ${(elapsedMs / 1000).toFixed(1)} s${finished ? '' : ' (deadline reached)'}`,
        `  sent ${NOTIFICATIONS}, stored ${stored} (+ ${tombstones} tombstones), stores that found their id already stored (SQS copies and retries) ${inboxDuplicates}`,
        `  delivered live ${figures.liveFrames}, replayed ${figures.replayedFrames}, duplicates dropped ${figures.duplicatesDropped}, lost ${lost}, to the wrong user ${figures.wrongUser}`,
        `  handshakes ${figures.handshakes} (refused ${figures.refusedHandshakes}: ${JSON.stringify(figures.refusals)}), closes ${figures.closes}, resumes ${figures.resumes} (after internal_error ${figures.resumeRetries}), DELETEs ${figures.deletes} (failed ${figures.deleteFailures})`,
        `  index lag: ${lag.delayed} writes delayed; SQS duplicates: ${copies.drawn} drawn, ${copies.concurrent + copies.later} copies; $disconnect dropped ${drops.dropped} of ${drops.drawn}`,
        `  faults injected: DynamoDB ${faults.dynamodb.injected} of ${faults.dynamodb.requests}, Management API ${faults.management.injected} of ${faults.management.requests}`,
        ...(incomplete.length === 0 ? [] : [`  incomplete clients ${incomplete.length}; ids missing ${missingIds.size} (stored: ${[...missingIds].filter((id) => storedSeq.has(id)).length}), e.g. ${[...missingIds].slice(0, 5).join(', ')}`]),
        '',
      ].join('\n'),
    );
    expect(finished).toBe(true);
    expect(lost).toBe(0);
    expect(figures.wrongUser).toBe(0);
    expect(figures.unexpected).toEqual([]);
    expect(stored).toBe(NOTIFICATIONS);
    expect(seqMismatches).toEqual([]);
    expect(await t.queueDepth('NotifyUserDeadLetter')).toBe(0);
    expect(await t.queueDepth('NotifyConnectionDeadLetter')).toBe(0);
    // The behaviours did happen.
    expect(lag.delayed).toBeGreaterThan(0);
    expect(copies.concurrent + copies.later).toBeGreaterThan(0);
    expect(drops.dropped).toBeGreaterThan(0);
    expect(faults.dynamodb.injected).toBeGreaterThan(0);
    expect(faults.management.injected).toBeGreaterThan(0);
    expect(figures.deletes).toBeGreaterThan(0);
  });
});
