/**
 * The authorize deadline racing a late `authorize`, on the real local stack in mode `action`.
 *
 * The deadline deletes the pending record (conditionally) before it sends `authorization_timeout`
 * and closes the connection, so from the moment a client can see the frame its `authorize` can no
 * longer succeed. To hold the window between the frame and the close open, the Management API
 * refuses every DeleteConnection (injected faults) until the client has its answer: the
 * deadline's close fails and its message is retried (visibility timeout 2 s, five receives at
 * most), and a retry after the faults are cleared closes the connection.
 */
import { frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import { openPending, recordGone } from './helpers/connections';

describe('Security: the authorize deadline racing a late authorize (mode action)', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'dev', authorizeTimeoutSeconds: 1, visibilityTimeoutSeconds: 2, endpointsFile: false });
  });

  afterAll(async () => {
    t.stack.gateway.faults.set(undefined);
    await t.close();
  });

  it('answers an authorize sent after authorization_timeout with unauthorized, never authorized, and then closes the connection', async () => {
    // Prepare: the deadline will not be able to close the connection yet.
    t.stack.gateway.faults.set({ rate: 1, operations: ['DeleteConnection'] });
    const { client, connectionId } = await openPending(t);

    // Act: wait for the deadline's frame, then authorize with a valid token.
    const timeout = frame(await client.next(20_000));
    await client.send(JSON.stringify({ action: 'authorize', token: await t.token('late') }));
    let reply = frame(await client.next(20_000));
    // A retried deadline may have sent its frame again before the reply arrives.
    while (reply.code === 'authorization_timeout') reply = frame(await client.next(20_000));

    // Assess: the deadline has already taken the record, so the authorize cannot win.
    expect(timeout).toMatchObject({ type: 'error', code: 'authorization_timeout' });
    expect(reply).toMatchObject({ type: 'error', code: 'unauthorized' });

    // Act: let the retried deadline close the connection.
    t.stack.gateway.faults.set(undefined);
    const closed = await client.closed;

    // Assess
    expect(closed.code).toBe(1000);
    await recordGone(t, connectionId);
    expect(t.stack.faultCounts().management.byOperation.DeleteConnection).toBeGreaterThan(0);
  }, 60_000);

  it('warned at start that its 2 s visibility timeout is shorter than the consumers\' timeouts, as AWS would refuse it', () => {
    // Assess
    const warnings = t.logs.filter((entry) => entry.level === 'warn' && entry.name === 'event-source-mapping').map((entry) => entry.line);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('queue AuthorizeDeadline (2 s) is shorter than the timeout of its consumer AuthorizeDeadline (10 s)'),
        expect.stringContaining('queue NotifyUser (2 s) is shorter than the timeout of its consumer NotifyUser (20 s)'),
      ]),
    );
  });
});
