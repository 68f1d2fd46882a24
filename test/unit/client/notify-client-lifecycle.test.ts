import { STOP_TIMEOUT_MS } from '../../../src/client/notify-client';
import { Harness, settle, START_MS, TAIL, WS_URL } from './client-harness';
import type { FakeWebSocket } from './fake-websocket';

/** A promise the test resolves when it wants. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe('Class: NotifyClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: START_MS });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('Method: start', () => {
    it('goes connecting → open → authorized in mode action, sending authorize on the open connection', async () => {
      // Prepare
      const h = new Harness({ authMode: 'action' });

      // Act
      h.client.start();
      expect(h.client.state).toBe('connecting');
      await settle();
      const socket = h.sockets.last;
      socket.accept();

      // Assess
      expect(socket.url).toBe(WS_URL);
      expect(h.client.state).toBe('open');
      expect(socket.messages).toEqual([{ action: 'authorize', token: expect.any(String) as string }]);
      h.answerAuthorize(socket);
      expect(h.states).toEqual(['connecting', 'open', 'authorized']);
      expect(socket.resumes).toEqual([TAIL]);
    });

    it('puts the token in the URL in mode authorizer and is authorized once the handshake succeeds', async () => {
      const h = new Harness({ authMode: 'authorizer' });

      h.client.start();
      await settle();
      const socket = h.sockets.last;
      expect(socket.url.startsWith(`${WS_URL}?token=`)).toBe(true);
      expect(socket.tokenInUrl).toBe(await h.getToken.mock.results[0]!.value);
      socket.accept();

      expect(h.states).toEqual(['connecting', 'open', 'authorized']);
      expect(socket.messages.map((message) => message.action)).toEqual(['resume']);
    });

    it('asks getToken for a cached token first', async () => {
      const h = new Harness();
      h.client.start();
      await settle();
      expect(h.getToken.mock.calls).toEqual([[{ forceRefresh: false }]]);
    });

    it('does nothing when already started, and nothing before it is called', async () => {
      const h = new Harness();
      await settle();
      expect(h.sockets.all).toHaveLength(0);
      expect(h.client.state).toBe('stopped');

      h.client.start();
      h.client.start();
      await settle();

      expect(h.sockets.all).toHaveLength(1);
      expect(h.getToken).toHaveBeenCalledTimes(1);
    });

    it('goes reconnecting → connecting → open → authorized after a close it did not ask for', async () => {
      const h = new Harness();
      const first = await h.startServed();

      first.drop(1001);
      expect(h.client.state).toBe('reconnecting');
      await jest.advanceTimersByTimeAsync(1000);
      expect(h.client.state).toBe('connecting');
      await h.openAndAuthorize();

      expect(h.states).toEqual(['connecting', 'open', 'authorized', 'reconnecting', 'connecting', 'open', 'authorized']);
      expect(h.sockets.all).toHaveLength(2);
    });

    it('starts again after stop(), resuming from where it was', async () => {
      const h = new Harness();
      const first = await h.startServed();
      h.inbox.deliver(first, h.inbox.add('n1'));
      await h.client.stop();

      h.inbox.add('n2');
      h.client.start();
      const second = await h.openAndAuthorize();
      h.inbox.answer(second);

      expect(second.resumes).toEqual([1]);
      expect(h.delivered).toEqual(['n1', 'n2']);
      expect(h.states).toEqual(['connecting', 'open', 'authorized', 'stopped', 'connecting', 'open', 'authorized']);
    });
  });

  describe('Method: stop', () => {
    /** Ways to bring a client into each of its states (and the moments between them). */
    /** Ways to bring a client into each of its states (and the moments between them): the sockets it then holds, its state, and how many tokens it asked for. */
    const situations: [string, (h: Harness) => Promise<FakeWebSocket[]>, string, number][] = [
      [
        'connecting, before the cursor store answered',
        async (h) => {
          h.client.start();
          await settle();
          return [];
        },
        'connecting',
        0,
      ],
      [
        'connecting, while getToken() is pending',
        async (h) => {
          h.client.start();
          await settle();
          return [];
        },
        'connecting',
        1,
      ],
      [
        'connecting, with the handshake under way',
        async (h) => {
          h.client.start();
          await settle();
          return [h.sockets.last];
        },
        'connecting',
        1,
      ],
      [
        'open, with authorize unanswered',
        async (h) => {
          h.client.start();
          await settle();
          h.sockets.last.accept();
          return [h.sockets.last];
        },
        'open',
        1,
      ],
      [
        'authorized, with the first resume unanswered',
        async (h) => {
          h.client.start();
          return [await h.openAndAuthorize()];
        },
        'authorized',
        1,
      ],
      ['authorized and caught up', async (h) => [await h.startServed()], 'authorized', 1],
      [
        'renewing, while getToken() is pending',
        async (h) => {
          const socket = await h.startServed();
          await jest.advanceTimersByTimeAsync(TOKEN_RENEWAL_MS);
          return [socket];
        },
        'authorized',
        2,
      ],
      [
        'reconnecting, waiting for the backoff',
        async (h) => {
          const socket = await h.startServed();
          socket.drop();
          return [];
        },
        'reconnecting',
        1,
      ],
      [
        'rolling over, with the new connection opening',
        async (h) => {
          const old = await h.startServed();
          h.serves = 'all';
          await jest.advanceTimersByTimeAsync(ROLL_OVER_MS);
          h.serves = 'pings';
          await settle();
          h.sockets.last.accept();
          return [old, h.sockets.last];
        },
        'authorized',
        // the first, two renewals (at 2790 s and 5580 s), the roll-over's
        4,
      ],
    ];
    /** With random() = 0.5 and a one-hour token: renewal at 77.5 % of its lifetime. */
    const TOKEN_RENEWAL_MS = 3600 * 0.775 * 1000;
    /** With random() = 0.5: roll-over at 80 % of two hours. */
    const ROLL_OVER_MS = 7200 * 0.8 * 1000;

    it.each(situations)('when %s: closes everything, emits only stopped, and leaves no timer', async (situation, reach, state, tokensAsked) => {
      // Prepare: a store and a getToken that the situation may leave pending
      const load = deferred<number | null>();
      const token = deferred<string>();
      let pendingTokens = 0;
      const h = new Harness({
        store: { load: () => (situation.includes('cursor store') ? load.promise : null), save: () => undefined },
        getToken: () => {
          pendingTokens += 1;
          const waits = situation.includes('getToken() is pending') && (situation.startsWith('connecting') || pendingTokens > 1);
          return waits ? token.promise : Promise.resolve(jwtFor(3600));
        },
      });
      const sockets = await reach(h);
      expect(h.client.state).toBe(state);
      expect(h.getToken).toHaveBeenCalledTimes(tokensAsked);
      expect(h.sockets.live).toEqual(sockets);
      const eventsBefore = h.events.length;

      // Act
      const stopped = h.client.stop();
      const eventsAtStop = h.events.slice(eventsBefore);
      await stopped;

      // Assess
      expect(eventsAtStop).toEqual([{ event: 'state', value: 'stopped' }]);
      expect(h.client.state).toBe('stopped');
      for (const socket of sockets) expect(socket.closeCodes).toEqual([1000]);
      expect(h.sockets.live).toHaveLength(0);
      expect(jest.getTimerCount()).toBe(0);

      // Late answers change nothing: no socket, no event, no timer
      const socketsMade = h.sockets.all.length;
      load.resolve(5);
      token.resolve(jwtFor(3600));
      for (const socket of sockets) {
        socket.receive({ type: 'notification', id: 'late', seq: 1, data: null });
        socket.drop();
      }
      await settle();
      await jest.advanceTimersByTimeAsync(24 * 3600 * 1000);
      expect(h.sockets.all).toHaveLength(socketsMade);
      expect(h.events.slice(eventsBefore)).toEqual([{ event: 'state', value: 'stopped' }]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('resolves at once when not started, and a second call while closing returns the first one', async () => {
      const h = new Harness();
      await expect(h.client.stop()).resolves.toBeUndefined();
      await h.startServed();
      const first = h.client.stop();
      expect(h.client.stop()).toBe(first);
      await first;
      expect(h.states.filter((state) => state === 'stopped')).toHaveLength(1);
    });

    it('waits for the socket to close, at most STOP_TIMEOUT_MS, and leaves no timer', async () => {
      const h = new Harness();
      const socket = await h.startServed();
      // A WebSocket implementation that never reports the close
      socket.close = (code?: number) => void socket.closeCodes.push(code);
      let resolved = false;

      const stopped = h.client.stop().then(() => (resolved = true));
      await jest.advanceTimersByTimeAsync(STOP_TIMEOUT_MS - 1);
      expect(resolved).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await stopped;

      expect(resolved).toBe(true);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('delivers nothing more once a listener has called it, even from the same resume answer', async () => {
      const h = new Harness({ store: { load: () => 0, save: () => undefined } });
      h.inbox.add('n1');
      h.inbox.add('n2');
      h.client.on('notification', () => void h.client.stop());

      await h.startServed();
      await settle();

      expect(h.delivered).toEqual(['n1']);
      expect(h.events.at(-1)).toEqual({ event: 'state', value: 'stopped' });
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});

function jwtFor(lifetimeSeconds: number): string {
  const iat = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part({ sub: 'u1', iat, exp: iat + lifetimeSeconds })}.c2ln`;
}
