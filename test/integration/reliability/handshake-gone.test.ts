/**
 * The handshake 410 on the emulator (mode `authorizer`): `$connect` writes the connection's record
 * and its recent-connection pointer before API Gateway completes the handshake, and a post in that
 * window answers 410, as on AWS. Here `$connect` is held open deterministically (its function has
 * run; the gateway waits for the test before it answers the upgrade) while a notification is sent
 * to the user: the fan-out finds the connection through its pointer, the post gets 410, and
 * NotifyConnection keeps the record (the connection is within its handshake window). Once the
 * handshake completes, the connection works and its first `resume` brings the notification.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { FunctionInvoker } from '../../../src/local/functions/invocation';
import type { ManagementApiEvent } from '../../../src/local/gateway';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import type { TestClient } from '../../helpers/ws-client';

interface Held {
  /** Resolves with the connection id once `$connect`'s function has returned. */
  readonly ran: Promise<string>;
  /** Lets the gateway answer the upgrade. */
  readonly release: () => void;
}

describe('Reliability: a notification meets a connection still in its handshake', () => {
  let t: TestStack;
  let hold: (() => Held) | undefined;

  beforeAll(async () => {
    let next: { ran: (connectionId: string) => void; released: Promise<void> } | undefined;
    hold = () => {
      let ran: (connectionId: string) => void = () => undefined;
      let release: () => void = () => undefined;
      const held: Held = { ran: new Promise((resolve) => (ran = resolve)), release: () => release() };
      next = { ran, released: new Promise((resolve) => (release = resolve)) };
      return held;
    };
    t = await startTestStack({
      stage: 'local',
      authMode: 'authorizer',
      // The next `$connect` after hold() is held open once its function has returned.
      wrapGatewayInvoker: (inner: FunctionInvoker): FunctionInvoker => ({
        invoke: async (functionId, event) => {
          const result = await inner.invoke(functionId, event);
          // The REQUEST authorizer's event names the `$connect` route too; it carries a `methodArn`.
          const { requestContext: connect, methodArn } = event as { requestContext?: { routeKey?: string; connectionId?: string }; methodArn?: string };
          const gate = next;
          if (connect?.routeKey === '$connect' && methodArn === undefined && gate !== undefined) {
            next = undefined;
            gate.ran(connect.connectionId ?? '');
            await gate.released;
          }
          return result;
        },
      }),
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers the post 410, keeps the record, and the connection gets the notification by resume', async () => {
    // Prepare: a handshake whose $connect has written the record but not completed.
    const userId = 'handshaking';
    const held = hold?.();
    if (held === undefined) throw new Error('the stack did not start');
    const connecting: Promise<TestClient> = t.connect(`?token=${await t.token(userId)}`);
    const connectionId = await held.ran;
    const recordBefore = await t.record(connectionId);
    const posts: ManagementApiEvent[] = [];
    const gone = new Promise<ManagementApiEvent>((resolve) =>
      t.stack.gateway.on('management', (event) => {
        posts.push(event);
        if (event.method === 'POST' && event.connectionId === connectionId) resolve(event);
      }),
    );

    // Act: a notification to the user while the handshake is held.
    await t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId, data: { report: 42 }, id: 'during-handshake' }) }));
    const post = await gone;
    const kept = await eventually('NotifyConnection to log the 410 it kept the record for', () =>
      t.logs.find((entry) => entry.name === 'NotifyConnection' && entry.line.includes('within its handshake window: record kept') && entry.line.includes(connectionId)),
    );
    const recordAfter = await t.record(connectionId);
    const completedBefore = t.stack.gateway.getConnection(connectionId);
    held.release();
    const client = await connecting;

    // Assess: the post met the handshake (410) and the record stayed, authorized.
    expect(recordBefore).toMatchObject({ state: { S: 'authorized' }, userId: { S: userId } });
    expect(completedBefore).toBeUndefined();
    expect(post).toMatchObject({ method: 'POST', connectionId, status: 410 });
    expect(kept.level).toBe('info');
    expect(recordAfter).toEqual(recordBefore);
    expect(t.logs.filter((entry) => entry.line.includes('record deleted') && entry.line.includes(connectionId))).toEqual([]);

    // The connection works, and its first resume brings the notification it missed.
    expect(frame(await client.request(JSON.stringify({ action: 'ping' })))).toEqual({ type: 'pong', connectionId });
    await client.send(JSON.stringify({ action: 'resume', after: 0 }));
    expect(frame(await client.next())).toEqual({ type: 'notification', id: 'during-handshake', seq: 1, data: { report: 42 }, replayed: true });
    expect(frame(await client.next())).toEqual({ type: 'resumed', after: 0, latest: 1, count: 1, more: false, truncated: false });
    expect(client.pending).toEqual([]);
    expect(posts.filter((event) => event.connectionId === connectionId && event.method === 'POST').map((event) => event.status)).toEqual([410, 200]);
    await client.close(1000);
  });
});
