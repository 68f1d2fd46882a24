import { LocalStorageCursorStore, type StorageLike } from '../../../src/client/cursor-store';
import { GAP_CHECK_DELAY_MS } from '../../../src/client/notify-client';
import { Harness, RecordingStore, settle, START_MS, TAIL } from './client-harness';

/** Web Storage in memory, shared by the clients of one "browser". */
class MemoryStorage implements StorageLike {
  readonly values = new Map<string, string>();
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.values.set(key, value);
  }
}

describe('Class: NotifyClient', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: START_MS });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('delivery', () => {
    it('delivers a notification with its id, seq and data, and one without seq as it came', async () => {
      // Prepare
      const h = new Harness();
      const socket = await h.startServed();

      // Act
      h.inbox.deliver(socket, h.inbox.add('n1'));
      socket.receive({ type: 'notification', id: 'to-this-connection', data: [1, 2] });

      // Assess
      expect(h.events.filter((recorded) => recorded.event === 'notification')).toEqual([
        { event: 'notification', value: { id: 'n1', seq: 1, data: { report: 'n1' } } },
        { event: 'notification', value: { id: 'to-this-connection', data: [1, 2] } },
      ]);
      expect(h.client.stats.delivered).toBe(2);
    });

    it('drops the replayed copy of a live notification and the live copy of a replayed one', async () => {
      const h = new Harness({ store: new RecordingStore(0) });
      const [n1, n2] = [h.inbox.add('n1'), h.inbox.add('n2')];
      h.client.start();
      const socket = await h.openAndAuthorize();

      h.inbox.deliver(socket, n2); // live, before the resume answer
      h.inbox.answer(socket); // replays n1 and n2
      h.inbox.deliver(socket, n1); // live again (the queue delivers at least once)

      expect(h.delivered).toEqual(['n2', 'n1']);
      expect(h.client.stats.duplicates).toBe(2);
    });

    it('delivers a notification whose seq is lower than one already delivered', async () => {
      const h = new Harness();
      const socket = await h.startServed();
      const [n1, n2] = [h.inbox.add('n1'), h.inbox.add('n2')];

      h.inbox.deliver(socket, n2);
      h.inbox.deliver(socket, n1);

      expect(h.delivered).toEqual(['n2', 'n1']);
    });

    it('follows `more` until the inbox has nothing more, saving the position after each page', async () => {
      const store = new RecordingStore(0);
      const h = new Harness({ store });
      h.inbox.pageSize = 2;
      for (const id of ['n1', 'n2', 'n3', 'n4', 'n5']) h.inbox.add(id);
      h.client.start();
      const socket = await h.openAndAuthorize();

      h.inbox.answer(socket);
      h.inbox.answer(socket);
      h.inbox.answer(socket);

      expect(socket.resumes).toEqual([0, 2, 4]);
      expect(h.delivered).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
      expect(store.saves).toEqual([1, 2, 3, 4, 5]);
    });

    it('resumes after a reconnect from its position, getting what was sent meanwhile', async () => {
      const h = new Harness();
      const first = await h.startServed();
      h.inbox.deliver(first, h.inbox.add('n1'));
      h.inbox.deliver(first, h.inbox.add('n2'));

      first.drop();
      h.inbox.add('n3');
      h.inbox.add('n4');
      await jest.advanceTimersByTimeAsync(1000);
      const second = await h.openAndAuthorize();
      h.inbox.answer(second);

      expect(second.resumes).toEqual([2]);
      expect(h.delivered).toEqual(['n1', 'n2', 'n3', 'n4']);
    });

    it('resumes from below a missing seq: a lower notification still on its way when the connection drops is not lost', async () => {
      // Prepare: n2 arrives live before n1, and the connection drops before n1 arrives
      const store = new RecordingStore();
      const h = new Harness({ store });
      const first = await h.startServed();
      const n1 = h.inbox.add('n1');
      h.inbox.deliver(first, h.inbox.add('n2'));
      void n1;

      // Act
      first.drop();
      await jest.advanceTimersByTimeAsync(1000);
      const second = await h.openAndAuthorize();
      h.inbox.answer(second);

      // Assess
      expect(second.resumes).toEqual([0]);
      expect(h.delivered).toEqual(['n2', 'n1']);
      expect(h.client.stats.duplicates).toBe(1);
      expect(store.saves).toEqual([0, 2]);
    });

    it('checks a gap with a resume when it persists, and moves past a seq that does not exist', async () => {
      const store = new RecordingStore();
      const h = new Harness({ store });
      const socket = await h.startServed();
      h.inbox.deliver(socket, h.inbox.add('n1'));
      h.inbox.deliver(socket, h.inbox.add('n3', { skip: 1 })); // seq 2 was never written

      await jest.advanceTimersByTimeAsync(GAP_CHECK_DELAY_MS - 1);
      expect(socket.resumes).toEqual([TAIL]);
      await jest.advanceTimersByTimeAsync(1);
      expect(socket.resumes).toEqual([TAIL, 1]);
      h.inbox.answer(socket);

      expect(store.saves).toEqual([0, 1, 3]);
      expect(h.delivered).toEqual(['n1', 'n3']);
    });

    it('sends no gap check when the missing notification arrives in time', async () => {
      const h = new Harness();
      const socket = await h.startServed();
      const [n1, n2] = [h.inbox.add('n1'), h.inbox.add('n2')];

      h.inbox.deliver(socket, n2);
      h.inbox.deliver(socket, n1);
      await jest.advanceTimersByTimeAsync(GAP_CHECK_DELAY_MS * 2);

      expect(socket.resumes).toEqual([TAIL]);
    });

    it('asks again when replays announced by the answer did not all arrive', async () => {
      const store = new RecordingStore(0);
      const h = new Harness({ store });
      h.inbox.add('n1');
      h.inbox.add('n2');
      h.client.start();
      const socket = await h.openAndAuthorize();

      h.inbox.answer(socket, { drop: 1 }); // n1 lost on the way: n2 arrives, count says 2
      expect(store.saves).toEqual([]);
      await jest.advanceTimersByTimeAsync(1000);
      h.inbox.answer(socket);

      expect(socket.resumes).toEqual([0, 0]);
      expect(h.delivered).toEqual(['n2', 'n1']);
      expect(store.saves).toEqual([2]);
    });
  });

  describe('cursor', () => {
    it('starts at the end of the inbox when nothing is saved, without replaying its history', async () => {
      const store = new RecordingStore();
      const h = new Harness({ store });
      h.inbox.add('old1');
      h.inbox.add('old2');

      const socket = await h.startServed();

      expect(socket.resumes).toEqual([TAIL]);
      expect(h.delivered).toEqual([]);
      expect(store.saves).toEqual([2]);
    });

    it('reports truncated once when its first connection ends between authorization and the answer that places it', async () => {
      // Prepare: authorized, resuming from the inbox's end, and dropped before the answer
      const store = new RecordingStore();
      const h = new Harness({ store });
      h.inbox.add('old');
      h.client.start();
      const first = await h.openAndAuthorize();
      expect(first.resumes).toEqual([TAIL]);
      first.drop(1001);

      // Act: stored while the client was away, then a new connection resumes from the end again
      h.inbox.add('while-away');
      await jest.advanceTimersByTimeAsync(1000);
      const second = await h.openAndAuthorize();
      h.inbox.answer(second);

      // Assess: its start cannot be told from the answer any more: the application reloads its state
      expect(second.resumes).toEqual([TAIL]);
      expect(h.truncations).toBe(1);
      expect(store.saves).toEqual([2]);
      h.inbox.deliver(second, h.inbox.add('next'));
      expect(h.delivered).toEqual(['next']);
      expect(h.truncations).toBe(1);
    });

    it('does the same when stopped and started again before the first answer', async () => {
      const h = new Harness();
      h.client.start();
      await h.openAndAuthorize();
      await h.client.stop();

      h.client.start();
      h.inbox.answer(await h.openAndAuthorize());

      expect(h.truncations).toBe(1);
    });

    it('does not report truncated when its first connection ended before it was authorized', async () => {
      const h = new Harness({ authMode: 'action' });
      h.client.start();
      await settle();
      h.sockets.last.accept();
      h.sockets.last.drop(1001);

      await jest.advanceTimersByTimeAsync(1000);
      h.inbox.answer(await h.openAndAuthorize());

      expect(h.client.state).toBe('authorized');
      expect(h.truncations).toBe(0);
    });

    it('replays everything retained when the store says 0', async () => {
      const h = new Harness({ store: new RecordingStore(0) });
      h.inbox.add('old1');
      h.inbox.add('old2');

      await h.startServed();

      expect(h.delivered).toEqual(['old1', 'old2']);
      expect(h.truncations).toBe(0);
    });

    it('waits for an asynchronous store before connecting', async () => {
      let answer!: (seq: number) => void;
      const h = new Harness({ store: { load: () => new Promise<number>((resolve) => (answer = resolve)), save: () => undefined } });
      h.inbox.add('n1');
      h.inbox.add('n2');

      h.client.start();
      await settle();
      expect(h.sockets.all).toHaveLength(0);
      answer(1);
      const socket = await h.openAndAuthorize();
      h.inbox.answer(socket);

      expect(socket.resumes).toEqual([1]);
      expect(h.delivered).toEqual(['n2']);
    });

    it('survives a page reload through localStorage: the new page resumes where the old one was, without duplicates', async () => {
      // Prepare: the first page receives three notifications
      const storage = new MemoryStorage();
      const firstPage = new Harness({ store: new LocalStorageCursorStore('ws-notify:u1', storage) });
      const socket = await firstPage.startServed();
      for (const id of ['n1', 'n2', 'n3']) firstPage.inbox.deliver(socket, firstPage.inbox.add(id));

      // Act: the page goes away without stop(); two notifications are sent before the new page connects
      firstPage.inbox.add('n4');
      firstPage.inbox.add('n5');
      const secondPage = new Harness({ store: new LocalStorageCursorStore('ws-notify:u1', storage), inbox: firstPage.inbox });
      const reloaded = await secondPage.startServed();

      // Assess
      expect(storage.values.get('ws-notify:u1')).toBe('5');
      expect(reloaded.resumes).toEqual([3]);
      expect(secondPage.delivered).toEqual(['n4', 'n5']);
    });

    it('reports a store that cannot load, and starts at the end of the inbox', async () => {
      const failure = new Error('SecurityError');
      const h = new Harness({ store: { load: () => { throw failure; }, save: () => undefined } });

      const socket = await h.startServed();

      expect(h.errors).toEqual(['cursor_store_failed']);
      expect(h.events.find((recorded) => recorded.event === 'error')).toMatchObject({ value: { cause: failure } });
      expect(socket.resumes).toEqual([TAIL]);
    });

    it.each([[-1], [1.5], [Number.NaN]])('treats a saved position of %p as none, and says so', async (saved) => {
      const h = new Harness({ store: { load: () => saved, save: () => undefined } });

      const socket = await h.startServed();

      expect(h.errors).toEqual(['cursor_store_failed']);
      expect(socket.resumes).toEqual([TAIL]);
    });

    it('reports a store that cannot save once, until it saves again', async () => {
      let failing = true;
      const saved: number[] = [];
      const h = new Harness({
        store: {
          load: () => 0,
          save: (seq) => {
            if (failing) throw new Error('QuotaExceededError');
            saved.push(seq);
          },
        },
      });
      const socket = await h.startServed();

      h.inbox.deliver(socket, h.inbox.add('n1'));
      h.inbox.deliver(socket, h.inbox.add('n2'));
      failing = false;
      h.inbox.deliver(socket, h.inbox.add('n3'));

      expect(h.errors).toEqual(['cursor_store_failed']);
      expect(h.delivered).toEqual(['n1', 'n2', 'n3']);
      expect(saved).toEqual([3]);
    });
  });

  describe('truncated', () => {
    it('is emitted when the inbox no longer holds everything after the position', async () => {
      const store = new RecordingStore(1);
      const h = new Harness({ store });
      for (const id of ['n1', 'n2', 'n3', 'n4']) h.inbox.add(id);
      h.inbox.oldestRetained = 3;

      await h.startServed();

      expect(h.truncations).toBe(1);
      expect(h.delivered).toEqual(['n3', 'n4']);
      expect(store.saved).toBe(4);
    });

    it('is emitted when the inbox is behind the saved position, which moves back to it', async () => {
      const store = new RecordingStore(500);
      const h = new Harness({ store });
      h.inbox.add('n1');

      const socket = await h.startServed();
      h.inbox.deliver(socket, h.inbox.add('n2'));

      expect(h.truncations).toBe(1);
      expect(store.saves).toEqual([1, 2]);
      expect(h.delivered).toEqual(['n2']);
    });
  });

  describe('frames', () => {
    it.each([
      ['text that is not JSON', 'not json'],
      ['a JSON array', '[1]'],
      ['a notification without id', JSON.stringify({ type: 'notification', data: 1 })],
      ['an error with an unknown code', JSON.stringify({ type: 'error', code: 'teapot', message: 'x' })],
    ])('reports %s as invalid_frame and keeps the connection', async (_name, text) => {
      const h = new Harness();
      const socket = await h.startServed();

      socket.receive(text);
      h.inbox.deliver(socket, h.inbox.add('n1'));

      expect(h.errors).toEqual(['invalid_frame']);
      expect(h.delivered).toEqual(['n1']);
      expect(socket.readyState).toBe(1);
    });

    it('reports a binary frame as invalid_frame', async () => {
      const h = new Harness();
      const socket = await h.startServed();

      socket.receiveBinary();

      expect(h.errors).toEqual(['invalid_frame']);
    });

    it('ignores a frame of a type it does not know', async () => {
      const h = new Harness();
      const socket = await h.startServed();

      socket.receive({ type: 'announcement', text: 'from a newer service' });

      expect(h.errors).toEqual([]);
      expect(socket.readyState).toBe(1);
    });

    it('reports an error frame that answers nothing it sent', async () => {
      const h = new Harness();
      const socket = await h.startServed();

      socket.receive({ type: 'error', code: 'bad_request', message: 'Bad request.' });

      expect(h.events.at(-1)).toMatchObject({ event: 'error', value: { code: 'bad_request', message: 'Bad request.', name: 'NotifyClientError' } });
      expect(socket.readyState).toBe(1);
    });
  });

  describe('listeners', () => {
    it('reports a throwing notification listener as listener_failed and goes on delivering', async () => {
      const h = new Harness();
      const failure = new Error('application bug');
      const unsubscribe = h.client.on('notification', () => {
        throw failure;
      });
      const socket = await h.startServed();

      h.inbox.deliver(socket, h.inbox.add('n1'));
      unsubscribe();
      h.inbox.deliver(socket, h.inbox.add('n2'));

      expect(h.delivered).toEqual(['n1', 'n2']);
      expect(h.errors).toEqual(['listener_failed']);
      expect(h.events.find((recorded) => recorded.event === 'error')).toMatchObject({ value: { cause: failure } });
    });
  });
});
