/**
 * A connection authorized before a notification is stored gets it while the user index lags
 * (`indexLagMs`, here longer than the test, so the index never shows the connection): the fan-out
 * finds it through its recent-connection pointer, read strongly consistently beside the index, and
 * a later resume finds the same notification in the inbox. In both auth modes: `$connect` writes
 * the pointer in mode `authorizer`, the `authorize` action in mode `action`.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { frame, startTestStack, type TestStack } from '../../helpers/local-stack';

/** Longer than any test here: the user index shows nothing written during the test. */
const INDEX_LAG_MS = 600_000;

describe.each(['authorizer', 'action'] as const)('Reliability: a lagging user index (mode %s)', (authMode) => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', authMode, indexLagMs: INDEX_LAG_MS });
  });

  afterAll(async () => {
    await t.close();
  });

  it('delivers a notification live to a connection the index does not show yet, and replays it on resume', async () => {
    // Prepare: an authorized connection that has resumed (it holds everything so far).
    const userId = `lagging-${authMode}`;
    const { client, connectionId } = await t.connectAs(userId);
    await client.send(JSON.stringify({ action: 'resume', after: 0 }));
    expect(frame(await client.next())).toEqual({ type: 'resumed', after: 0, latest: 0, count: 0, more: false, truncated: false });
    const indexed = await t.dynamodb.send(
      new QueryCommand({
        TableName: t.stack.endpoints.tableName,
        IndexName: 'byUser',
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': { S: userId } },
      }),
    );

    // Act
    await t.sqs.send(
      new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId, id: 'while-lagging', data: { report: 7 } }) }),
    );
    const live = frame(await client.next(15_000));
    await client.send(JSON.stringify({ action: 'resume', after: 0 }));
    const replayed = [frame(await client.next()), frame(await client.next())];

    // Assess: the index did not show the connection, the notification arrived all the same.
    expect(indexed.Items).toEqual([]);
    expect(await t.record(connectionId)).toMatchObject({ state: { S: 'authorized' }, userId: { S: userId } });
    expect(live).toEqual({ type: 'notification', id: 'while-lagging', seq: 1, data: { report: 7 } });
    expect(replayed).toEqual([
      { type: 'notification', id: 'while-lagging', seq: 1, data: { report: 7 }, replayed: true },
      { type: 'resumed', after: 0, latest: 1, count: 1, more: false, truncated: false },
    ]);
    expect(client.pending).toEqual([]);
    await client.close(1000);
  });
});
