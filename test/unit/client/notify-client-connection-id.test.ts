import { Harness, settle, START_MS } from './client-harness';

async function wait(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await settle();
}

/** A harness whose 'connection' events are recorded. */
function harness(...args: ConstructorParameters<typeof Harness>): { h: Harness; announced: (string | undefined)[] } {
  const h = new Harness(...args);
  const announced: (string | undefined)[] = [];
  h.client.on('connection', (connectionId) => announced.push(connectionId));
  return { h, announced };
}

describe('Class: NotifyClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: START_MS });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('Getter: connectionId', () => {
    it('is the id the authorized answer names in mode action, announced once the connection serves', async () => {
      const { h, announced } = harness({ authMode: 'action' });
      expect(h.client.connectionId).toBeUndefined();

      await h.startServed();

      expect(h.client.connectionId).toBe('c0');
      expect(announced).toEqual(['c0']);
    });

    it('is unknown after the handshake in mode authorizer, and named by the pong of ping()', async () => {
      // Prepare
      const { h, announced } = harness({ authMode: 'authorizer' });
      const socket = await h.startServed();
      expect(h.client.state).toBe('authorized');
      expect(h.client.connectionId).toBeUndefined();
      expect(announced).toEqual([]);

      // Act
      expect(h.client.ping()).toBe(true);
      await settle();

      // Assess: the harness's service answers the ping with {"type":"pong","connectionId":"c"}
      expect(socket.messages.map((message) => message.action)).toEqual(['resume', 'ping']);
      expect(h.client.connectionId).toBe('c');
      expect(announced).toEqual(['c']);
    });

    it('is not learnt from a keep-alive: its pong is the keep-alive route\'s constant, which names no connection', async () => {
      const { h, announced } = harness({ authMode: 'authorizer', limits: { idleTimeoutSeconds: 10 } });
      const socket = await h.startServed();

      await wait(7500);

      expect(socket.messages.map((message) => message.action)).toEqual(['resume', 'keepalive']);
      expect(h.client.connectionId).toBeUndefined();
      expect(announced).toEqual([]);
    });

    it('follows a roll-over: the new connection is announced when it takes over', async () => {
      // Prepare
      const { h, announced } = harness({ authMode: 'action', random: () => 0, limits: { maxConnectionSeconds: 10, idleTimeoutSeconds: 600 } });
      await h.startServed();

      // Act: at 70 % of 10 s the next connection opens, is authorized (as c1) and catches up
      await wait(7000);
      const next = await h.openAndAuthorize();
      expect(h.client.connectionId).toBe('c0');
      h.inbox.answer(next);

      // Assess
      expect(h.client.stats.rollOvers).toBe(1);
      expect(h.client.connectionId).toBe('c1');
      expect(announced).toEqual(['c0', 'c1']);
    });

    it('is announced as undefined while no connection serves, and again once one does', async () => {
      const { h, announced } = harness({ authMode: 'action' });
      const first = await h.startServed();

      first.drop(1001);
      expect(h.client.state).toBe('reconnecting');
      expect(h.client.connectionId).toBeUndefined();
      await wait(1000);
      h.inbox.answer(await h.openAndAuthorize());

      expect(announced).toEqual(['c0', undefined, 'c1']);
    });

    it('is undefined after stop(), which announces nothing', async () => {
      const { h, announced } = harness({ authMode: 'action' });
      await h.startServed();

      await h.client.stop();

      expect(h.client.connectionId).toBeUndefined();
      expect(announced).toEqual(['c0']);
    });
  });

  describe('Method: ping', () => {
    it('sends nothing and answers false while no connection is authorized', async () => {
      const { h } = harness({ authMode: 'action' });
      expect(h.client.ping()).toBe(false);
      h.client.start();
      await settle();
      h.sockets.last.accept();

      expect(h.client.state).toBe('open');
      expect(h.client.ping()).toBe(false);
      expect(h.sockets.last.messages.map((message) => message.action)).toEqual(['authorize']);
    });

    it('asked for when the client becomes authorized, goes after the first resume', async () => {
      const { h } = harness({ authMode: 'authorizer' });
      h.client.on('state', (state) => state === 'authorized' && h.client.ping());

      const socket = await h.startServed();
      await settle();

      expect(socket.messages.map((message) => message.action)).toEqual(['resume', 'ping']);
      expect(h.client.connectionId).toBe('c');
    });

    it('waits for the request in flight: the ping follows the resume answer', async () => {
      // Prepare: authorized, its first resume unanswered
      const { h } = harness({ authMode: 'action' });
      h.client.start();
      const socket = await h.openAndAuthorize();
      expect(socket.messages.map((message) => message.action)).toEqual(['authorize', 'resume']);

      // Act
      expect(h.client.ping()).toBe(true);
      expect(socket.messages.map((message) => message.action)).toEqual(['authorize', 'resume']);
      h.inbox.answer(socket);

      // Assess
      expect(socket.messages.map((message) => message.action)).toEqual(['authorize', 'resume', 'ping']);
    });
  });
});
