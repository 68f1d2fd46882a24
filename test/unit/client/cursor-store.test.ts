import { LocalStorageCursorStore, MemoryCursorStore, type StorageLike } from '../../../src/client/cursor-store';

class MemoryStorage implements StorageLike {
  readonly values = new Map<string, string>();
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.values.set(key, value);
  }
}

describe('Class: MemoryCursorStore', () => {
  it('has no position at first, then the last one saved', () => {
    const store = new MemoryCursorStore();
    expect(store.load()).toBeNull();

    store.save(3);
    store.save(7);

    expect(store.load()).toBe(7);
  });
});

describe('Class: LocalStorageCursorStore', () => {
  const globals = globalThis as { localStorage?: StorageLike };

  afterEach(() => {
    delete globals.localStorage;
  });

  it('saves under its key and loads it back, as a new page would', () => {
    const storage = new MemoryStorage();

    new LocalStorageCursorStore('ws-notify:u1', storage).save(42);

    expect(storage.values.get('ws-notify:u1')).toBe('42');
    expect(new LocalStorageCursorStore('ws-notify:u1', storage).load()).toBe(42);
    expect(new LocalStorageCursorStore('ws-notify:u2', storage).load()).toBeNull();
  });

  it('uses globalThis.localStorage by default, looked up when used', () => {
    const store = new LocalStorageCursorStore('ws-notify:u1');
    globals.localStorage = new MemoryStorage();

    store.save(5);

    expect(store.load()).toBe(5);
  });

  it.each(['', 'abc', '-1', '1.5', '1e400', 'NaN'])('treats a stored %p as no position', (text) => {
    const storage = new MemoryStorage();
    storage.values.set('k', text);

    expect(new LocalStorageCursorStore('k', storage).load()).toBeNull();
  });

  it('throws where there is no localStorage (the client reports it)', () => {
    const store = new LocalStorageCursorStore('k');

    expect(() => store.load()).toThrow(TypeError);
    expect(() => store.save(1)).toThrow('localStorage is not available here');
  });
});
