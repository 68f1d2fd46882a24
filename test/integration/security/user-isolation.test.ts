/**
 * No one acts or receives as someone they are not (docs/auth.md, docs/protocol.md), in both modes, on
 * the real local stack: notifications reach only their user, renewal with another user's token is
 * refused and changes nothing, an expired connection neither acts nor receives until it renews,
 * and a handshake from an origin that is not allowed is refused.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { AuthMode } from '../../../infra/stages';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import type { TestClient } from '../../helpers/ws-client';
import { openPending } from './helpers/connections';
import { structuredLogs } from './helpers/observe';

const APP_ORIGIN = 'https://app.example.com';
const ping = JSON.stringify({ action: 'ping' });
const authorize = (token: string): string => JSON.stringify({ action: 'authorize', token });

describe.each<AuthMode>(['authorizer', 'action'])('Security: user isolation (mode %s)', (authMode) => {
  let t: TestStack;
  let notificationCount = 0;
  /**
   * Opened once the stack is warm, together, with tokens that expire within 2 s (accepted: exp is
   * still ahead): the expiry tests use one each, and by the time they run after the others the
   * tokens have expired (alone, they wait for it). The allowed-origins tests close whichever is
   * still open.
   */
  let gina: Awaited<ReturnType<typeof connectWithTtl>>;
  let hank: Awaited<ReturnType<typeof connectWithTtl>>;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', authMode, allowedOrigins: [APP_ORIGIN], authorizeTimeoutSeconds: 120, endpointsFile: false });
    // Warm first (a connection through the same functions, closed again): a token with at most
    // 2 s left must not expire during the cold starts of a fresh stack.
    const warmUp = await t.connectAs('warm-up');
    await warmUp.client.close();
    [gina, hank] = await Promise.all([connectWithTtl('gina', 2), connectWithTtl('hank', 2)]);
  });

  afterAll(async () => {
    await t.close();
  });

  /** Sends a NotifyUser message through the real SQS client; returns its notification id. */
  async function notifyUser(userId: string): Promise<string> {
    const id = `n-${authMode}-${++notificationCount}`;
    await t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId, id, data: { for: userId } }) }));
    return id;
  }

  async function notifyConnection(connectionId: string): Promise<string> {
    const id = `c-${authMode}-${++notificationCount}`;
    await t.sqs.send(
      new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyConnection, MessageBody: JSON.stringify({ connectionId, id, data: 'direct' }) }),
    );
    return id;
  }

  /** Every queue message has been processed (deleted): nothing more can arrive from them. */
  async function queuesDrained(): Promise<void> {
    await eventually(
      'NotifyUser and NotifyConnection to drain',
      async () => ((await t.queueDepth('NotifyUser')) + (await t.queueDepth('NotifyConnection')) === 0 ? true : undefined),
      15_000,
    );
  }

  /** A connection of the user whose token expires `ttlSeconds` from now. */
  async function connectWithTtl(userId: string, ttlSeconds: number): Promise<{ client: TestClient; connectionId: string; expiresAt: number }> {
    const token = await t.token(userId, ttlSeconds);
    if (authMode === 'authorizer') {
      const client = await t.connect(`?token=${token}`);
      const pong = frame(await client.request(ping));
      const record = await t.record(String(pong.connectionId));
      return { client, connectionId: String(pong.connectionId), expiresAt: Number(record?.expiresAt?.N) };
    }
    const client = await t.connect();
    const reply = frame(await client.request(authorize(token)));
    return { client, connectionId: String(reply.connectionId), expiresAt: Number(reply.expiresAt) };
  }

  describe('notifications', () => {
    it("a valid token for user B does not receive user A's notifications; A does", async () => {
      // Prepare
      const a = await t.connectAs('user-a');
      const b = await t.connectAs('user-b');

      // Act
      const id = await notifyUser('user-a');

      // Assess
      expect(frame(await a.client.next(10_000))).toEqual({ type: 'notification', id, seq: 1, data: { for: 'user-a' } });
      await queuesDrained();
      expect(b.client.pending).toEqual([]);
      expect(frame(await b.client.request(ping)).type).toBe('pong');
      await Promise.all([a.client.close(), b.client.close()]);
    });

    it('a user id that differs only in case or by a suffix is another user', async () => {
      const owner = await t.connectAs('carol');
      const lookalikes = await Promise.all(['Carol', 'carol ', 'carol2', 'caro'].map((userId) => t.connectAs(userId)));

      const id = await notifyUser('carol');

      expect(frame(await owner.client.next(10_000))).toMatchObject({ type: 'notification', id });
      await queuesDrained();
      for (const lookalike of lookalikes) expect(lookalike.client.pending).toEqual([]);
      await Promise.all([owner, ...lookalikes].map(({ client }) => client.close()));
    });
  });

  describe('renewal', () => {
    it('refuses a renewal with a valid token of another user (invalid_token); owner, expiry and deliveries are unchanged', async () => {
      // Prepare
      const a = await t.connectAs('dave');
      const before = await t.record(a.connectionId);

      // Act
      const reply = frame(await a.client.request(authorize(await t.token('eve'))));

      // Assess: refused and counted; the record still belongs to dave.
      expect(reply).toEqual({ type: 'error', code: 'invalid_token', message: expect.any(String) as string });
      const after = await t.record(a.connectionId);
      expect(after).toMatchObject({ state: { S: 'authorized' }, userId: { S: 'dave' }, expiresAt: before?.expiresAt, failedAttempts: { N: '1' } });
      // eve's notifications do not reach it; dave's still do.
      const forEve = await notifyUser('eve');
      const forDave = await notifyUser('dave');
      const received = frame(await a.client.next(10_000));
      await queuesDrained();
      expect(received).toMatchObject({ type: 'notification', id: forDave });
      expect(received.id).not.toBe(forEve);
      expect(a.client.pending).toEqual([]);
      await a.client.close();
    });

    it('accepts a renewal with a fresh token of the same user and resets the failed attempts', async () => {
      const a = await t.connectAs('frank');
      await a.client.request(authorize(await t.token('mallory')));

      const reply = frame(await a.client.request(authorize(await t.token('frank', 7200))));

      expect(reply).toMatchObject({ type: 'authorized', userId: 'frank', connectionId: a.connectionId });
      expect(await t.record(a.connectionId)).toMatchObject({ userId: { S: 'frank' }, expiresAt: { N: String(reply.expiresAt) }, failedAttempts: { N: '0' } });
      await a.client.close();
    });
  });

  describe('expiry', () => {
    it('an expired connection gets token_expired, receives no notification, and works again after renewing', async () => {
      // Prepare: the expiring connection, and a fresh connection of the same user.
      const expiring = gina;
      const fresh = await t.connectAs('gina');
      await eventually('the token to expire', () => (Date.now() > expiring.expiresAt * 1000 + 50 ? true : undefined), 5000);

      // Act
      const replies = [frame(await expiring.client.request(ping)), frame(await expiring.client.request(JSON.stringify({ action: 'launch' })))];
      const logsFrom = t.logs.length;
      const toUser = await notifyUser('gina');
      const toConnection = await notifyConnection(expiring.connectionId);

      // Assess: no action, no delivery (NotifyUser skips it, NotifyConnection refuses it); the fresh connection gets the fan-out.
      expect(replies.map((reply) => reply.code)).toEqual(['token_expired', 'token_expired']);
      expect(frame(await fresh.client.next(10_000))).toMatchObject({ type: 'notification', id: toUser });
      await queuesDrained();
      await eventually('NotifyConnection to refuse the expired connection', () =>
        structuredLogs(t.logs, 'NotifyConnection', logsFrom).find(
          (item) => item.message === 'Notification refused' && item.connectionId === expiring.connectionId && item.notificationId === toConnection,
        ),
      );
      expect(
        structuredLogs(t.logs, 'NotifyConnection', logsFrom).find((item) => item.notificationId === toConnection)?.reason,
      ).toBe('token_expired');
      expect(expiring.client.pending).toEqual([]);
      expect(await t.queueDepth('NotifyConnectionDeadLetter')).toBe(0);

      // Act: renew.
      const renewed = frame(await expiring.client.request(authorize(await t.token('gina'))));
      const pong = frame(await expiring.client.request(ping));
      const afterRenewal = await notifyUser('gina');

      // Assess
      expect(renewed).toMatchObject({ type: 'authorized', userId: 'gina' });
      expect(pong).toEqual({ type: 'pong', connectionId: expiring.connectionId });
      expect(frame(await expiring.client.next(10_000))).toMatchObject({ type: 'notification', id: afterRenewal });
      await Promise.all([expiring.client.close(), fresh.client.close()]);
    });

    it('an expired connection cannot renew as another user', async () => {
      const expiring = hank;
      await eventually('the token to expire', () => (Date.now() > expiring.expiresAt * 1000 + 50 ? true : undefined), 5000);

      const reply = frame(await expiring.client.request(authorize(await t.token('ivan'))));
      const after = frame(await expiring.client.request(ping));

      expect(reply).toMatchObject({ type: 'error', code: 'invalid_token' });
      expect(after).toMatchObject({ type: 'error', code: 'token_expired' });
      expect(await t.record(expiring.connectionId)).toMatchObject({ userId: { S: 'hank' }, expiresAt: { N: String(expiring.expiresAt) } });
      await expiring.client.close();
    });
  });

  describe('records that may not receive', () => {
    it('a record past its ttl counts as absent: no action, no notification, no renewal, even with a valid token', async () => {
      // Prepare: a live connection whose record says its ttl has passed (DynamoDB deletes late).
      const stale = await t.connectAs('kate');
      const fresh = await t.connectAs('kate');
      const pastTtl = String(Math.floor(Date.now() / 1000) - 1);
      await t.dynamodb.send(
        new UpdateItemCommand({
          TableName: t.stack.endpoints.tableName,
          Key: { connectionId: { S: stale.connectionId } },
          UpdateExpression: 'SET #ttl = :past',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':past': { N: pastTtl } },
        }),
      );
      const logsFrom = t.logs.length;

      // Act
      const pingReply = frame(await stale.client.request(ping));
      const renewal = frame(await stale.client.request(authorize(await t.token('kate'))));
      const toUser = await notifyUser('kate');
      const toConnection = await notifyConnection(stale.connectionId);

      // Assess
      expect(pingReply).toMatchObject({ type: 'error', code: 'unauthorized' });
      expect(renewal).toMatchObject({ type: 'error', code: 'unauthorized' });
      expect(frame(await fresh.client.next(10_000))).toMatchObject({ type: 'notification', id: toUser });
      await queuesDrained();
      const refused = structuredLogs(t.logs, 'NotifyConnection', logsFrom).find((item) => item.notificationId === toConnection);
      expect(refused).toMatchObject({ message: 'Notification refused', reason: 'absent' });
      expect(stale.client.pending).toEqual([]);
      // The renewal wrote nothing: the record is as the test left it.
      expect(await t.record(stale.connectionId)).toMatchObject({ userId: { S: 'kate' }, ttl: { N: pastTtl } });
      await Promise.all([stale.client.close(), fresh.client.close()]);
    });

    if (authMode === 'action') {
      it('a connection that has not authorized receives nothing sent to its connection id', async () => {
        const { client, connectionId } = await openPending(t);
        const logsFrom = t.logs.length;

        const id = await notifyConnection(connectionId);

        await queuesDrained();
        const refused = structuredLogs(t.logs, 'NotifyConnection', logsFrom).find((item) => item.notificationId === id);
        expect(refused).toMatchObject({ message: 'Notification refused', reason: 'unauthorized', connectionId });
        expect(client.pending).toEqual([]);
        await client.close();
      });
    }
  });

  describe('allowed origins', () => {
    beforeAll(async () => {
      // The connections of the tests above are closed (the expiring ones here, when no expiry test
      // ran); their $disconnect may still be running.
      await Promise.all([gina.client.close(), hank.client.close()]);
      await eventually('every earlier record to be deleted', async () => ((await t.records()).length === 0 ? true : undefined));
    });

    async function connectFrom(origin: string | undefined): Promise<TestClient> {
      const query = authMode === 'authorizer' ? `?token=${await t.token('olga')}` : '';
      return t.connect(query, origin === undefined ? {} : { origin });
    }

    it.each([
      ['another site', 'https://evil.example.com'],
      ['the allowed host over http', 'http://app.example.com'],
      ['the allowed host with another port', 'https://app.example.com:8443'],
      ['the allowed host in other case', 'https://APP.example.com'],
      ['a subdomain of it', 'https://evil.app.example.com'],
      ['a lookalike suffix', 'https://app.example.com.evil.com'],
      ['the opaque origin "null"', 'null'],
    ])('refuses %s (%s) with 403: no record, no deadline message', async (_name, origin) => {
      // Prepare
      const deadlines = await t.queueDepth('AuthorizeDeadline');
      const query = authMode === 'authorizer' ? `?token=${await t.token('olga')}` : '';

      // Act
      const refused = await t.refused(query, { origin });

      // Assess
      expect(refused.status).toBe(403);
      expect(await t.records()).toEqual([]);
      expect(await t.queueDepth('AuthorizeDeadline')).toBe(deadlines);
    });

    it.each([
      ['the allowed origin', APP_ORIGIN],
      ['no Origin header (not a browser)', undefined],
    ])('accepts %s', async (_name, origin) => {
      const client = await connectFrom(origin);

      const reply = frame(await client.request(ping));

      expect(reply).toMatchObject(authMode === 'authorizer' ? { type: 'pong' } : { type: 'error', code: 'unauthorized' });
      await client.close();
    });
  });
});
