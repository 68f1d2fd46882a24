/**
 * The embedded DynamoDB's Time to Live (src/local/services/ttl-sweeper.ts), on dynalite, through
 * the unmodified SDK client: which items a sweep deletes, from the table and its indexes, and that
 * the sweep goes around fault injection and request observers.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { EmbeddedDynamoDb } from '../../../src/local/services/embedded-dynamodb';
import type { TableModel } from '../../../src/local/template/stack-model';
import { eventually } from '../../helpers/eventually';

const inboxTable: TableModel = {
  logicalId: 'InboxTable',
  name: 'Inbox',
  partitionKey: { name: 'userId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [{ indexName: 'bySeq', partitionKey: { name: 'userId', type: 'S' }, sortKey: { name: 'seq', type: 'N' }, projection: { type: 'KEYS_ONLY' } }],
  localSecondaryIndexes: [
    { indexName: 'byId', partitionKey: { name: 'userId', type: 'S' }, sortKey: { name: 'id', type: 'S' }, projection: { type: 'INCLUDE', nonKeyAttributes: ['storedAt'] } },
  ],
  ttlAttribute: 'ttl',
};

const noTtlTable: TableModel = {
  logicalId: 'PlainTable',
  name: 'Plain',
  partitionKey: { name: 'pk', type: 'S' },
  globalSecondaryIndexes: [],
  localSecondaryIndexes: [],
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Class: EmbeddedDynamoDb (TTL sweep)', () => {
  const started: { dynamodb: EmbeddedDynamoDb; client: DynamoDBClient }[] = [];

  /** A DynamoDB of its own for each test, with a sweep every `intervalMs` (an hour: only explicit sweeps run). */
  async function start(intervalMs = 3_600_000) {
    const dynamodb = await EmbeddedDynamoDb.start({ tables: [inboxTable, noTtlTable], namePrefix: 'ws-notify-ttl-', ttlSweepIntervalMs: intervalMs });
    const client = new DynamoDBClient({ ...dynamodb.clientConfig, maxAttempts: 1 });
    started.push({ dynamodb, client });
    const tableName = dynamodb.tables.InboxTable!.tableName;
    const put = (sk: string, extra: Record<string, AttributeValue>) =>
      client.send(new PutItemCommand({ TableName: tableName, Item: { userId: { S: 'u1' }, sk: { S: sk }, seq: { N: String(sk.length) }, id: { S: `id-${sk}` }, ...extra } }));
    const keys = async () => {
      const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      return Items.map((item) => item['sk']?.S).sort();
    };
    return { dynamodb, client, tableName, put, keys };
  }

  afterEach(async () => {
    for (const { dynamodb, client } of started.splice(0)) {
      client.destroy();
      await dynamodb.close();
    }
  });

  it('deletes the items whose Number TTL is past, and keeps future, missing, non-Number and more-than-five-years-old ones, as AWS does', async () => {
    // Prepare
    const { dynamodb, put, keys } = await start();
    await put('expired', { ttl: { N: String(nowSeconds() - 10) } });
    await put('expired-just', { ttl: { N: String(nowSeconds() - 1) } });
    await put('future', { ttl: { N: String(nowSeconds() + 3600) } });
    await put('no-ttl', {});
    await put('string-ttl', { ttl: { S: String(nowSeconds() - 10) } });
    await put('ancient', { ttl: { N: String(nowSeconds() - 6 * 365 * 86_400) } });

    // Act
    const deleted = await dynamodb.sweepExpiredItems();

    // Assess
    expect(deleted).toBe(2);
    expect(dynamodb.expiredItemsDeleted).toBe(2);
    expect(await keys()).toEqual(['ancient', 'future', 'no-ttl', 'string-ttl']);
  });

  it('removes a deleted item from the local and global secondary indexes too', async () => {
    // Prepare
    const { dynamodb, client, tableName, put } = await start();
    await put('gone', { ttl: { N: String(nowSeconds() - 10) } });
    await put('kept', { ttl: { N: String(nowSeconds() + 3600) } });

    // Act
    await dynamodb.sweepExpiredItems();

    // Assess
    const byId = await client.send(
      new QueryCommand({ TableName: tableName, IndexName: 'byId', KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': { S: 'u1' } } }),
    );
    const bySeq = await client.send(
      new QueryCommand({ TableName: tableName, IndexName: 'bySeq', KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': { S: 'u1' } } }),
    );
    expect(byId.Items?.map((item) => item['id']?.S)).toEqual(['id-kept']);
    expect(bySeq.Items?.map((item) => item['sk']?.S)).toEqual(['kept']);
  });

  it('is neither faulted nor seen by request observers: every request of the application is', async () => {
    // Prepare
    const { dynamodb, put, keys } = await start();
    await put('expired', { ttl: { N: String(nowSeconds() - 10) } });
    const observed: string[] = [];
    dynamodb.interceptors.add({ after: (call) => void observed.push(call.operation) });
    dynamodb.faults.set({ rate: 1, kinds: ['throttle'] });

    // Act
    const deleted = await dynamodb.sweepExpiredItems();
    const afterSweep = [...observed];
    const failedScan = keys().then(
      () => 'answered',
      (error: Error) => error.name,
    );

    // Assess
    expect(deleted).toBe(1);
    expect(afterSweep).toEqual([]);
    expect(await failedScan).toBe('ThrottlingException');
    expect(observed).toEqual(['Scan']);
    dynamodb.faults.set(undefined);
    expect(await keys()).toEqual([]);
  });

  it('sweeps on its own every interval', async () => {
    // Prepare
    const { dynamodb, client, tableName, put } = await start(25);

    // Act
    await put('expired', { ttl: { N: String(nowSeconds() - 10) } });

    // Assess
    await eventually('the sweep to delete the expired item', async () => {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { userId: { S: 'u1' }, sk: { S: 'expired' } }, ConsistentRead: true }));
      return Item === undefined ? true : undefined;
    });
    expect(dynamodb.expiredItemsDeleted).toBe(1);
  });

  it('is off unless asked for: sweeping then is a TypeError', async () => {
    // Prepare
    const dynamodb = await EmbeddedDynamoDb.start({ tables: [inboxTable], namePrefix: 'ws-notify-ttl-off-' });
    const client = new DynamoDBClient(dynamodb.clientConfig);
    started.push({ dynamodb, client });

    // Act & Assess
    expect(() => dynamodb.sweepExpiredItems()).toThrow(TypeError);
    expect(dynamodb.expiredItemsDeleted).toBe(0);
  });
});
