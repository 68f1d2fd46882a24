/**
 * Regression: dynalite 4 never closed the store iterators behind Query and Scan, so every Query
 * leaked (about 4 KB of ArrayBuffers each, found by the load test's memory figures).
 * src/local/services/dynamodb-engine.ts gives them the `return()` dynalite calls.
 */
import { createRequire } from 'node:module';
import { DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EmbeddedDynamoDb } from '../../../src/local/services/embedded-dynamodb';
import type { TableModel } from '../../../src/local/template/stack-model';
import { eventually } from '../../helpers/eventually';

interface ClosableIterator {
  close(): Promise<void>;
}
interface StorePrototype {
  keys(...args: unknown[]): ClosableIterator;
  values(...args: unknown[]): ClosableIterator;
  iterator(...args: unknown[]): ClosableIterator;
}

const table: TableModel = {
  logicalId: 'ConnectionsTable',
  name: 'Connections',
  partitionKey: { name: 'connectionId', type: 'S' },
  globalSecondaryIndexes: [{ indexName: 'byUser', partitionKey: { name: 'userId', type: 'S' }, sortKey: { name: 'connectionId', type: 'S' }, projection: { type: 'ALL' } }],
  localSecondaryIndexes: [],
};

describe('Class: EmbeddedDynamoDb (store iterators)', () => {
  const opened = new Set<ClosableIterator>();
  const closed = new Set<ClosableIterator>();
  let dynamodb: EmbeddedDynamoDb;
  let client: DynamoDBClient;
  let tableName: string;

  beforeAll(async () => {
    // Watch every iterator dynalite's in-memory store (memory-level, the copy dynalite loads) hands out.
    const memoryLevelPath = createRequire(require.resolve('dynalite')).resolve('memory-level');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MemoryLevel } = require(memoryLevelPath) as { MemoryLevel: { prototype: StorePrototype } };
    for (const method of ['keys', 'values', 'iterator'] as const) {
      const original = MemoryLevel.prototype[method];
      MemoryLevel.prototype[method] = function watched(this: unknown, ...args: unknown[]) {
        const iterator = original.apply(this, args);
        opened.add(iterator);
        const close = iterator.close.bind(iterator);
        iterator.close = () => {
          closed.add(iterator);
          return close();
        };
        return iterator;
      };
    }
    dynamodb = await EmbeddedDynamoDb.start({ tables: [table], namePrefix: 'ws-notify-test-' });
    client = new DynamoDBClient(dynamodb.clientConfig);
    tableName = dynamodb.tables.ConnectionsTable!.tableName;
    for (let i = 0; i < 30; i += 1) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: { connectionId: { S: `c${i}` }, userId: { S: `u${i % 3}` } } }));
    }
  });

  afterAll(async () => {
    client.destroy();
    await dynamodb.close();
  });

  it('closes the iterator of every Query, Scan and page once the request is answered', async () => {
    // Prepare
    opened.clear();
    closed.clear();
    const query = (userId: string, limit?: number) =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'byUser',
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': { S: userId } },
          ...(limit === undefined ? {} : { Limit: limit }),
        }),
      );

    // Act: whole results, pages cut short by Limit, an empty result, and scans.
    for (let i = 0; i < 20; i += 1) expect((await query(`u${i % 3}`)).Items).toHaveLength(10);
    const page = await query('u0', 3);
    const nobody = await query('nobody');
    const scan = await client.send(new ScanCommand({ TableName: tableName }));
    const scanPage = await client.send(new ScanCommand({ TableName: tableName, Limit: 5 }));
    // An iterator left open would keep this waiting until it fails.
    await eventually('every iterator to be closed', () => ([...opened].every((iterator) => closed.has(iterator)) ? true : undefined), 5_000);

    // Assess
    expect(page.Items).toHaveLength(3);
    expect(page.LastEvaluatedKey).toBeDefined();
    expect(nobody.Items).toEqual([]);
    expect(scan.Items).toHaveLength(30);
    expect(scanPage.Items).toHaveLength(5);
    expect(opened.size).toBeGreaterThanOrEqual(24);
    expect([...opened].filter((iterator) => !closed.has(iterator)).length).toBe(0);
  });
});
