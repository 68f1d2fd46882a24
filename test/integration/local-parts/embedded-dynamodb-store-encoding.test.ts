/**
 * Regression: dynalite's store (memory-level) encoded every key and item with Buffer.from, a slice
 * of Node's shared 8 KiB buffer pool, and each stored slice kept its whole 8 KiB alive: the
 * 5,000-connection load test's memory grew by ~8 KB per notification. src/local/services/dynamodb-engine.ts
 * makes the store keep each as a string; the items still sort (byte by byte, as DynamoDB does) and
 * read as before.
 */
import { createRequire } from 'node:module';
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EmbeddedDynamoDb } from '../../../src/local/services/embedded-dynamodb';
import type { TableModel } from '../../../src/local/template/stack-model';

interface StorePrototype {
  _put(key: unknown, value: unknown, options: unknown): Promise<void>;
}

const table: TableModel = {
  logicalId: 'InboxTable',
  name: 'Inbox',
  partitionKey: { name: 'userId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [{ indexName: 'byId', partitionKey: { name: 'id', type: 'S' }, projection: { type: 'ALL' } }],
  localSecondaryIndexes: [],
};

describe('Class: EmbeddedDynamoDb (store encoding)', () => {
  const stored: unknown[] = [];
  let restore: (() => void) | undefined;
  let dynamodb: EmbeddedDynamoDb;
  let client: DynamoDBClient;
  let tableName: string;

  beforeAll(async () => {
    // Watch every key and value dynalite's in-memory store (the memory-level copy dynalite loads) keeps.
    const memoryLevelPath = createRequire(require.resolve('dynalite')).resolve('memory-level');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MemoryLevel } = require(memoryLevelPath) as { MemoryLevel: { prototype: StorePrototype } };
    // The class dynalite uses may be a subclass: watch the method where memory-level defines it.
    let prototype: StorePrototype = MemoryLevel.prototype;
    while (!Object.prototype.hasOwnProperty.call(prototype, '_put')) prototype = Object.getPrototypeOf(prototype) as StorePrototype;
    const original = prototype._put;
    prototype._put = function watched(this: unknown, key: unknown, value: unknown, options: unknown) {
      stored.push(key, value);
      return original.call(this, key, value, options);
    };
    restore = () => (prototype._put = original);
    dynamodb = await EmbeddedDynamoDb.start({ tables: [table], namePrefix: 'ws-notify-encoding-' });
    client = new DynamoDBClient(dynamodb.clientConfig);
    tableName = dynamodb.tables.InboxTable!.tableName;
  });

  afterAll(async () => {
    restore?.();
    client.destroy();
    await dynamodb.close();
  });

  it('keeps each stored key and item as a string, not in a slice of a shared buffer pool', async () => {
    // Prepare
    stored.length = 0;

    // Act
    for (let i = 0; i < 20; i += 1) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: { userId: { S: 'u1' }, sk: { S: `n#${i}` }, id: { S: `id-${i}` }, data: { S: 'x'.repeat(i * 10) } } }));
    }

    // Assess: 20 items, each written to the table and its index (a key and a value each time).
    expect(stored.length).toBeGreaterThanOrEqual(80);
    expect(stored.filter((entry) => typeof entry !== 'string')).toEqual([]);
  });

  it('still sorts keys byte by byte and reads items back unchanged', async () => {
    // Prepare: sort keys whose order differs between UTF-16 code units and UTF-8 bytes.
    const keys = ['a', 'b', '\u{ff61}', '\u{1f600}', 'z'];
    for (const sk of keys) await client.send(new PutItemCommand({ TableName: tableName, Item: { userId: { S: 'sorted' }, sk: { S: sk }, id: { S: `id-${sk}` } } }));

    // Act
    const { Items = [] } = await client.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': { S: 'sorted' } }, ConsistentRead: true }),
    );

    // Assess: DynamoDB orders strings by their UTF-8 bytes (U+FF61 is EF BD A1, U+1F600 is F0 9F 98 80).
    expect(Items.map((item) => item['sk']?.S)).toEqual(['a', 'b', 'z', '\u{ff61}', '\u{1f600}']);
    expect(Items[0]).toEqual({ userId: { S: 'sorted' }, sk: { S: 'a' }, id: { S: 'id-a' } });
  });
});
