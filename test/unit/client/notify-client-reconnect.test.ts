import { REPLY_TIMEOUT_MS } from '../../../src/client/connection';
import { NotifyClient, STABLE_CONNECTION_MS } from '../../../src/client/notify-client';
import { Harness, jwt, RecordingStore, settle, START_MS } from './client-harness';

/** Lets `ms` pass, then the promise callbacks that follow (a token fetch, a socket). */
async function wait(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await settle();
}

describe('Class: NotifyClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: START_MS });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('reconnect', () => {
    it('backs off exponentially with full jitter up to 30 s while connections keep failing', async () => {
      // Prepare: random() just under 1, so each delay is just under its ceiling
      const h = new Harness({ random: () => 1 - 1e-9 });
      h.client.start();
      await settle();

      // Act / Assess: every handshake fails; the next socket comes only once its delay has passed
      for (const ceiling of [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]) {
        const count = h.sockets.all.length;
        h.sockets.last.refuse();
        await wait(ceiling - 2);
        expect(h.sockets.all).toHaveLength(count);
        await wait(1);
        expect(h.sockets.all).toHaveLength(count + 1);
      }

      expect(h.states.slice(0, 3)).toEqual(['connecting', 'reconnecting', 'connecting']);
    });

    it('retries a lost connection within the first second, at random within it', async () => {
      const h = new Harness({ random: () => 0.25 });
      const socket = await h.startServed();

      socket.drop();
      await wait(249);
      expect(h.sockets.all).toHaveLength(1);
      await wait(1);

      expect(h.sockets.all).toHaveLength(2);
      expect(h.client.stats.reconnects).toBe(1);
    });

    it.each([
      [STABLE_CONNECTION_MS, 1000],
      [STABLE_CONNECTION_MS - 1000, 2000],
    ])('after a connection that stayed up %p ms, waits under %p ms', async (uptime, ceiling) => {
      const h = new Harness({ random: () => 0.9999 });
      // A first loss, so the next delay would be the second step
      (await h.startServed()).drop();
      await wait(1000);
      const second = await h.openAndAuthorize();
      h.inbox.answer(second);

      await wait(uptime);
      second.drop();
      await wait(ceiling - 2);
      expect(h.sockets.all).toHaveLength(2);
      await wait(1);

      expect(h.sockets.all).toHaveLength(3);
    });

    it('reconnects after the service closes the connection normally (code 1000)', async () => {
      const h = new Harness({ random: () => 0 });
      const socket = await h.startServed();

      socket.drop(1000);
      await wait(0);

      expect(h.sockets.all).toHaveLength(2);
    });
  });

  describe('refused handshake', () => {
    it('in mode authorizer: retries at once with a fresh token, then reports handshake_failed once and backs off', async () => {
      const h = new Harness({ authMode: 'authorizer', random: () => 0.5 });
      h.client.start();
      await settle();

      h.sockets.last.refuse();
      await settle();
      expect(h.sockets.all).toHaveLength(2);
      expect(h.getToken.mock.calls).toEqual([[{ forceRefresh: false }], [{ forceRefresh: true }]]);
      expect(h.sockets.all[1]!.tokenInUrl).toBe(await h.getToken.mock.results[1]!.value);
      expect(h.errors).toEqual([]);

      h.sockets.last.refuse();
      await settle();
      expect(h.errors).toEqual(['handshake_failed']);
      expect(h.client.state).toBe('reconnecting');
      expect(h.sockets.all).toHaveLength(2);

      await wait(500);
      h.sockets.last.refuse();
      await wait(1000);
      expect(h.sockets.all).toHaveLength(4);
      expect(h.errors).toEqual(['handshake_failed']);
      expect(h.getToken.mock.calls.slice(2)).toEqual([[{ forceRefresh: false }], [{ forceRefresh: false }]]);
    });

    it('in mode authorizer: a refusal after a connection opened again gets a fresh token again', async () => {
      const h = new Harness({ authMode: 'authorizer', random: () => 0 });
      h.client.start();
      await settle();
      h.sockets.last.refuse();
      await settle();
      h.sockets.last.refuse();
      await wait(0);
      h.inbox.answer(await h.openAndAuthorize());

      h.sockets.last.drop();
      await wait(0);
      h.sockets.last.refuse();
      await settle();

      expect(h.getToken.mock.calls.map(([request]) => request.forceRefresh)).toEqual([false, true, false, false, true]);
    });

    it('in mode action: reports handshake_failed and backs off without asking for a fresh token', async () => {
      const h = new Harness({ authMode: 'action', random: () => 0.5 });
      h.client.start();
      await settle();

      h.sockets.last.refuse();
      await settle();

      expect(h.errors).toEqual(['handshake_failed']);
      expect(h.client.state).toBe('reconnecting');
      await wait(500);
      expect(h.getToken.mock.calls).toEqual([[{ forceRefresh: false }], [{ forceRefresh: false }]]);
    });

    it('treats a WebSocket constructor that throws as a failed handshake (a fresh token once), without passing its message on', async () => {
      const Throwing = class {
        constructor(url: string) {
          throw new SyntaxError(`The URL '${url}' is invalid.`);
        }
      };
      const client = new NotifyClient({
        url: 'wss://notify.example.test/dev',
        authMode: 'authorizer',
        getToken: () => Promise.resolve('secret-token'),
        WebSocket: Throwing as never,
        random: () => 0.5,
      });
      const errors: unknown[] = [];
      client.on('error', (error) => errors.push(error));

      client.start();
      await settle();
      await settle();

      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'handshake_failed' });
      expect(JSON.stringify(errors[0], Object.getOwnPropertyNames(errors[0]))).not.toContain('secret-token');
      expect((errors[0] as Error).cause).toBeUndefined();
      await client.stop();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('authorization', () => {
    it('answers invalid_token with one fresh token on the same connection', async () => {
      const h = new Harness({ authMode: 'action' });
      h.client.start();
      await settle();
      const socket = h.sockets.last;
      socket.accept();

      socket.receive({ type: 'error', code: 'invalid_token', message: 'The token is invalid.' });
      await settle();
      expect(h.getToken.mock.calls).toEqual([[{ forceRefresh: false }], [{ forceRefresh: true }]]);
      expect(socket.requests.map((message) => message.action)).toEqual(['authorize', 'authorize']);
      h.answerAuthorize(socket);

      expect(h.client.state).toBe('authorized');
      expect(h.errors).toEqual([]);
      expect(h.sockets.all).toHaveLength(1);
    });

    it('reports invalid_token with a fresh token too, closes, and reconnects after a backoff', async () => {
      const h = new Harness({ authMode: 'action', random: () => 0.5 });
      h.client.start();
      await settle();
      const socket = h.sockets.last;
      socket.accept();

      socket.receive({ type: 'error', code: 'invalid_token', message: 'The token is invalid.' });
      await settle();
      socket.receive({ type: 'error', code: 'invalid_token', message: 'The token is invalid.' });
      await settle();

      expect(h.errors).toEqual(['invalid_token']);
      expect(socket.closeCodes).toEqual([1000]);
      expect(h.client.state).toBe('reconnecting');
      await wait(500);
      expect(h.sockets.all).toHaveLength(2);
    });

    it.each(['too_many_connections', 'unauthorized'] as const)('reports %s in answer to authorize, closes, and reconnects later', async (code) => {
      const h = new Harness({ authMode: 'action', random: () => 0.5 });
      h.client.start();
      await settle();
      const socket = h.sockets.last;
      socket.accept();

      socket.receive({ type: 'error', code, message: 'No.' });

      expect(h.errors).toEqual([code]);
      expect(socket.closeCodes).toEqual([1000]);
      expect(h.client.state).toBe('reconnecting');
    });

    it.each(['authorization_timeout', 'too_many_attempts'] as const)('reports %s (the service closes after it) and reconnects', async (code) => {
      const h = new Harness({ authMode: 'action', random: () => 0 });
      h.client.start();
      await settle();
      const socket = h.sockets.last;
      socket.accept();

      socket.receive({ type: 'error', code, message: 'Closing.' });
      socket.drop(1000);
      await wait(0);

      expect(h.errors).toEqual([code]);
      expect(h.sockets.all).toHaveLength(2);
    });

    it('retries authorize on the same connection after internal_error', async () => {
      const h = new Harness({ authMode: 'action', random: () => 0.5 });
      h.client.start();
      await settle();
      const socket = h.sockets.last;
      socket.accept();

      socket.receive({ type: 'error', code: 'internal_error', message: 'Try again.' });
      expect(h.errors).toEqual(['internal_error']);
      await wait(499);
      expect(socket.requests).toHaveLength(1);
      await wait(1);
      expect(socket.requests.map((message) => message.action)).toEqual(['authorize', 'authorize']);
      h.answerAuthorize(socket);

      expect(h.client.state).toBe('authorized');
      expect(h.sockets.all).toHaveLength(1);
    });

    it('reports token_unavailable when getToken() rejects, and tries again after a backoff', async () => {
      const failure = new Error('identity provider down');
      let calls = 0;
      const h = new Harness({
        random: () => 0.5,
        getToken: () => (++calls === 1 ? Promise.reject(failure) : Promise.resolve(jwt({ sub: 'u1', exp: START_MS / 1000 + 3600 }))),
      });

      h.client.start();
      await settle();
      expect(h.errors).toEqual(['token_unavailable']);
      expect(h.events.find((recorded) => recorded.event === 'error')).toMatchObject({ value: { cause: failure } });
      expect(h.client.state).toBe('reconnecting');
      expect(h.sockets.all).toHaveLength(0);
      await wait(500);
      h.inbox.answer(await h.openAndAuthorize());

      expect(h.client.state).toBe('authorized');
    });

    it.each([[''], [42], [undefined]])('reports token_unavailable when getToken() resolves %p', async (token) => {
      const h = new Harness({ getToken: () => Promise.resolve(token as string) });

      h.client.start();
      await settle();

      expect(h.errors).toEqual(['token_unavailable']);
      expect(h.sockets.all).toHaveLength(0);
    });
  });

  describe('replies', () => {
    it('reports no_reply and replaces a connection whose request gets no answer in time', async () => {
      const h = new Harness({ authMode: 'action', random: () => 0 });
      h.client.start();
      await settle();
      const socket = h.sockets.last;
      socket.accept();

      await wait(REPLY_TIMEOUT_MS - 1);
      expect(h.errors).toEqual([]);
      await wait(1);
      // the reconnect, due at once (random() = 0), runs on the fake clock's next tick
      await wait(1);

      expect(h.errors).toEqual(['no_reply']);
      expect(socket.closeCodes).toEqual([1000]);
      expect(h.sockets.all).toHaveLength(2);
    });

    it('retries resume on the same connection after internal_error', async () => {
      const h = new Harness({ store: new RecordingStore(0), random: () => 0.5 });
      h.inbox.add('n1');
      h.client.start();
      const socket = await h.openAndAuthorize();

      socket.receive({ type: 'error', code: 'internal_error', message: 'Try again.' });
      await wait(500);
      h.inbox.answer(socket);

      expect(socket.resumes).toEqual([0, 0]);
      expect(h.delivered).toEqual(['n1']);
      expect(h.errors).toEqual(['internal_error']);
    });

    it('closes and reconnects when resume is answered unauthorized', async () => {
      const h = new Harness({ random: () => 0 });
      h.client.start();
      const socket = await h.openAndAuthorize();

      socket.receive({ type: 'error', code: 'unauthorized', message: 'Unauthorized.' });
      await wait(0);

      expect(h.errors).toEqual(['unauthorized']);
      expect(h.sockets.all).toHaveLength(2);
    });

    it('carries on without resume on a service that does not implement it', async () => {
      const h = new Harness();
      h.client.start();
      const socket = await h.openAndAuthorize();

      socket.receive({ type: 'error', code: 'not_implemented', message: 'The action "resume" is not implemented.' });
      h.inbox.deliver(socket, h.inbox.add('n1'));

      expect(h.errors).toEqual(['not_implemented']);
      expect(h.client.state).toBe('authorized');
      expect(h.delivered).toEqual(['n1']);
    });

    it('resumes again from where it was when the connection drops in the middle of a replay', async () => {
      const store = new RecordingStore(0);
      const h = new Harness({ store, random: () => 0 });
      const items = ['n1', 'n2', 'n3', 'n4'].map((id) => h.inbox.add(id));
      h.client.start();
      const first = await h.openAndAuthorize();

      // Two replays arrive, then the connection drops before the rest and the answer
      for (const item of items.slice(0, 2)) first.receive({ type: 'notification', ...item, replayed: true });
      first.drop();
      await wait(0);
      const second = await h.openAndAuthorize();
      h.inbox.answer(second);

      expect(second.resumes).toEqual([2]);
      expect(h.delivered).toEqual(['n1', 'n2', 'n3', 'n4']);
      expect(store.saves).toEqual([1, 2, 3, 4]);
    });
  });
});
