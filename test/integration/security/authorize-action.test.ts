/**
 * Mode `action` under attack (docs/auth.md, docs/security.md): every token of the JWT attack set sent in
 * `{"action":"authorize"}` is answered `invalid_token` (a token that is not a string:
 * `bad_request`), counts as a failed attempt, leaves the connection pending and open; the third
 * failure is answered `too_many_attempts` and the connection is closed (1000) and its record
 * deleted. Every function logs its (redacted) event here, so the log check covers logged events.
 */
import { frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import type { TestClient } from '../../helpers/ws-client';
import { createForger, JWT_ATTACKS, type Forger } from './helpers/attack-tokens';
import { openPending, recordGone } from './helpers/connections';
import { InvocationWatch, logEveryEvent, structuredLogs } from './helpers/observe';

const authorize = (token: unknown): string => JSON.stringify({ action: 'authorize', token });

describe('Security: the authorize action (mode action)', () => {
  let t: TestStack;
  let forger: Forger;
  let watch: InvocationWatch;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', authMode: 'action', authorizeTimeoutSeconds: 120, endpointsFile: false, configureStack: logEveryEvent });
    forger = await createForger(t.stack.stage, 'alice');
    watch = new InvocationWatch(t.stack);
  });

  afterAll(async () => {
    watch.stop();
    await t.close();
  });

  const pendingConnection = () => openPending(t);

  async function closeAndForget(client: TestClient, connectionId: string): Promise<void> {
    await client.close(1000);
    await recordGone(t, connectionId);
  }

  describe('the JWT attack set', () => {
    it.each(JWT_ATTACKS)('answers $name with invalid_token (reason $reason); the connection stays pending and open', async (attack) => {
      // Prepare
      const { client, connectionId } = await pendingConnection();
      const token = await attack.build(forger);
      const logsFrom = t.logs.length;

      // Act
      const reply = frame(await client.request(authorize(token)));
      const ping = frame(await client.request(JSON.stringify({ action: 'ping' })));

      // Assess
      expect(reply).toEqual({ type: 'error', code: 'invalid_token', message: expect.any(String) as string });
      expect(ping).toMatchObject({ type: 'error', code: 'unauthorized' });
      const record = await t.record(connectionId);
      expect(record).toMatchObject({ state: { S: 'pending' }, failedAttempts: { N: '1' } });
      expect(record?.userId).toBeUndefined();
      const refused = structuredLogs(t.logs, 'Authorize', logsFrom).find((item) => item.message === 'Authorize refused');
      expect(refused).toMatchObject({ connectionId, code: 'invalid_token', reason: attack.reason });
      await closeAndForget(client, connectionId);
    });
  });

  describe('tokens that are not strings', () => {
    it.each([
      ['a number', 123],
      ['null', null],
      ['an object', { token: 'x' }],
      ['an array', ['x']],
      ['a boolean', true],
    ])('answers %s with bad_request and counts the attempt', async (_name, token) => {
      const { client, connectionId } = await pendingConnection();

      const reply = frame(await client.request(authorize(token)));

      expect(reply).toEqual({ type: 'error', code: 'bad_request', message: expect.any(String) as string });
      expect(await t.record(connectionId)).toMatchObject({ state: { S: 'pending' }, failedAttempts: { N: '1' } });
      await closeAndForget(client, connectionId);
    });

    it('answers a missing token with bad_request and counts the attempt', async () => {
      const { client, connectionId } = await pendingConnection();

      const reply = frame(await client.request(JSON.stringify({ action: 'authorize', tokens: 'x' })));

      expect(reply).toMatchObject({ type: 'error', code: 'bad_request' });
      expect(await t.record(connectionId)).toMatchObject({ failedAttempts: { N: '1' } });
      await closeAndForget(client, connectionId);
    });
  });

  describe('attempts', () => {
    it('answers the third failed authorize with too_many_attempts, closes with 1000 and deletes the record', async () => {
      // Prepare
      const { client, connectionId } = await pendingConnection();
      const [first, second] = await Promise.all([JWT_ATTACKS[0]!.build(forger), JWT_ATTACKS[4]!.build(forger)]);

      // Act
      const replies = [frame(await client.request(authorize(first))), frame(await client.request(authorize(42)))];
      replies.push(frame(await client.request(authorize(second))));
      const closed = await client.closed;

      // Assess
      expect(replies.map((reply) => reply.code)).toEqual(['invalid_token', 'bad_request', 'too_many_attempts']);
      expect(closed.code).toBe(1000);
      await recordGone(t, connectionId);
      expect(client.pending).toEqual([]);
    });

    it('a successful authorize resets the count: two more failures do not close the connection', async () => {
      const { client, connectionId } = await pendingConnection();
      const bad = await JWT_ATTACKS[0]!.build(forger);

      const before = [frame(await client.request(authorize(bad))), frame(await client.request(authorize(bad)))];
      const ok = frame(await client.request(authorize(await t.token('alice'))));
      const after = [frame(await client.request(authorize(bad))), frame(await client.request(authorize(bad)))];
      const ping = frame(await client.request(JSON.stringify({ action: 'ping' })));

      expect(before.map((reply) => reply.code)).toEqual(['invalid_token', 'invalid_token']);
      expect(ok).toMatchObject({ type: 'authorized', userId: 'alice', connectionId });
      expect(after.map((reply) => reply.code)).toEqual(['invalid_token', 'invalid_token']);
      expect(ping).toEqual({ type: 'pong', connectionId });
      // The failures after the success did not change the owner.
      expect(await t.record(connectionId)).toMatchObject({ state: { S: 'authorized' }, userId: { S: 'alice' }, failedAttempts: { N: '2' } });
      await closeAndForget(client, connectionId);
    });
  });

  describe('the handshake in mode action', () => {
    it('ignores a valid token in the URL: the connection is pending until it authorizes', async () => {
      const { client, connectionId } = await openPending(t, `?token=${await t.token('alice')}`);

      const ping = frame(await client.request(JSON.stringify({ action: 'ping' })));

      expect(ping).toMatchObject({ type: 'error', code: 'unauthorized' });
      const record = await t.record(connectionId);
      expect(record).toMatchObject({ state: { S: 'pending' } });
      expect(record?.userId).toBeUndefined();
      await closeAndForget(client, connectionId);
    });
  });

  describe('logs', () => {
    it('never writes an attack token, or its signature, to a log line, although every event is logged', async () => {
      // Prepare
      const { client, connectionId } = await pendingConnection();
      const tokens = await Promise.all(JWT_ATTACKS.slice(0, 2).map((attack) => attack.build(forger)));
      const valid = await t.token('alice');
      const logsFrom = t.logs.length;

      // Act: two refused, one accepted.
      for (const token of tokens) expect(frame(await client.request(authorize(token))).code).toBe('invalid_token');
      expect(frame(await client.request(authorize(valid))).type).toBe('authorized');

      // Assess: the Authorize events were logged, the tokens were not.
      const events = structuredLogs(t.logs, 'Authorize', logsFrom).filter((item) => item.message === 'Lambda invocation event');
      expect(events).toHaveLength(3);
      const secrets = [...tokens, valid, ...[...tokens, valid].map((token) => token.split('.')[2] ?? '').filter((part) => part.length > 16)];
      for (const entry of t.logs.slice(logsFrom)) for (const secret of secrets) expect(entry.line).not.toContain(secret);
      await closeAndForget(client, connectionId);
    });

    it('never failed a function', () => {
      expect(watch.count('Authorize')).toBeGreaterThan(JWT_ATTACKS.length);
      expect(watch.failures).toEqual([]);
    });
  });
});
