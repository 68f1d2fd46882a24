/**
 * The inbox store against a real DynamoDB API (dynalite, in this process, on a loopback port): the
 * table is created here with its local secondary index, as docs/architecture.md "Inbox" describes
 * it. Concurrent stores for one user, with repeated ids, each through its own InboxStore (as
 * separate function instances would), while an observer keeps reading the user's partition: every
 * id gets exactly one `seq`, distinct ids never share one, and the `seq`s visible at any moment are
 * 1…M with none missing, so a notification only ever becomes visible after the one before it; and a
 * resume made meanwhile returns every notification up to the `latest` it reports.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import fc from 'fast-check';
import { InboxStore, type InboxStoreOptions } from '../../../src/commons/clients/inbox-store';
import type { InboxReplay } from '../../../src/commons/inbox';

const TABLE = 'ws-notify-test-Inbox';
const RETENTION_SECONDS = 3600;

/** Every notification item of the user (tombstones included), ascending. */
async function partition(client: DynamoDBClient, userId: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const output = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'userId = :userId AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':userId': { S: userId }, ':prefix': { S: 'n#' } },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(output.Items ?? []));
    ExclusiveStartKey = output.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return items;
}

const seqOf = (item: Record<string, AttributeValue>): number => Number(item.seq?.N);
const range = (count: number): number[] => Array.from({ length: count }, (_, index) => index + 1);

