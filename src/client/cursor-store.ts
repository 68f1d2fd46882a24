/**
 * Where the client keeps its resume position between page loads. The default keeps it in memory
 * (a reload starts over at the inbox's end); LocalStorageCursorStore keeps it in the browser.
 */

export interface CursorStore {
  /** The saved position, or null for none. May be asynchronous. */
  load(): number | null | Promise<number | null>;
  /** Saves the position; called each time it moves. */
  save(seq: number): void;
}

/** Keeps the position for the life of the client object. */
export class MemoryCursorStore implements CursorStore {
  #seq: number | null = null;

  load(): number | null {
    return this.#seq;
  }

  save(seq: number): void {
    this.#seq = seq;
  }
}

/** The part of the Web Storage API the store uses (localStorage, sessionStorage). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Keeps the position in `localStorage` (or another Web Storage) under `key`. Use one key per user:
 * positions of different users are unrelated. Storage that cannot be used (blocked by the browser,
 * quota exceeded) makes load or save throw; the client reports it as `cursor_store_failed`.
 */
export class LocalStorageCursorStore implements CursorStore {
  constructor(
    readonly key: string,
    private readonly storage?: StorageLike,
  ) {}

  load(): number | null {
    const text = this.#storage().getItem(this.key);
    const seq = text !== null && /^\d+$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
  }

  save(seq: number): void {
    this.#storage().setItem(this.key, String(seq));
  }

  #storage(): StorageLike {
    const storage = this.storage ?? (globalThis as unknown as { localStorage?: StorageLike }).localStorage;
    if (storage === undefined) throw new TypeError('localStorage is not available here: pass a storage');
    return storage;
  }
}
