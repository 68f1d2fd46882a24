/**
 * `indexLagMs` (`npm start -- --index-lag MS`) against the real embedded DynamoDB: every global
 * secondary index answers from the state as it was that long ago — after puts, updates, deletes
 * and batch writes alike — while the tables themselves and their local secondary indexes stay
 * consistent. Nothing is delayed without a lag.
 *
 * The lag runs on a clock the test advances (`indexLagClock`): the checks within the lag cannot be
 * outrun by it on a busy machine, and the test need not wait the lag out. The lag on the system
 * clock is test/unit/local/services/index-lag.test.ts's (fake timers) and
 * test/integration/reliability/lagging-index.test.ts's (the running stack).
 */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { EmbeddedDynamoDb } from '../../../src/local/services/embedded-dynamodb';
import type { IndexLagClock } from '../../../src/local/services/index-lag';
import type { TableModel } from '../../../src/local/template/stack-model';

/** The lag, on the test's clock. */
const LAG_MS = 5_000;

/** A clock that moves only when the test advances it; its timers run then, in the order they are due. */
class ManualClock implements IndexLagClock {
  #now = 0;
  #nextId = 0;
  readonly #timers = new Map<number, { readonly dueAt: number; readonly callback: () => void }>();

  readonly now = (): number => this.#now;
  readonly setTimeout = (callback: () => void, ms: number): unknown => {
    this.#nextId += 1;
    this.#timers.set(this.#nextId, { dueAt: this.#now + ms, callback });
    return this.#nextId;
  };
  readonly clearTimeout = (timer: unknown): void => {
    this.#timers.delete(timer as number);
  };

