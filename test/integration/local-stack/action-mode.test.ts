/**
 * The local stack in mode `action` (stage `dev`): connect anonymously, then `authorize` in-band
 * (docs/auth.md, mode `action`), with real `ws` clients and the unmodified AWS SDK clients.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import type { TestClient } from '../../helpers/ws-client';

/** The deadline of the stack that tests it; the other tests' stack has one far beyond any test. */
const DEADLINE_SECONDS = 3;

describe('Local stack: mode action', () => {
  let t: TestStack;
  /** The stack of the deadline tests (below), started first: its deadline runs out while the other tests run. */
  let d: TestStack;
  /** Deadline messages the AuthorizeDeadline function has handled (one per connection of that stack). */
  let deadlinesHandled = 0;
  /** Opened together, so that their deadlines run out at the same time: one left pending, one authorized. */
  let pending: TestClient;
  let patient: TestClient;
  let authorized: Record<string, unknown>;

  beforeAll(async () => {
    // The deadline stack's connections first, on their own: the authorize must beat the deadline.
    d = await startTestStack({ stage: 'dev', authorizeTimeoutSeconds: DEADLINE_SECONDS });
    d.stack.onBatch((batch) => {
      if (batch.functionId === 'AuthorizeDeadline') deadlinesHandled += batch.messageIds.length - batch.failedMessageIds.length;
    });
    [pending, patient] = await Promise.all([d.connect(), d.connect()]);
    authorized = frame(await patient.request(JSON.stringify({ action: 'authorize', token: await d.token('patient') })));
    t = await startTestStack({ stage: 'dev', authorizeTimeoutSeconds: 900 });
  });

  afterAll(async () => {
    await t?.close();
    await d?.close();
  });

  const notifyUser = (userId: string, data: unknown, id?: string) =>
    t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId, data, ...(id ? { id } : {}) }) }));

  it('connects without a token and writes a pending record', async () => {
    const client = await t.connect();

    const reply = frame(await client.request(JSON.stringify({ action: 'ping' })));
    const records = await t.records();

    expect(reply).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(records.some((item) => item.state?.S === 'pending' && item.authMode?.S === 'action')).toBe(true);
    await client.close();
  });

  it('answers every message before authorize with unauthorized, non-JSON included', async () => {
    const client = await t.connect();

    const replies = [];
    for (const message of ['{"action":"ping"}', '{"action":"launch"}', 'not json', '[1,2]']) replies.push(frame(await client.request(message)));

    expect(replies.map((reply) => reply.code)).toEqual(['unauthorized', 'unauthorized', 'unauthorized', 'unauthorized']);
    await client.close();
  });

  it('authorizes, then answers ping with pong', async () => {
    const client = await t.connect();
    const token = await t.token('1234');

    const authorized = frame(await client.request(JSON.stringify({ action: 'authorize', token })));
    const pong = frame(await client.request(JSON.stringify({ action: 'ping', name: 'Stepan' })));

    expect(authorized).toEqual({ type: 'authorized', userId: '1234', expiresAt: expect.any(Number) as unknown, connectionId: expect.any(String) as unknown });
    expect(pong).toEqual({ type: 'pong', name: 'Stepan', connectionId: authorized.connectionId });
    const record = await t.record(String(authorized.connectionId));
    expect(record).toMatchObject({ state: { S: 'authorized' }, userId: { S: '1234' }, expiresAt: { N: String(authorized.expiresAt) } });
    await client.close();
  });

  it('delivers notifications only after authorize', async () => {
    const client = await t.connect();
    await notifyUser('late', 'before');
    await eventually('the first notification to be processed', async () => ((await t.queueDepth('NotifyUser')) + (await t.queueDepth('NotifyConnection')) === 0 ? true : undefined));
    expect(client.pending).toEqual([]);

    const authorized = frame(await client.request(JSON.stringify({ action: 'authorize', token: await t.token('late') })));
    await notifyUser('late', 'after', 'n-2');

    expect(authorized.type).toBe('authorized');
    expect(frame(await client.next(10_000))).toEqual({ type: 'notification', id: 'n-2', seq: 2, data: 'after' });
    await client.close();
  });

  it('answers the third failed authorize with too_many_attempts and disconnects', async () => {
    const client = await t.connect();

    const first = frame(await client.request(JSON.stringify({ action: 'authorize', token: 'bad.token.one' })));
    const second = frame(await client.request(JSON.stringify({ action: 'authorize', token: 'bad.token.two' })));
    const third = frame(await client.request(JSON.stringify({ action: 'authorize', token: 'bad.token.three' })));
    const closed = await client.closed;

    expect([first.code, second.code, third.code]).toEqual(['invalid_token', 'invalid_token', 'too_many_attempts']);
    expect(closed.code).toBe(1000);
  });

  it('refuses a renewal with a token for another user and changes nothing', async () => {
    const client = await t.connect();
    const authorized = frame(await client.request(JSON.stringify({ action: 'authorize', token: await t.token('owner') })));

    const renewal = frame(await client.request(JSON.stringify({ action: 'authorize', token: await t.token('intruder') })));
    const record = await t.record(String(authorized.connectionId));

    expect(renewal).toMatchObject({ type: 'error', code: 'invalid_token' });
    expect(record).toMatchObject({ userId: { S: 'owner' }, state: { S: 'authorized' } });
    await notifyUser('intruder', 'not for you');
    await notifyUser('owner', 'for you', 'n-owner');
    expect(frame(await client.next(10_000))).toEqual({ type: 'notification', id: 'n-owner', seq: 1, data: 'for you' });
    await client.close();
  });

  it('renews an authorized connection with a token for the same user', async () => {
    const client = await t.connect();
    const first = frame(await client.request(JSON.stringify({ action: 'authorize', token: await t.token('renewer', 60) })));

    const renewed = frame(await client.request(JSON.stringify({ action: 'authorize', token: await t.token('renewer', 7200) })));

    expect(renewed).toMatchObject({ type: 'authorized', userId: 'renewer', connectionId: first.connectionId });
    expect(Number(renewed.expiresAt)).toBeGreaterThan(Number(first.expiresAt));
    await client.close();
  });

  // Their stack and connections are made by the beforeAll above, which starts them first.
  describe('at the authorize deadline', () => {
    it('closes a connection still pending at the deadline with authorization_timeout', async () => {
      const timeout = frame(await pending.next((DEADLINE_SECONDS + 5) * 1000));
      const closed = await pending.closed;

      expect(timeout).toMatchObject({ type: 'error', code: 'authorization_timeout' });
      expect(closed.code).toBe(1000);
    });

    it('keeps an authorized connection open past the deadline', async () => {
      await eventually('the deadline of both connections to be handled', () => (deadlinesHandled >= 2 ? true : undefined), (DEADLINE_SECONDS + 20) * 1000);

      expect(authorized.type).toBe('authorized');
      expect(frame(await patient.request(JSON.stringify({ action: 'ping' }))).type).toBe('pong');
      expect(patient.pending).toEqual([]);
      await patient.close();
    });
  });
});
