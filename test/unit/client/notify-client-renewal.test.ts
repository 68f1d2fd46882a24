import { REPLY_TIMEOUT_MS } from '../../../src/client/connection';
import { KEEP_ALIVE_MESSAGE } from '../../../src/client/frames';
import { GAP_CHECK_DELAY_MS } from '../../../src/client/notify-client';
import { Harness, jwt, settle, START_MS } from './client-harness';

async function wait(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await settle();
}

const JUST_UNDER_ONE = 1 - 1e-9;

describe('Class: NotifyClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: START_MS });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('renewal', () => {
    it.each([
      ['action', 0, 0.7],
      ['action', JUST_UNDER_ONE, 0.85],
      ['authorizer', 0, 0.7],
      ['authorizer', JUST_UNDER_ONE, 0.85],
    ] as const)('in mode %s with random() = %p: sends authorize on the open connection at %p of the token lifetime', async (authMode, random, fraction) => {
      // Prepare
      const h = new Harness({ authMode, random: () => random, tokenLifetimeSeconds: 3600 });
      const socket = await h.startServed();
      const renewalMs = Math.floor(3600 * fraction * 1000);
      const authorizes = () => socket.requests.filter((message) => message.action === 'authorize');
      const before = authorizes().length;

      // Act
      await wait(renewalMs - 2);
      expect(authorizes()).toHaveLength(before);
      await wait(2);

      // Assess
      expect(authorizes()).toHaveLength(before + 1);
      expect(authorizes().at(-1)!.token).toBe(await h.getToken.mock.results[1]!.value);
      expect(h.getToken.mock.calls[1]).toEqual([{ forceRefresh: false }]);
      expect(h.sockets.all).toHaveLength(1);
    });

    it('resumes after the renewal, counts it, and emits no state', async () => {
      const h = new Harness({ random: () => 0 });
      const socket = await h.startServed();
      const events = h.events.length;

      await wait(3600 * 0.7 * 1000);
      h.answerAuthorize(socket);

      expect(socket.requests.slice(-2).map((message) => message.action)).toEqual(['authorize', 'resume']);
      expect(h.client.stats.renewals).toBe(1);
      expect(h.events.slice(events)).toEqual([]);
    });

    it('keeps renewing tokens of 20 s in time, on the same connection', async () => {
      const h = new Harness({ authMode: 'authorizer', tokenLifetimeSeconds: 20, random: () => JUST_UNDER_ONE, limits: { idleTimeoutSeconds: 5 } });
      await h.startServed();
      h.serves = 'all';

      await wait(60_000);

      // each renewal at 17 s (85 % of 20 s): 17, 34, 51
      expect(h.client.stats.renewals).toBe(3);
      expect(h.sockets.all).toHaveLength(1);
      expect(h.errors).toEqual([]);
    });

    it('renews no sooner than 5 s after an authorization, whatever the expiry', async () => {
      const h = new Harness({ tokenLifetimeSeconds: 2, random: () => 0 });
      const socket = await h.startServed();

      await wait(4999);
      expect(socket.requests.filter((message) => message.action === 'authorize')).toHaveLength(1);
      await wait(1);

      expect(socket.requests.filter((message) => message.action === 'authorize')).toHaveLength(2);
    });

    it('asks for a fresh token once when the renewal is answered invalid_token', async () => {
      const h = new Harness({ random: () => 0 });
      const socket = await h.startServed();
      await wait(3600 * 0.7 * 1000);

      socket.receive({ type: 'error', code: 'invalid_token', message: 'The token is invalid.' });
      await settle();
      h.answerAuthorize(socket);

      expect(h.getToken.mock.calls.map(([request]) => request.forceRefresh)).toEqual([false, false, true]);
      expect(h.errors).toEqual([]);
      expect(h.client.stats.renewals).toBe(1);
    });

    it('sends the same renewal again, later, when it is answered internal_error', async () => {
      const h = new Harness({ random: () => 0.5 });
      const socket = await h.startServed();
      await wait(3600 * 0.775 * 1000);
      const renewal = socket.lastMessage;

      socket.receive({ type: 'error', code: 'internal_error', message: 'Try again.' });
      await wait(500);
      h.answerAuthorize(socket);

      expect(socket.requests.slice(-3)).toEqual([renewal, renewal, { action: 'resume', after: 0 }]);
      expect(h.errors).toEqual(['internal_error']);
      expect(h.client.stats.renewals).toBe(1);
      expect(h.getToken).toHaveBeenCalledTimes(2);
    });

    it('reports a token fetch that fails during a renewal and tries again later, keeping the connection', async () => {
      let calls = 0;
      const h = new Harness({
        random: () => 0.5,
        getToken: () => {
          calls += 1;
          if (calls === 2) return Promise.reject(new Error('offline'));
          const iat = Math.floor(Date.now() / 1000);
          return Promise.resolve(jwt({ sub: 'u1', iat, exp: iat + 3600 }));
        },
      });
      const socket = await h.startServed();

      await wait(3600 * 0.775 * 1000);
      expect(h.errors).toEqual(['token_unavailable']);
      await wait(500);
      h.answerAuthorize(socket);

      expect(calls).toBe(3);
      expect(h.client.stats.renewals).toBe(1);
      expect(h.sockets.all).toHaveLength(1);
    });

    it('renews at once when the service says the token expired', async () => {
      const h = new Harness({ random: () => 0 });
      const socket = await h.startServed();
      h.serves = 'nothing';
      await wait(300_000); // the keep-alive ping is sent

      socket.receive({ type: 'error', code: 'token_expired', message: 'The token has expired.' });
      await settle();

      expect(socket.lastMessage?.action).toBe('authorize');
      expect(h.errors).toEqual([]);
    });

    it('in mode authorizer with a token that is not a JWT: renews when the service says it expired', async () => {
      const h = new Harness({ authMode: 'authorizer', getToken: () => Promise.resolve('opaque-token') });
      const socket = await h.startServed();

      // keep-alives every 375 s (random() = 0.5) are answered for an hour; the one at 3750 s is not
      await wait(3600 * 1000);
      h.serves = 'nothing';
      await wait(150 * 1000);
      expect(socket.requests.map((message) => message.action)).toEqual(['resume']);
      expect(socket.sent.at(-1)).toBe(KEEP_ALIVE_MESSAGE);
      socket.receive({ type: 'error', code: 'token_expired', message: 'The token has expired.' });
      await settle();

      expect(socket.lastMessage).toEqual({ action: 'authorize', token: 'opaque-token' });
    });
  });

  describe('keep-alive', () => {
    it.each([
      [0, 0.5],
      [0.5, 0.625],
      [JUST_UNDER_ONE, 0.75],
    ])('with random() = %p: sends the keep-alive after %p of the idle timeout without a sent frame', async (random, fraction) => {
      const h = new Harness({ random: () => random, limits: { idleTimeoutSeconds: 10 } });
      const socket = await h.startServed();
      const dueMs = Math.floor(10_000 * (0.5 + random * 0.25));
      expect(dueMs / 10_000).toBeCloseTo(fraction, 3);

      await wait(dueMs - 1);
      expect(socket.sent).toHaveLength(2);
      await wait(1);

      expect(socket.sent.at(-1)).toBe(KEEP_ALIVE_MESSAGE);
      expect(KEEP_ALIVE_MESSAGE).toBe('{"action":"keepalive"}');
    });

    it('counts from the last frame sent', async () => {
      const h = new Harness({ random: () => 0.5, limits: { idleTimeoutSeconds: 10 } });
      const socket = await h.startServed();
      h.serves = 'all';
      // a gap in the sequence numbers makes the client send a resume at GAP_CHECK_DELAY_MS
      h.inbox.deliver(socket, h.inbox.add('n2', { skip: 1 }));

      await wait(GAP_CHECK_DELAY_MS + 6250 - 1);
      expect(socket.sent.filter((text) => text === KEEP_ALIVE_MESSAGE)).toHaveLength(0);
      await wait(1);

      expect(socket.sent.filter((text) => text === KEEP_ALIVE_MESSAGE)).toHaveLength(1);
    });

    it('sends no keep-alive before the connection is authorized (it would be answered unauthorized)', async () => {
      const h = new Harness({ authMode: 'action', random: () => 0.5, limits: { idleTimeoutSeconds: 5 } });
      h.client.start();
      await settle();
      const socket = h.sockets.last;
      socket.accept();

      await wait(20_000);

      expect(socket.sent.filter((text) => text === KEEP_ALIVE_MESSAGE)).toHaveLength(0);
      h.answerAuthorize(socket);
      h.inbox.answer(socket);
      await wait(3125);
      expect(socket.sent.filter((text) => text === KEEP_ALIVE_MESSAGE)).toHaveLength(1);
    });

    it('replaces the connection when a keep-alive gets no reply', async () => {
      const h = new Harness({ random: () => 0.5, limits: { idleTimeoutSeconds: 10 } });
      const socket = await h.startServed();
      h.serves = 'nothing';

      await wait(6250 + REPLY_TIMEOUT_MS);

      expect(h.errors).toEqual(['no_reply']);
      expect(socket.closeCodes).toEqual([1000]);
      expect(h.client.state).toBe('reconnecting');
    });
  });
});
