import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';
import { EmbeddedDynamoDb } from '../../../src/local/services/embedded-dynamodb';
import { EmbeddedServiceError } from '../../../src/local/services/service-errors';
import type { TableModel } from '../../../src/local/template/stack-model';

/** The connections table as docs/architecture.md describes it. */
const connectionsTable: TableModel = {
  logicalId: 'ConnectionsTable',
  name: 'Connections',
  partitionKey: { name: 'connectionId', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byUser',
      partitionKey: { name: 'userId', type: 'S' },
      sortKey: { name: 'connectionId', type: 'S' },
      projection: { type: 'INCLUDE', nonKeyAttributes: ['expiresAt', 'ttl'] },
    },
  ],
  localSecondaryIndexes: [],
  ttlAttribute: 'ttl',
};

/** The inbox table as docs/architecture.md describes it: a local secondary index by notification id. */
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
      projection: { type: 'INCLUDE', nonKeyAttributes: ['storedAt'] },
    },
  ],
  ttlAttribute: 'ttl',
};

describe('Class: EmbeddedDynamoDb', () => {
  let dynamodb: EmbeddedDynamoDb;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamodb = await EmbeddedDynamoDb.start({ tables: [connectionsTable, inboxTable], namePrefix: 'ws-notify-test-' });
    client = new DynamoDBClient(dynamodb.clientConfig);
  });

  afterAll(async () => {
    client.destroy();
    await dynamodb.close();
  });

  describe('Method: start', () => {
    it('listens on the port it reports and creates the tables from the model', async () => {
      // Act
      const { Table } = await client.send(new DescribeTableCommand({ TableName: dynamodb.tables.ConnectionsTable!.tableName }));

      // Assess
      expect(dynamodb.port).toBeGreaterThan(0);
      expect(dynamodb.endpoint).toBe(`http://127.0.0.1:${dynamodb.port}`);
      expect(dynamodb.tables.ConnectionsTable!).toEqual({
        logicalId: 'ConnectionsTable',
        tableName: 'ws-notify-test-Connections',
        ttlAttribute: 'ttl',
        keyNames: ['connectionId'],
      });
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'connectionId', KeyType: 'HASH' }]);
      expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
        IndexName: 'byUser',
        IndexStatus: 'ACTIVE',
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'connectionId', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['expiresAt', 'ttl'] },
      });
    });

    it('creates local secondary indexes with their key and projection', async () => {
      // Act
      const { Table } = await client.send(new DescribeTableCommand({ TableName: dynamodb.tables.InboxTable!.tableName }));

      // Assess
      expect(Table?.LocalSecondaryIndexes?.[0]).toMatchObject({
        IndexName: 'byId',
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'id', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['storedAt'] },
      });
    });

    it('refuses a port that is taken with a port_in_use error', async () => {
      // Act
      const starting = EmbeddedDynamoDb.start({ tables: [], port: dynamodb.port });

      // Assess
      await expect(starting).rejects.toThrow(EmbeddedServiceError);
      await expect(starting).rejects.toMatchObject({ code: 'port_in_use' });
    });
  });

  describe('Item and query APIs (unmodified SDK client)', () => {
    it('puts, gets and queries the sparse user index, which returns only the projected attributes', async () => {
      // Prepare
      const TableName = dynamodb.tables.ConnectionsTable!.tableName;
      const put = (item: Record<string, string | number>) =>
        client.send(
          new PutItemCommand({
            TableName,
            Item: Object.fromEntries(Object.entries(item).map(([key, value]) => [key, typeof value === 'number' ? { N: String(value) } : { S: value }])),
          }),
        );
      await put({ connectionId: 'c1', state: 'authorized', userId: 'u1', expiresAt: 2000, ttl: 3000 });
      await put({ connectionId: 'c2', state: 'authorized', userId: 'u1', expiresAt: 2100, ttl: 3100 });
      await put({ connectionId: 'c3', state: 'pending', ttl: 3200 });
      await put({ connectionId: 'c4', state: 'authorized', userId: 'u2', expiresAt: 2200, ttl: 3300 });

      // Act
      const got = await client.send(new GetItemCommand({ TableName, Key: { connectionId: { S: 'c3' } } }));
      const queried = await client.send(
        new QueryCommand({ TableName, IndexName: 'byUser', KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': { S: 'u1' } } }),
      );

      // Assess
      expect(got.Item).toEqual({ connectionId: { S: 'c3' }, state: { S: 'pending' }, ttl: { N: '3200' } });
      expect(queried.Items).toEqual([
        { connectionId: { S: 'c1' }, userId: { S: 'u1' }, expiresAt: { N: '2000' }, ttl: { N: '3000' } },
        { connectionId: { S: 'c2' }, userId: { S: 'u1' }, expiresAt: { N: '2100' }, ttl: { N: '3100' } },
      ]);
    });
  });

  describe('Local secondary index (unmodified SDK client)', () => {
    it('answers a consistent query on the index with the keys and the projected attributes of the items that carry its sort key', async () => {
      // Prepare: two notifications and the head item, which has no `id` and so is not in the index.
      const TableName = dynamodb.tables.InboxTable!.tableName;
      const item = (sk: string, extra: Record<string, { S: string } | { N: string }>) => ({ userId: { S: 'u1' }, sk: { S: sk }, ...extra });
      await client.send(new PutItemCommand({ TableName, Item: item('h', { latest: { N: '2' } }) }));
      await client.send(new PutItemCommand({ TableName, Item: item('n#1', { id: { S: 'a' }, storedAt: { N: '10' }, data: { S: '1' } }) }));
      await client.send(new PutItemCommand({ TableName, Item: item('n#2', { id: { S: 'b' }, storedAt: { N: '20' }, data: { S: '2' } }) }));

      // Act
      const queried = await client.send(
        new QueryCommand({
          TableName,
          IndexName: 'byId',
          ConsistentRead: true,
          KeyConditionExpression: 'userId = :u AND id = :id',
          ExpressionAttributeValues: { ':u': { S: 'u1' }, ':id': { S: 'b' } },
        }),
      );

      // Assess
      expect(queried.Items).toEqual([{ userId: { S: 'u1' }, sk: { S: 'n#2' }, id: { S: 'b' }, storedAt: { N: '20' } }]);
    });
  });

  describe('Property: faults', () => {
    afterEach(() => dynamodb.faults.set(undefined));

    it('answers like AWS throttling, which the SDK retries and finally surfaces as ThrottlingException', async () => {
      // Prepare
      dynamodb.faults.set({ rate: 1, kinds: ['throttle'] });
      const quickRetries = new DynamoDBClient({ ...dynamodb.clientConfig, maxAttempts: 3 });

      // Act
      const failing = quickRetries.send(new GetItemCommand({ TableName: dynamodb.tables.ConnectionsTable!.tableName, Key: { connectionId: { S: 'c1' } } }));

      // Assess
      await expect(failing).rejects.toBeInstanceOf(ThrottlingException);
      await expect(failing).rejects.toMatchObject({ $metadata: { httpStatusCode: 400, attempts: 3 } });
      quickRetries.destroy();
    });

    it('fails only the chosen fraction: the SDK retries a 500 and succeeds', async () => {
      // Prepare: the first request fails with a 500, the retry passes.
      const draws = [0, 0.99, 0.99];
      dynamodb.faults.set({ rate: 0.5, kinds: ['server'], random: () => draws.shift() ?? 0.99 });

      // Act
      const got = await client.send(new GetItemCommand({ TableName: dynamodb.tables.ConnectionsTable!.tableName, Key: { connectionId: { S: 'c1' } } }));

      // Assess
      expect(got.Item?.state).toEqual({ S: 'authorized' });
      expect(got.$metadata.attempts).toBe(2);
    });

    it('limits faults to the named operations', async () => {
      // Prepare
      dynamodb.faults.set({ rate: 1, operations: ['PutItem'] });
      const noRetries = new DynamoDBClient({ ...dynamodb.clientConfig, maxAttempts: 1 });
      const TableName = dynamodb.tables.ConnectionsTable!.tableName;

      // Act
      const got = await noRetries.send(new GetItemCommand({ TableName, Key: { connectionId: { S: 'c1' } } }));
      const put = noRetries.send(new PutItemCommand({ TableName, Item: { connectionId: { S: 'c9' } } }));

      // Assess
      expect(got.Item).toBeDefined();
      await expect(put).rejects.toMatchObject({ $metadata: { attempts: 1 } });
      dynamodb.faults.set(undefined);
      const afterFault = await noRetries.send(new GetItemCommand({ TableName, Key: { connectionId: { S: 'c9' } } }));
      expect(afterFault.Item).toBeUndefined(); // the faulted PutItem had no effect
      noRetries.destroy();
    });

    it("hangs a call: the PutItem is never answered and has no effect, and the functions' client gives up at its request timeout", async () => {
      // Prepare
      dynamodb.faults.set({ rate: 1, kinds: ['hang'], operations: ['PutItem'] });
      const functionsClient = new DynamoDBClient({ ...SDK_CLIENT_CONFIG, ...dynamodb.clientConfig, maxAttempts: 1 });
      const TableName = dynamodb.tables.ConnectionsTable!.tableName;
      const hungBefore = dynamodb.faults.counts().byKind.hang;

      // Act
      const put = await functionsClient.send(new PutItemCommand({ TableName, Item: { connectionId: { S: 'hung' } } })).then(
        () => undefined,
        (error: unknown) => error,
      );
      const got = await client.send(new GetItemCommand({ TableName, Key: { connectionId: { S: 'hung' } } }));
      functionsClient.destroy();

      // Assess
      expect(put).toMatchObject({ name: 'TimeoutError' });
      expect(got.Item).toBeUndefined();
      expect(dynamodb.faults.counts().byKind.hang - hungBefore).toBe(1);
    });

    it('carries out a call held for hangMs once the time is up, while the caller waits', async () => {
      // Prepare
      dynamodb.faults.set({ rate: 1, kinds: ['hang'], hangMs: 1_000, operations: ['PutItem'] });
      const TableName = dynamodb.tables.ConnectionsTable!.tableName;
      const key = { connectionId: { S: 'late' } };

      // Act
      const put = client.send(new PutItemCommand({ TableName, Item: key }));
      const whileHeld = await client.send(new GetItemCommand({ TableName, Key: key }));
      await put;
      const afterwards = await client.send(new GetItemCommand({ TableName, Key: key }));

      // Assess
      expect(whileHeld.Item).toBeUndefined();
      expect(afterwards.Item).toEqual(key);
    });

    it('rejects a rate outside 0..1', () => {
      // Act & Assess
      expect(() => dynamodb.faults.set({ rate: 1.5 })).toThrow(new TypeError('faults.rate must be a number from 0 to 1, got 1.5'));
    });
  });

  describe('Method: close', () => {
    it('stops listening and can be called twice', async () => {
      // Prepare
      const local = await EmbeddedDynamoDb.start({ tables: [connectionsTable] });
      const localClient = new DynamoDBClient({ ...local.clientConfig, maxAttempts: 1 });

      // Act
      await Promise.all([local.close(), local.close()]);

      // Assess
      await expect(localClient.send(new DescribeTableCommand({ TableName: 'ConnectionsTable' }))).rejects.toThrow(/ECONNREFUSED/);
      localClient.destroy();
    });
  });
});
