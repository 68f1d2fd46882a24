/**
 * API Gateway's limits and connection lifecycle on the local stack: message and frame
 * sizes, binary frames, the idle timeout, abrupt disconnects and the 410 cleanup of a stale record.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import { sleep } from '../../helpers/ws-client';

const IDLE_SECONDS = 2;

describe('Local stack: limits and lifecycle', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', idleTimeoutSeconds: IDLE_SECONDS });
  });

  afterAll(async () => {
    await t.close();
  });

  it('closes with 1009 on a 129 KB message, and $disconnect removes the record', async () => {
    const { client, connectionId } = await t.connectAs('u-big');

    await client.send(JSON.stringify({ action: 'ping', name: 'x'.repeat(129 * 1024) })).catch(() => undefined);
    const closed = await client.closed;

    expect(closed.code).toBe(1009);
    await eventually('the record to be deleted', async () => ((await t.record(connectionId)) === undefined ? true : undefined));
  });

  it('closes with 1003 on a binary frame', async () => {
    const { client } = await t.connectAs('u-binary');

    await client.send(Buffer.from([1, 2, 3]), { binary: true });

    expect((await client.closed).code).toBe(1003);
  });

  it('closes an idle connection with 1001 after the idle timeout, and keeps a busy one open', async () => {
    // The busy client connects first: once the idle one is closed, the busy one has been open
    // longer than the idle timeout.
    const busy = await t.connectAs('u-busy');
    const idle = await t.connectAs('u-idle');
    let idleClosed = false;
    void idle.client.closed.then(() => (idleClosed = true));

    // The busy client sends a frame every half second (the delay is the input: activity), resetting its idle timer.
    while (!idleClosed) {
      expect(frame(await busy.client.request(JSON.stringify({ action: 'ping' }))).type).toBe('pong');
      await Promise.race([sleep(500), idle.client.closed]);
    }
    const closed = await idle.client.closed;

    expect(closed.code).toBe(1001);
    expect(busy.client.socket.readyState).toBe(busy.client.socket.OPEN);
    expect(frame(await busy.client.request(JSON.stringify({ action: 'ping' }))).type).toBe('pong');
    await busy.client.close();
  });

  it('removes the record of a client that disconnects abruptly', async () => {
    const { client, connectionId } = await t.connectAs('u-abrupt');
    expect(await t.record(connectionId)).toBeDefined();

    client.socket.terminate();

    await eventually('$disconnect to delete the record', async () => ((await t.record(connectionId)) === undefined ? true : undefined));
  });

  it('turns a notification to a stale record (connection gone, $disconnect missed) into a 410 cleanup, not a retry loop', async () => {
    // A record whose connection no longer exists: API Gateway does not guarantee $disconnect. It
    // was made two minutes ago, past the handshake window in which a 410 never deletes a record.
    const staleId = 'StaleConnectn0A=';
    const now = Date.now();
    const connectedAt = now - 120_000;
    await t.dynamodb.send(
      new PutItemCommand({
        TableName: t.stack.endpoints.tableName,
        Item: {
          connectionId: { S: staleId },
          state: { S: 'authorized' },
          authMode: { S: 'authorizer' },
          userId: { S: 'u-stale' },
          connectedAt: { N: String(connectedAt) },
          authorizedAt: { N: String(connectedAt) },
          expiresAt: { N: String(Math.floor(now / 1000) + 3600) },
          failedAttempts: { N: '0' },
          ttl: { N: String(Math.floor(now / 1000) + 8100) },
        },
      }),
    );
    const batches: { queueId: string; outcome: string }[] = [];
    const stop = t.stack.onBatch((event) => batches.push(event));

    await t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId: 'u-stale', data: 'gone?' }) }));

    await eventually('the stale record to be deleted', async () => ((await t.record(staleId)) === undefined ? true : undefined));
    await eventually('the queues to drain', async () => ((await t.queueDepth('NotifyUser')) + (await t.queueDepth('NotifyConnection')) === 0 ? true : undefined));
    stop();
    const deliveries = batches.filter((batch) => t.stack.model.queues[batch.queueId]?.name === 'NotifyConnection');
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    expect(deliveries.every((batch) => batch.outcome === 'success')).toBe(true);
    expect(await t.queueDepth('NotifyConnectionDeadLetter')).toBe(0);
  });
});
