import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { TtlSweeper, type TtlTable } from '../../../../src/local/services/ttl-sweeper';

const NOW_MS = 1_800_000_000_000;
const table: TtlTable = { tableName: 'Inbox', ttlAttribute: 'ttl', keyNames: ['userId', 'sk'] };

/** A real client whose Scan answers the given pages in turn and whose DeleteItem runs `onDelete`. */
function fakeClient(pages: Record<string, unknown>[][], onDelete: (command: DeleteItemCommand) => void = () => undefined, onScan: () => void = () => undefined) {
  const scans: ScanCommand[] = [];
  const deletes: DeleteItemCommand[] = [];
  const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' } });
  const mock = mockClient(client);
  mock.on(ScanCommand).callsFake((input: ScanCommand['input']) => {
    onScan();
    const page = scans.length;
    scans.push(new ScanCommand(structuredClone(input)));
    const Items = (pages[page] ?? []) as ScanCommandOutput['Items'];
    return Promise.resolve({ Items, ...(page + 1 < pages.length ? { LastEvaluatedKey: { userId: { S: `last${page}` } } } : {}) });
  });
  mock.on(DeleteItemCommand).callsFake((input: DeleteItemCommand['input']) => {
    const command = new DeleteItemCommand(input);
    deletes.push(command);
    onDelete(command);
    return Promise.resolve({});
  });
  return { client, mock, scans, deletes };
}

const item = (userId: string, sk: string) => ({ userId: { S: userId }, sk: { S: sk }, ttl: { N: '1' } });

describe('Class: TtlSweeper', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('scans each table for Number TTLs in the past but within five years, and deletes each item by its key, on the same condition', async () => {
    // Prepare
    const { client, scans, deletes } = fakeClient([[item('u1', 'n#1'), item('u2', 'n#7')]]);
    const sweeper = new TtlSweeper(client, [table], 1_000, () => undefined, () => NOW_MS);

    // Act
    const deleted = await sweeper.sweep();

    // Assess
    expect(deleted).toBe(2);
    expect(sweeper.deletedCount).toBe(2);
    const nowSeconds = String(NOW_MS / 1000);
    const oldestSeconds = String(NOW_MS / 1000 - 5 * 365 * 86_400);
    expect(scans.map((scan) => scan.input)).toEqual([
      {
        TableName: 'Inbox',
        FilterExpression: '#a0 < :now AND #a0 >= :oldest',
        ProjectionExpression: '#a0, #a1, #a2',
        ExpressionAttributeNames: { '#a0': 'ttl', '#a1': 'userId', '#a2': 'sk' },
        ExpressionAttributeValues: { ':now': { N: nowSeconds }, ':oldest': { N: oldestSeconds } },
      },
    ]);
    expect(deletes.map((command) => command.input)).toEqual(
      [
        { userId: { S: 'u1' }, sk: { S: 'n#1' } },
        { userId: { S: 'u2' }, sk: { S: 'n#7' } },
      ].map((Key) => ({
        TableName: 'Inbox',
        Key,
        ConditionExpression: '#a0 < :now AND #a0 >= :oldest',
        ExpressionAttributeNames: { '#a0': 'ttl' },
        ExpressionAttributeValues: { ':now': { N: nowSeconds }, ':oldest': { N: oldestSeconds } },
      })),
    );
  });

  it('reads every page of the scan', async () => {
    // Prepare
    const { client, scans } = fakeClient([[item('u1', 'n#1')], [item('u1', 'n#2')], [item('u1', 'n#3')]]);
    const sweeper = new TtlSweeper(client, [table], 1_000, () => undefined, () => NOW_MS);

    // Act
    const deleted = await sweeper.sweep();

    // Assess
    expect(deleted).toBe(3);
    expect(scans.map((scan) => scan.input.ExclusiveStartKey)).toEqual([undefined, { userId: { S: 'last0' } }, { userId: { S: 'last1' } }]);
  });

  it('leaves an item written again with a later TTL since the scan (the conditional delete fails) and counts only what it deleted', async () => {
    // Prepare
    const { client } = fakeClient([[item('u1', 'n#1'), item('u1', 'n#2')]], (command) => {
      if (command.input.Key?.['sk']?.S === 'n#1') throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    });
    const sweeper = new TtlSweeper(client, [table], 1_000, () => undefined, () => NOW_MS);

    // Act
    const deleted = await sweeper.sweep();

    // Assess
    expect(deleted).toBe(1);
  });

  it('sweeps every interval after the previous sweep, reports a failed sweep and keeps going, and stops when closed', async () => {
    // Prepare
    jest.useFakeTimers();
    let failNext = true;
    const { client, scans } = fakeClient([[]], () => undefined, () => {
      if (!failNext) return;
      failNext = false;
      throw new Error('DynamoDB went away');
    });
    const errors: unknown[] = [];
    const sweeper = new TtlSweeper(client, [table], 5_000, (error) => errors.push(error), () => NOW_MS);

    // Act
    sweeper.start();
    await jest.advanceTimersByTimeAsync(4_999);
    const beforeFirst = { scans: scans.length, errors: errors.length };
    await jest.advanceTimersByTimeAsync(1);
    const afterFirst = errors.map((error) => (error as Error).message);
    await jest.advanceTimersByTimeAsync(5_000);
    const afterSecond = scans.length;
    await sweeper.close();
    await jest.advanceTimersByTimeAsync(20_000);

    // Assess
    expect(beforeFirst).toEqual({ scans: 0, errors: 0 });
    expect(afterFirst).toEqual(['DynamoDB went away']);
    expect(afterSecond).toBe(1);
    expect(scans).toHaveLength(1);
  });

  it('refuses an interval that is not a whole number of milliseconds, 1 or more', () => {
    const { client } = fakeClient([]);
    for (const interval of [0, -5, 1.5, Number.NaN]) {
      expect(() => new TtlSweeper(client, [table], interval, () => undefined)).toThrow(TypeError);
    }
  });
});
