import { Harness, RecordingStore, settle, START_MS } from './client-harness';
import type { FakeWebSocket } from './fake-websocket';

async function wait(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await settle();
}

const JUST_UNDER_ONE = 1 - 1e-9;
/** The churn test's stack: connections closed after 10 s, idle after 5 s. */
const SHORT_LIMITS = { maxConnectionSeconds: 10, idleTimeoutSeconds: 5 };

describe('Class: NotifyClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: START_MS });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('roll-over', () => {
    it.each([
      [0, 7000],
      [0.5, 8000],
      [JUST_UNDER_ONE, 8999],
    ])('with random() = %p: opens the next connection %p ms after the current one opened', async (random, dueMs) => {
      const h = new Harness({ random: () => random, limits: SHORT_LIMITS });
      await h.startServed();

      await wait(dueMs - 1);
      expect(h.sockets.all).toHaveLength(1);
      await wait(1);

      expect(h.sockets.all).toHaveLength(2);
    });

    it('spreads the moment over 70–90 % of the maximum duration for connections opened together', async () => {
      // Prepare: three clients that open together, with different random sources
      const clients = [0.1, 0.5, 0.9].map((value) => new Harness({ random: () => value }));
      for (const h of clients) {
        await h.startServed();
        h.serves = 'all';
      }
      const rolling = () => clients.filter((h) => h.sockets.all.length > 1).length;

      // Act / Assess: (0.7 + 0.2 × random) × 7200 s = 5184 s, 5760 s, 6336 s
      let elapsed = 0;
      for (const [index, moment] of [5184, 5760, 6336].entries()) {
        await wait((moment - elapsed) * 1000 - 1);
        expect(rolling()).toBe(index);
        await wait(1);
        expect(rolling()).toBe(index + 1);
        elapsed = moment;
      }
      for (const h of clients) await h.client.stop();
    });

    it('is make-before-break: the old connection serves until the new one is authorized and caught up', async () => {
      // Prepare
      const h = new Harness({ random: () => 0, limits: SHORT_LIMITS });
      const old = await h.startServed();
      const events = h.events.length;

      // Act: the roll-over starts
      await wait(7000);
      const next = await h.openAndAuthorize();

      // Assess: both open; the old one is closed once the new one's resume is answered
      expect(old.readyState).toBe(1);
      h.inbox.answer(next);
      expect(old.closeCodes).toEqual([1000]);
      expect(next.readyState).toBe(1);
      expect(h.client.stats.rollOvers).toBe(1);
      expect(h.client.stats.reconnects).toBe(0);
      expect(h.events.slice(events)).toEqual([]);
      expect(h.client.state).toBe('authorized');
    });

    it('delivers everything once across the two connections: no gap, no duplicate', async () => {
      // Prepare: n1 delivered on the old connection
      const store = new RecordingStore();
      const h = new Harness({ random: () => 0, limits: SHORT_LIMITS, store });
      const old = await h.startServed();
      h.inbox.deliver(old, h.inbox.add('n1'));
      await wait(7000);

      // Act
      const n2 = h.inbox.add('n2'); // stored while the new connection opens: on its way to the old one only
      const next = await h.openAndAuthorize();
      const n3 = h.inbox.add('n3'); // stored once the new one is authorized: live on both
      h.inbox.deliver(next, n3);
      h.inbox.answer(next); // replays n2 and n3
      h.inbox.deliver(old, n2); // the old connection's late copies
      h.inbox.deliver(old, n3);
      const n4 = h.inbox.add('n4');
      h.inbox.deliver(next, n4);

      // Assess
      expect(next.resumes).toEqual([1]);
      expect(h.delivered).toEqual(['n1', 'n3', 'n2', 'n4']);
      expect(store.saved).toBe(4);
    });

    it('takes frames on the old connection until the new one has caught up, and none after', async () => {
      const h = new Harness({ random: () => 0, limits: SHORT_LIMITS });
      const old = await h.startServed();
      await wait(7000);
      const next = await h.openAndAuthorize();

      h.inbox.deliver(old, h.inbox.add('during'));
      h.inbox.answer(next);
      old.receive({ type: 'notification', id: 'after', seq: 99, data: null });

      expect(h.delivered).toEqual(['during']);
    });

    it('keeps serving on the old connection when the new one fails, and tries again after a backoff', async () => {
      const h = new Harness({ authMode: 'authorizer', random: () => 0.5 });
      const old = await h.startServed();
      h.serves = 'all'; // renewals are answered meanwhile
      await wait(5760_000);
      h.serves = 'pings';
      h.sockets.last.refuse(); // a refused handshake: a fresh token at once
      await settle();
      h.sockets.last.refuse(); // refused again: reported, retried after a backoff

      expect(h.errors).toEqual(['handshake_failed']);
      expect(h.client.state).toBe('authorized');
      h.inbox.deliver(old, h.inbox.add('n1'));
      await wait(500);
      expect(h.sockets.all).toHaveLength(4);
      h.inbox.answer(await h.openAndAuthorize());

      expect(old.closeCodes).toEqual([1000]);
      expect(h.delivered).toEqual(['n1']);
      expect(h.client.stats.rollOvers).toBe(1);
    });

    it.each([
      ['authorized, its resume unanswered', true],
      ['still opening', false],
    ])('when the old connection closes while the new one is %s: goes on with the new one, without a backoff', async (_name, authorized) => {
      const h = new Harness({ random: () => 0, limits: SHORT_LIMITS });
      const old = await h.startServed();
      await wait(7000);
      await settle();
      let next: FakeWebSocket = h.sockets.last;
      if (authorized) next = await h.openAndAuthorize();
      const states = h.states.length;

      old.drop(1001);
      if (!authorized) {
        expect(h.client.state).toBe('connecting');
        next = await h.openAndAuthorize();
      }
      h.inbox.answer(next);

      expect(h.states.slice(states)).toEqual(authorized ? [] : ['connecting', 'open', 'authorized']);
      expect(h.sockets.all).toHaveLength(2);
      expect(h.client.stats.reconnects).toBe(0);
      expect(h.client.stats.rollOvers).toBe(1);
      expect(h.client.state).toBe('authorized');
    });

    it('counts a roll-over once when the old connection closes first and the new one then fails', async () => {
      const h = new Harness({ random: () => 0, limits: SHORT_LIMITS });
      const old = await h.startServed();
      await wait(7000);
      await settle();

      old.drop(1001);
      h.sockets.last.refuse();
      await settle();

      expect(h.client.stats.rollOvers).toBe(1);
      expect(h.client.stats.reconnects).toBe(1);
      expect(h.client.state).toBe('reconnecting');
    });

    it('rolls over again and again, each connection on its own clock', async () => {
      const h = new Harness({ random: () => 0.5, limits: SHORT_LIMITS, tokenLifetimeSeconds: 20 });
      await h.startServed();
      h.serves = 'all';

      for (let second = 0; second < 60; second += 1) {
        await wait(1000);
        const pending = h.sockets.all.filter((socket) => socket.readyState === 0);
        for (const socket of pending) socket.accept();
        await settle();
      }

      // opened at 0, then every 8 s (80 % of 10 s): 8, 16, … 56
      expect(h.client.stats.rollOvers).toBe(7);
      expect(h.sockets.live).toHaveLength(1);
      expect(h.client.stats.reconnects).toBe(0);
      expect(h.errors).toEqual([]);
    });
  });
});