  /** Moves the clock on by `ms` and runs every timer now due. */
  advance(ms: number): void {
    this.#now += ms;
    for (const [id, timer] of [...this.#timers].sort(([, a], [, b]) => a.dueAt - b.dueAt)) {
      if (timer.dueAt > this.#now) break;
      this.#timers.delete(id);
      timer.callback();
    }
  }
}

/** The connections table: a global index by user, projecting `expiresAt`. */
const connectionsTable: TableModel = {
  logicalId: 'ConnectionsTable',
  name: 'Connections',
  partitionKey: { name: 'connectionId', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byUser',
      partitionKey: { name: 'userId', type: 'S' },
      sortKey: { name: 'connectionId', type: 'S' },
      projection: { type: 'INCLUDE', nonKeyAttributes: ['expiresAt'] },
    },
  ],
  localSecondaryIndexes: [],
};

/** The inbox table: a local index only. */
const inboxTable: TableModel = {
  logicalId: 'InboxTable',
  name: 'Inbox',
  partitionKey: { name: 'userId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [],
  localSecondaryIndexes: [
    {
      indexName: 'byId',
      partitionKey: { name: 'userId', type: 'S' },
      sortKey: { name: 'id', type: 'S' },
      projection: { type: 'KEYS_ONLY' },
    },
  ],
};

describe('Class: EmbeddedDynamoDb with an index lag', () => {
  let dynamodb: EmbeddedDynamoDb;
  let client: DynamoDBClient;
  let connections: string;
  let inbox: string;
  const clock = new ManualClock();

  const connection = (connectionId: string, userId: string, expiresAt: number): Record<string, AttributeValue> => ({
    connectionId: { S: connectionId },
    userId: { S: userId },
    expiresAt: { N: String(expiresAt) },
  });
  /** What the user index lists for the user: connection id → expiresAt. */
  const byUser = async (userId: string): Promise<Record<string, string | undefined>> => {
    const { Items = [] } = await client.send(
      new QueryCommand({ TableName: connections, IndexName: 'byUser', KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': { S: userId } } }),
    );
    return Object.fromEntries(Items.map((item) => [item.connectionId?.S ?? '', item.expiresAt?.N]));
  };
  const indexScan = async (): Promise<string[]> => {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: connections, IndexName: 'byUser' }));
    return Items.map((item) => `${item.userId?.S}/${item.connectionId?.S}`).sort();
  };
  const record = async (connectionId: string): Promise<string | undefined> => {
    const { Item } = await client.send(new GetItemCommand({ TableName: connections, Key: { connectionId: { S: connectionId } }, ConsistentRead: true }));
    return Item === undefined ? undefined : `${Item.userId?.S}/${Item.expiresAt?.N}`;
  };

  beforeAll(async () => {
    dynamodb = await EmbeddedDynamoDb.start({ tables: [connectionsTable, inboxTable], namePrefix: 'ws-notify-lag-', indexLagClock: clock });
    client = new DynamoDBClient(dynamodb.clientConfig);
    connections = dynamodb.tables.ConnectionsTable!.tableName;
    inbox = dynamodb.tables.InboxTable!.tableName;
  });

  afterAll(async () => {
    client.destroy();
    await dynamodb.close();
  });

  it('answers global-index reads from the state of the lag ago after puts, updates, deletes and batch writes, and delays nothing else', async () => {
    // Prepare: three connections, written with no lag; then the lag starts.
    for (const item of [connection('A', 'u1', 100), connection('B', 'u1', 100), connection('C', 'u2', 100)]) {
      await client.send(new PutItemCommand({ TableName: connections, Item: item }));
    }
    expect(await byUser('u1')).toEqual({ A: '100', B: '100' });
    dynamodb.indexLag.setLag(LAG_MS);
    const counted = dynamodb.indexLag.counts();

    // Act: a put, a delete, an update that moves C to another user and changes its projected
    // expiry, a batch write, and a write to a table with a local index only.
    await client.send(new PutItemCommand({ TableName: connections, Item: connection('D', 'u1', 200) }));
    await client.send(new DeleteItemCommand({ TableName: connections, Key: { connectionId: { S: 'B' } } }));
    await client.send(
      new UpdateItemCommand({
        TableName: connections,
        Key: { connectionId: { S: 'C' } },
        UpdateExpression: 'SET userId = :u, expiresAt = :e',
        ExpressionAttributeValues: { ':u': { S: 'u3' }, ':e': { N: '300' } },
      }),
    );
    await client.send(new BatchWriteItemCommand({ RequestItems: { [connections]: [{ PutRequest: { Item: connection('E', 'u1', 400) } }] } }));
    await client.send(new PutItemCommand({ TableName: inbox, Item: { userId: { S: 'u1' }, sk: { S: 'n#1' }, id: { S: 'report-1' } } }));

    // Assess, within the lag: the global index shows the state before the writes…
    const withinLag = {
      u1: await byUser('u1'),
      u2: await byUser('u2'),
      u3: await byUser('u3'),
      scan: await indexScan(),
    };
    // …while the table and the local index are consistent.
    const table = { A: await record('A'), B: await record('B'), C: await record('C'), D: await record('D'), E: await record('E') };
    const { Items: localIndex = [] } = await client.send(
      new QueryCommand({ TableName: inbox, IndexName: 'byId', KeyConditionExpression: 'userId = :u AND id = :id', ExpressionAttributeValues: { ':u': { S: 'u1' }, ':id': { S: 'report-1' } }, ConsistentRead: true }),
    );
    // …and still does 1 ms before the lag is over.
    clock.advance(LAG_MS - 1);
    const lastMsOfLag = { u1: await byUser('u1'), scan: await indexScan(), counts: dynamodb.indexLag.counts() };
    expect(withinLag).toEqual({ u1: { A: '100', B: '100' }, u2: { C: '100' }, u3: {}, scan: ['u1/A', 'u1/B', 'u2/C'] });
    expect(table).toEqual({ A: 'u1/100', B: undefined, C: 'u3/300', D: 'u1/200', E: 'u1/400' });
    expect(localIndex.map((item) => item.sk?.S)).toEqual(['n#1']);

    expect(lastMsOfLag).toEqual({ u1: { A: '100', B: '100' }, scan: ['u1/A', 'u1/B', 'u2/C'], counts: { ...counted, delayed: counted.delayed + 4 } });

    // Assess, once the lag is over and the delayed changes are applied: the index shows every write, in order.
    clock.advance(1);
    await dynamodb.indexLag.idle();
    expect({ u1: await byUser('u1'), u2: await byUser('u2'), u3: await byUser('u3'), scan: await indexScan() }).toEqual({
      u1: { A: '100', D: '200', E: '400' },
      u2: {},
      u3: { C: '300' },
      scan: ['u1/A', 'u1/D', 'u1/E', 'u3/C'],
    });
    // Four writes to the table with a global index were delayed; the inbox write was not.
    expect(dynamodb.indexLag.counts()).toEqual({ delayed: counted.delayed + 4, applied: counted.applied + 4, failed: 0 });
  }, 30_000);

  it('shows writes at once again when the lag is set back to 0', async () => {
    // Prepare
    dynamodb.indexLag.setLag(0);
    await dynamodb.indexLag.idle();
    const counted = dynamodb.indexLag.counts();

    // Act
    await client.send(new PutItemCommand({ TableName: connections, Item: connection('F', 'u4', 500) }));

    // Assess
    expect(await byUser('u4')).toEqual({ F: '500' });
    expect(dynamodb.indexLag.counts()).toEqual(counted);
  });
});