describe('Class: InboxStore (dynalite)', () => {
  let server: Server;
  let client: DynamoDBClient;
  let users = 0;
  const nextUser = (): string => `user-${++users}`;
  const store = (options: Partial<InboxStoreOptions> = {}): InboxStore =>
    new InboxStore({ client, tableName: TABLE, retentionSeconds: RETENTION_SECONDS, ...options });

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'userId', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'id', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        LocalSecondaryIndexes: [
          {
            IndexName: 'byId',
            KeySchema: [
              { AttributeName: 'userId', KeyType: 'HASH' },
              { AttributeName: 'id', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['storedAt'] },
          },
        ],
      }),
    );
  });

  afterAll(async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('gives every id exactly one seq under concurrent duplicate stores, and makes seqs visible only in order', async () => {
    let partialSnapshots = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { minLength: 2, maxLength: 10 }), async (ids) => {
        // Prepare: a fresh user; an observer that reads the partition until the stores are done.
        const userId = nextUser();
        const now = Date.now();
        let storing = true;
        const snapshots: number[][] = [];
        const replays: InboxReplay[] = [];
        const observe = async (): Promise<void> => {
          while (storing) {
            snapshots.push((await partition(client, userId)).map(seqOf));
            replays.push(await store().readAfter(userId, 0, now));
          }
        };
        const observer = observe();

        // Act: every store at once, each through its own InboxStore (as separate function instances).
        const settled = await Promise.allSettled(ids.map((id) => store().store({ userId, id, dataJson: JSON.stringify({ id }), storedAt: now })));
        storing = false;
        await observer;

        // Assess: every store succeeded; all stores of an id report the same seq, distinct ids distinct seqs.
        const results = settled.map((outcome) => {
          if (outcome.status === 'rejected') throw outcome.reason;
          return outcome.value;
        });
        const seqById = new Map<string, number>();
        ids.forEach((id, index) => {
          const { seq } = results[index]!;
          expect(seqById.get(id) ?? seq).toBe(seq);
          seqById.set(id, seq);
        });
        const distinct = [...seqById.values()];
        expect(new Set(distinct).size).toBe(distinct.length);

        // …the partition holds 1…M with no seq missing (tombstones included) and exactly one live copy per id…
        const items = await partition(client, userId);
        const stored = items.map(seqOf);
        expect(stored).toEqual(range(stored.length));
        const live = items.filter((item) => item.tombstone === undefined);
        expect(live.map((item) => [item.id?.S, seqOf(item)]).sort()).toEqual([...seqById.entries()].sort());
        for (const item of live) expect(item.data?.S).toBe(JSON.stringify({ id: item.id?.S }));

        // …at every moment, a seq was visible only with every seq below it…
        for (const snapshot of snapshots) expect(snapshot).toEqual(range(snapshot.length));
        partialSnapshots += snapshots.filter((snapshot) => snapshot.length > 0 && snapshot.length < stored.length).length;

        // …a resume made while storing returned every notification up to the latest it reported (and
        // possibly a second copy of an id, about to become a tombstone, which clients drop by id)…
        for (const during of replays) {
          const returned = during.notifications.map((notification) => [notification.seq, notification.id] as const);
          const kept = returned.filter(([seq, id]) => seqById.get(id) === seq);
          const expected = [...seqById.entries()].filter(([, seq]) => seq <= during.latest).map(([id, seq]) => [seq, id] as const);
          expect(kept).toEqual(expected.sort((a, b) => a[0] - b[0]));
          for (const [seq, id] of returned) expect(seq).toBeGreaterThanOrEqual(seqById.get(id)!);
        }

        // …a resume from 0 replays each id once, ascending, with its seq, and latest is the highest seq used.
        const replay = await store().readAfter(userId, 0, now);
        expect(replay.notifications.map((notification) => [notification.id, notification.seq])).toEqual(
          [...seqById.entries()].sort((a, b) => a[1] - b[1]),
        );
        expect(replay).toMatchObject({ latest: stored.length, more: false, truncated: false });

        // …and the next store takes a seq above all of them (none is reused).
        await expect(store().store({ userId, id: 'next', dataJson: '1', storedAt: now })).resolves.toEqual({ seq: stored.length + 1, duplicate: false });
      }),
      { numRuns: 12 },
    );
    // The observer really saw stores in progress.
    expect(partialSnapshots).toBeGreaterThan(0);
  }, 120_000);

  it('keeps the first seq of an id stored again later, and latest never goes down', async () => {
    // Prepare
    const userId = nextUser();
    const inbox = store();
    const now = Date.now();
    const first = await inbox.store({ userId, id: 'report-42', dataJson: '"first"', storedAt: now });
    await inbox.store({ userId, id: 'other', dataJson: '"other"', storedAt: now });

    // Act
    const again = await inbox.store({ userId, id: 'report-42', dataJson: '"second"', storedAt: now + 1000 });

    // Assess
    expect(first).toEqual({ seq: 1, duplicate: false });
    expect(again).toEqual({ seq: 1, duplicate: true });
    const replay = await inbox.readAfter(userId, 0, now + 2000);
    expect(replay.notifications.map((notification) => [notification.seq, notification.id, notification.dataJson])).toEqual([
      [1, 'report-42', '"first"'],
      [2, 'other', '"other"'],
    ]);
    expect(await inbox.latest(userId)).toBe(2);
  });

  it('never replays a notification past its retention and says the resume is truncated', async () => {
    // Prepare: seq 1 stored just over the retention ago, seq 2 just inside it.
    const userId = nextUser();
    const inbox = store();
    const now = Date.now();
    await inbox.store({ userId, id: 'old', dataJson: '1', storedAt: now - RETENTION_SECONDS * 1000 - 1 });
    await inbox.store({ userId, id: 'new', dataJson: '2', storedAt: now - RETENTION_SECONDS * 1000 + 1 });

    // Act
    const fromStart = await inbox.readAfter(userId, 0, now);
    const fromOne = await inbox.readAfter(userId, 1, now);

    // Assess
    expect(fromStart).toEqual({ notifications: [expect.objectContaining({ seq: 2, id: 'new' }) as unknown], latest: 2, more: false, truncated: true });
    expect(fromOne).toEqual({ notifications: [expect.objectContaining({ seq: 2, id: 'new' }) as unknown], latest: 2, more: false, truncated: false });
  });

  it('replays at most the limit per read and says more remain', async () => {
    // Prepare
    const userId = nextUser();
    const inbox = store();
    const now = Date.now();
    for (const index of range(5)) await inbox.store({ userId, id: `n${index}`, dataJson: String(index), storedAt: now });

    // Act
    const first = await inbox.readAfter(userId, 0, now, 3);
    const rest = await inbox.readAfter(userId, 3, now, 3);

    // Assess
    expect(first.notifications.map((notification) => notification.seq)).toEqual([1, 2, 3]);
    expect(first).toMatchObject({ latest: 5, more: true, truncated: false });
    expect(rest.notifications.map((notification) => notification.seq)).toEqual([4, 5]);
    expect(rest).toMatchObject({ latest: 5, more: false, truncated: false });
  });

  it('answers an empty inbox with latest 0, nothing more and nothing truncated', async () => {
    await expect(store().readAfter(nextUser(), 0, Date.now())).resolves.toEqual({ notifications: [], latest: 0, more: false, truncated: false });
  });

  it('keeps the recent-connection pointers next to the notifications, and reads only the unexpired ones', async () => {
    // Prepare
    const userId = nextUser();
    const inbox = store();
    const nowSeconds = Math.floor(Date.now() / 1000);
    await inbox.store({ userId, id: 'n', dataJson: '1', storedAt: Date.now() });
    await inbox.putRecentConnection({ userId, connectionId: 'fresh=', expiresAt: nowSeconds + 300 });
    await inbox.putRecentConnection({ userId, connectionId: 'stale=', expiresAt: nowSeconds - 1 });
    await inbox.putRecentConnection({ userId: nextUser(), connectionId: 'someone-else=', expiresAt: nowSeconds + 300 });

    // Act
    const pointers = await inbox.recentConnections(userId, Date.now());

    // Assess
    expect(pointers).toEqual([{ userId, connectionId: 'fresh=', expiresAt: nowSeconds + 300 }]);
    expect((await inbox.readAfter(userId, 0, Date.now())).notifications).toHaveLength(1);
  });
});
