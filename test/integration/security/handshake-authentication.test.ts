/**
 * Mode `authorizer` under attack (docs/auth.md, docs/security.md): every token of the JWT attack set is refused at the
 * handshake with 403, a missing or empty token with 401, and none of them gets a connection, a
 * `$connect` invocation or a connection record. Real gateway, real functions, real `ws` clients.
 * Every function logs its (redacted) event here, so the log check also covers logged events.
 */
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import { createForger, JWT_ATTACKS, type Forger } from './helpers/attack-tokens';
import { InvocationWatch, logEveryEvent, structuredLogs } from './helpers/observe';

describe('Security: handshake authentication (mode authorizer)', () => {
  let t: TestStack;
  let forger: Forger;
  let watch: InvocationWatch;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', authMode: 'authorizer', endpointsFile: false, configureStack: logEveryEvent });
    forger = await createForger(t.stack.stage, 'alice');
    watch = new InvocationWatch(t.stack);
  });

  afterAll(async () => {
    watch.stop();
    await t.close();
  });

  describe('missing credentials', () => {
    it.each([
      ['no query string', ''],
      ['an empty token', '?token='],
      ['a token parameter without a value', '?token'],
      ['another parameter only', '?user=alice'],
      ['the token in another parameter', '?access_token=x.y.z'],
    ])('refuses %s with 401 and runs no function', async (_name, query) => {
      // Prepare
      const authorizerRuns = watch.count('Authorizer');
      const connectRuns = watch.count('Connect');

      // Act
      const refused = await t.refused(query);

      // Assess
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body)).toEqual({ message: 'Unauthorized' });
      expect(watch.count('Authorizer')).toBe(authorizerRuns);
      expect(watch.count('Connect')).toBe(connectRuns);
      expect(await t.records()).toEqual([]);
    });
  });

  describe('the JWT attack set', () => {
    it.each(JWT_ATTACKS)('refuses $name with 403, logs the reason $reason and writes no record', async (attack) => {
      // Prepare
      const token = await attack.build(forger);
      const connectRuns = watch.count('Connect');
      const authorizerRuns = watch.count('Authorizer');
      const logsFrom = t.logs.length;

      // Act
      const refused = await t.refused(`?token=${encodeURIComponent(token)}`);

      // Assess: refused by the authorizer, for the expected reason; $connect never ran.
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toEqual({ message: 'Forbidden' });
      expect(watch.count('Authorizer')).toBe(authorizerRuns + 1);
      expect(watch.count('Connect')).toBe(connectRuns);
      const denied = await eventually('the authorizer log line', () =>
        structuredLogs(t.logs, 'Authorizer', logsFrom).find((item) => item.message === 'Connection denied'),
      );
      expect(denied.reason).toBe(attack.reason);
      expect(await t.records()).toEqual([]);
    });

    it('a correctly signed token for the same user is accepted (the attacks fail for their flaw alone), and is not logged either', async () => {
      const token = await forger.signAsIssuer(forger.claims());
      const logsFrom = t.logs.length;

      const client = await t.connect(`?token=${encodeURIComponent(token)}`);
      const pong = frame(await client.request(JSON.stringify({ action: 'ping' })));

      expect(pong.type).toBe('pong');
      const record = await t.record(String(pong.connectionId));
      expect(record).toMatchObject({ state: { S: 'authorized' }, userId: { S: 'alice' } });
      await client.close(1000);
      await eventually('the record to be deleted', async () => ((await t.records()).length === 0 ? true : undefined));
      // The Authorizer's and Connect's events (with the token in the query string) were logged, redacted.
      const logged = [...structuredLogs(t.logs, 'Authorizer', logsFrom), ...structuredLogs(t.logs, 'Connect', logsFrom)].filter((item) => item.message === 'Lambda invocation event');
      expect(logged).toHaveLength(2);
      const signature = token.split('.')[2] ?? '';
      for (const entry of t.logs.slice(logsFrom)) {
        expect(entry.line).not.toContain(token);
        expect(entry.line).not.toContain(signature);
      }
    });

    it('refuses a URL over the HTTP header limit (431 from the HTTP server) and runs no function', async () => {
      const runs = watch.count('Authorizer') + watch.count('Connect');

      const refused = await t.refused(`?token=${'a'.repeat(20_000)}`);

      expect(refused.status).toBe(431);
      expect(watch.count('Authorizer') + watch.count('Connect')).toBe(runs);
      expect(await t.records()).toEqual([]);
    });

    it('never writes an attack token, or any part of its signature, to a log line (events are logged, redacted)', async () => {
      // Prepare: the whole attack set once more, in this test.
      const issued = await Promise.all(JWT_ATTACKS.map((attack) => attack.build(forger)));
      const logsFrom = t.logs.length;

      // Act
      for (const token of issued) expect((await t.refused(`?token=${encodeURIComponent(token)}`)).status).toBe(403);

      // Assess: the denials were logged, the tokens were not.
      await eventually('every denial to be logged', () =>
        structuredLogs(t.logs, 'Authorizer', logsFrom).filter((item) => item.message === 'Connection denied').length === issued.length ? true : undefined,
      );
      const signatures = issued.map((token) => token.split('.')[2] ?? '').filter((signature) => signature.length >= 16);
      expect(signatures.length).toBeGreaterThan(10);
      for (const entry of t.logs.slice(logsFrom)) {
        for (const token of issued) if (token.length >= 16) expect(entry.line).not.toContain(token);
        for (const signature of signatures) expect(entry.line).not.toContain(signature);
      }
    });

    it('never failed a function while refusing', () => {
      expect(watch.failures).toEqual([]);
    });
  });
});
